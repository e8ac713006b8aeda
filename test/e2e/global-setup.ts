// Starts the real lab server the way `npm start` does (the built CLI: cluster up, then serve) on a
// cluster of its own, and hands its URL to the tests. Stops it (by its PID) and removes the cluster after.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!fs.existsSync('site/dist/index.html')) throw new Error('site/dist is missing: run `npm run build:site` (npm test does it)');
  const cluster = `sce${Math.random().toString(36).slice(2, 6)}`;
  const progress = `/tmp/${cluster}-progress.json`;
  const child = spawn(process.execPath, ['dist/cnilab.mjs', '--cluster', cluster, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', SIMPLECNI_PROGRESS: progress, SIMPLECNI_WORKSPACE: `/tmp/${cluster}-workspace` },
  });
  let log = '';
  child.stderr.on('data', (b: Buffer) => (log += b));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the lab server printed no URL within 60 s:\n${log}`)), 60_000);
    child.stdout.on('data', (b: Buffer) => {
      log += b;
      const m = /(http:\/\/\S+#token=\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`cnilab serve exited (${code}):\n${log}`)));
  });
  process.env.CNILAB_URL = url;
  process.env.CNILAB_CLUSTER = cluster;
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    spawnSync(process.execPath, ['dist/cnilab.mjs', '--cluster', cluster, 'cluster', 'down'], { stdio: 'ignore' });
    fs.rmSync(progress, { force: true });
    fs.rmSync(`/tmp/${cluster}-workspace`, { recursive: true, force: true });
  };
}
