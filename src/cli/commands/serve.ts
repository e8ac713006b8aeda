// cnilab serve: the lab server (npm start). Brings the cluster up if it is not, serves the site,
// and prints the one URL to open.
import * as fs from 'node:fs';
import * as path from 'node:path';
import pc from 'picocolors';
import { applyDataplane } from '../../cluster/dataplane.ts';
import { BackendUnavailableError } from '../../cluster/backend.ts';
import { makeBackend } from '../../cluster/backends.ts';
import { DEFAULT_CLUSTER } from '../../cluster/netns/layout.ts';
import { startServer } from '../../server/server.ts';
import { repoRoot } from '../../shared/paths.ts';
import { openContext, type ClusterContext, type GlobalOptions } from '../context.ts';
import { cmd, fail, info, Progress, warn } from '../output.ts';

export interface ServeOptions extends GlobalOptions {
  port?: string;
  host?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function serve(opts: ServeOptions): Promise<void> {
  const t0 = performance.now();
  const ctx = await openContext(opts);
  if (!opts.backend) await warnSimWhereNetnsCould(ctx);
  const host = opts.host ?? '127.0.0.1';
  const port = Number(opts.port ?? 5177);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${opts.port} is not a port number`);
  const siteDir = path.join(repoRoot(), 'site', 'dist');
  if (!fs.existsSync(path.join(siteDir, 'index.html'))) fail('the site is not built', `run ${cmd('npm run build:site')} (npm start does it)`);
  if (!LOOPBACK.has(host)) {
    warn(`listening on ${host}: anyone who can reach this address and has the URL gets a root shell on the nodes. Use this only on a network you trust.`);
  }
  if (!ctx.backend.readState()?.complete) {
    const progress = new Progress();
    try {
      const state = await ctx.backend.up({ mode: 'host-gw', progress: progress.step });
      await applyDataplane(ctx.driver, { mode: state.state.mode });
    } catch (err) {
      progress.done();
      if (err instanceof BackendUnavailableError) fail(err.message);
      fail(`could not bring the cluster up: ${(err as Error).message}`);
    }
    progress.done();
  }
  let server;
  try {
    server = await startServer({ env: ctx, host, port, siteDir });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') fail(`port ${port} is in use`, `pick another with ${cmd('cnilab serve --port 5178')}`);
    throw err;
  }
  info(`\n  ${pc.bold('SimpleCNI Lab')} is ready (${(performance.now() - t0).toFixed(0)} ms). Open:\n\n    ${pc.cyan(pc.underline(server.url))}\n`);
  info(pc.dim(`  cluster "${ctx.backend.cluster}" (${ctx.driver.backend}) · Ctrl-C stops the server (the cluster stays up: ${cmd('cnilab cluster down')})\n`));
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * A simulated cluster left from an earlier run keeps its name; on a machine that can run real
 * namespaces (root on Linux) the student expects those, so say plainly which one this is and how to switch.
 */
async function warnSimWhereNetnsCould(ctx: ClusterContext): Promise<void> {
  if (ctx.backend.name !== 'sim' || !ctx.backend.readState()) return;
  try {
    await makeBackend('netns', ctx.topology, ctx.backend.cluster).requireSupport();
  } catch {
    return; // the sim is what this machine can run
  }
  const flag = ctx.backend.cluster === DEFAULT_CLUSTER ? '' : ` --cluster ${ctx.backend.cluster}`;
  warn(
    `the cluster "${ctx.backend.cluster}" already exists on the SIMULATED kernel (made earlier with --backend sim), so this server uses it, not real network namespaces.\n` +
      `  To switch to namespaces (you are root, so this machine can): ${cmd(`cnilab cluster down${flag} --backend sim`)}, then ${cmd('npm start')} again.\n` +
      `  To keep the simulated one and not see this: ${cmd('npm start -- --backend sim')}.`,
  );
}
