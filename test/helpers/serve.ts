// `cnilab serve` run the way `npm start` runs it (the built CLI, its own cluster), waiting for the
// URL it prints. Used by the browser tests and the site benchmark. `stop` ends it by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { descendants } from './rawHttp.ts';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

export async function startServeProcess(cluster: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['dist/cnilab.mjs', '--cluster', cluster, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    // A server that does not stop (a shell holding it) is killed, with what it started, so a broken
    // server fails its tests instead of hanging the run.
    const timer = setTimeout(() => {
      for (const pid of [...descendants(child.pid!), child.pid!]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
  };
  let log = '';
  child.stderr!.on('data', (b: Buffer) => (log += b));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cnilab serve printed no URL within 60 s:\n${log}`)), 60_000);
      child.stdout!.on('data', (b: Buffer) => {
        log += b;
        const m = /(http:\/\/\S+#token=\S+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`cnilab serve exited (${code}):\n${log}`)));
    });
    return { child, url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
