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
import { findRunningServer, portHolder, readServerRecord, removeServerRecord, serverFile, writeServerRecord } from '../../server/serverFile.ts';
import { repoRoot } from '../../shared/paths.ts';
import { openContext, type ClusterContext, type GlobalOptions } from '../context.ts';
import { cliT, cliErr } from '../lang.ts';
import { cmd, fail, info, Progress, warn } from '../output.ts';

export interface ServeOptions extends GlobalOptions {
  port?: string;
  host?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function serve(opts: ServeOptions): Promise<void> {
  const t0 = performance.now();
  const ctx = await openContext(opts);
  const cluster = ctx.backend.cluster;
  // Already serving this cluster (a lost URL, a closed terminal): its URL again, not a busy port.
  const running = await findRunningServer(cluster);
  if (running) {
    info(`\n  ${cliT('cli.serve.already', { name: pc.bold('SimpleCNI Lab'), cluster, pid: running.pid })}\n\n    ${pc.cyan(pc.underline(running.url))}\n`);
    info(pc.dim(`  ${cliT('cli.serve.toStop', { pid: running.pid })}\n`));
    return;
  }
  if (!opts.backend) await warnSimWhereNetnsCould(ctx);
  const host = opts.host;
  const port = Number(opts.port ?? 5177);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(cliT('cli.serve.badPort', { port: opts.port ?? '' }));
  // SIMPLECNI_SITE_DIR serves another build of the site (tests serve a small one of their own).
  const siteDir = process.env.SIMPLECNI_SITE_DIR || path.join(repoRoot(), 'site', 'dist');
  if (!fs.existsSync(path.join(siteDir, 'index.html'))) fail(cliT('cli.serve.notBuilt'), cliT('cli.serve.notBuiltHint', { command: cmd('npm run build:site') }));
  if (host !== undefined && !LOOPBACK.has(host)) {
    warn(cliT('cli.serve.exposed', { host }));
  }
  if (!ctx.backend.readState()?.complete) {
    const progress = new Progress();
    try {
      const state = await ctx.backend.up({ mode: 'host-gw', progress: progress.step });
      await applyDataplane(ctx.driver, { mode: state.state.mode });
    } catch (err) {
      progress.done();
      if (err instanceof BackendUnavailableError) fail(cliErr(err));
      fail(cliT('cli.serve.upFailed', { error: cliErr(err) }));
    }
    progress.done();
  }
  // Not awaited: the site is up at once; the first Check comes seconds later. A host that cannot
  // start is not the server's end: the run that needs it says why.
  void ctx.driver.prepare?.().catch(() => undefined);
  let server;
  try {
    server = await startServer({ env: ctx, port, siteDir, ...(host === undefined ? {} : { host }) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') fail(cliT('cli.serve.portInUse', { port, holder: describeHolder(port) }), cliT('cli.serve.pickAnother', { command: cmd(`cnilab serve --port ${port === 5178 ? 5179 : 5178}`) }));
    throw err;
  }
  try {
    writeServerRecord({ pid: process.pid, cluster, port: server.port, url: server.url, startedAt: new Date().toISOString() });
  } catch (err) {
    warn(cliT('cli.serve.noRecord', { file: serverFile(cluster), error: cliErr(err) }));
  }
  process.once('exit', () => removeServerRecord(cluster));
  info(`\n  ${cliT('cli.serve.ready', { name: pc.bold('SimpleCNI Lab'), ms: (performance.now() - t0).toFixed(0) })}\n\n    ${pc.cyan(pc.underline(server.url))}\n`);
  info(pc.dim(`  ${cliT('cli.serve.stops', { cluster: ctx.backend.cluster, backend: ctx.driver.backend, command: cmd('cnilab cluster down') })}\n`));
  await new Promise<void>((resolve) => {
    // Ends every shell still open (one that ignores SIGHUP too), then the server.
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
  });
  removeServerRecord(cluster);
}

/** "another program (pid 812: python3 -m http.server)", or the lab server of another cluster. */
function describeHolder(port: number): string {
  const holder = portHolder(port);
  if (!holder) return cliT('cli.serve.holderUnseen');
  const dir = path.dirname(serverFile('lab'));
  let kit: string | undefined;
  try {
    for (const f of fs.readdirSync(dir).filter((n) => /^serve-.+\.json$/.test(n))) {
      const r = readServerRecord(f.slice('serve-'.length, -'.json'.length));
      if (r?.pid === holder.pid) kit = r.cluster;
    }
  } catch {
    // no records
  }
  if (kit) return cliT('cli.serve.holderKit', { cluster: kit, pid: holder.pid });
  if (/cnilab(\.mjs)?\b.*\bserve\b/.test(holder.command)) return cliT('cli.serve.holderOtherKit', { pid: holder.pid, command: holder.command });
  return cliT('cli.serve.holderOther', { pid: holder.pid, command: holder.command || cliT('cli.serve.unknownCommand') });
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
    `${cliT('cli.serve.simHere', { cluster: ctx.backend.cluster })}\n` +
      `  ${cliT('cli.serve.simSwitch', { down: cmd(`cnilab cluster down${flag} --backend sim`), start: cmd('npm start') })}\n` +
      `  ${cliT('cli.serve.simKeep', { command: cmd('npm start -- --backend sim') })}`,
  );
}
