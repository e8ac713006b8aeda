// Starts the real lab server the way `npm start` does (the built CLI: cluster up, then serve) on a
// cluster of its own, and hands its URL to the tests. Stops it (by its PID), removes the cluster,
// then audits that nothing of the cluster is left (test/helpers/leakAudit.ts), loudly.
import { spawnSync } from 'node:child_process';
import { startServeProcess } from '../helpers/serve.ts';
import { auditLeftovers } from '../helpers/leakAudit.ts';
import * as fs from 'node:fs';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!fs.existsSync('site/dist/index.html')) throw new Error('site/dist is missing: run `npm run build:site` (npm test does it)');
  const cluster = `sce${Math.random().toString(36).slice(2, 6)}`;
  const progress = `/tmp/${cluster}-progress.json`;
  // A fresh HOME: the workstation terminal runs the user's own shell, and the machine's ~/.bashrc
  // (which may wait a minute on a pyenv lock) is not what these tests are about.
  const home = `/tmp/${cluster}-home`;
  fs.mkdirSync(home);
  const server = await startServeProcess(cluster, { SIMPLECNI_PROGRESS: progress, SIMPLECNI_WORKSPACE: `/tmp/${cluster}-workspace`, HOME: home });
  const url = server.url;
  process.env.CNILAB_URL = url;
  process.env.CNILAB_CLUSTER = cluster;
  return async () => {
    await server.stop();
    const down = spawnSync(process.execPath, ['dist/cnilab.mjs', '--cluster', cluster, 'cluster', 'down'], { encoding: 'utf8' });
    fs.rmSync(progress, { force: true });
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(`/tmp/${cluster}-workspace`, { recursive: true, force: true });
    if (down.status !== 0) throw new Error(`cnilab cluster down ${cluster} failed: ${down.stderr}`);
    auditLeftovers([cluster], 'the browser tests');
  };
}
