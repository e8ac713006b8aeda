// Starts test/helpers/loadServer.ts (the lab server on a cluster of its own) as a child process and
// waits for its URL; `stop` ends it by its PID and waits until it has taken its cluster down.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface LoadServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startLoadServer(): Promise<LoadServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/loadServer.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', r));
  let cluster: string | undefined;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    // The server takes its cluster down as it stops; if it was cut short, the CLI finishes the job (idempotent).
    if (cluster) spawnSync(process.execPath, ['dist/cnilab.mjs', '--cluster', cluster, 'cluster', 'down'], { stdio: 'ignore' });
  };
  let log = '';
  child.stderr!.on('data', (b: Buffer) => (log += b));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the lab server printed no URL within 120 s:\n${log}`)), 120_000);
      child.stdout!.on('data', (b: Buffer) => {
        log += b;
        const m = /listening (\S+) pid \d+ cluster (\S+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          cluster = m[2];
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`the lab server exited (${code}):\n${log}`)));
    });
    return { url, pid: child.pid!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
