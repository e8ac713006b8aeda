// tcpdump on an interface inside a namespace, around a probe: proof of what crossed the wire.
import { spawn } from 'node:child_process';

/**
 * Starts tcpdump (`argvPrefix` puts it in a namespace), runs `probe` once it listens, and returns
 * what it printed. Bounded: stops after `count` packets or `timeoutMs`, killed by its own PID
 * (`startMs`: how long it may take to start listening; seconds over ssh to an emulated VM).
 */
export async function capture(argvPrefix: string[], iface: string, filter: string, probe: () => Promise<unknown>, count = 4, timeoutMs = 5000, startMs = 5000): Promise<string> {
  const child = spawn(argvPrefix[0]!, [...argvPrefix.slice(1), 'tcpdump', '-l', '-n', '-v', '-c', String(count), '-i', iface, filter], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b));
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tcpdump did not start within ${startMs} ms`)), startMs);
    child.stderr.on('data', (b: Buffer) => {
      if (b.toString().includes('listening on')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.on('close', () => reject(new Error('tcpdump exited before listening')));
  });
  try {
    await probe();
  } finally {
    const t = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    await closed;
    clearTimeout(t);
  }
  return out;
}
