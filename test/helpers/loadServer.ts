// The lab server in a process of its own, on a test cluster of its own, for the load test: the
// same startServer that `cnilab serve` runs (with a stub site: the API and terminals are what is
// loaded). Prints its URL and PID; on SIGTERM closes the server and takes the cluster down.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer } from '../../src/server/server.ts';
import { startTestCluster } from './cluster.ts';

const c = await startTestCluster('host-gw');
const site = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-site-'));
fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>SimpleCNI Lab</title>');
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  let code = 0;
  try {
    await server?.close().catch((err: Error) => console.error(`closing the server: ${err.message}`));
    await c.down();
  } catch (err) {
    console.error(`taking the cluster down: ${(err as Error).stack}`);
    code = 1;
  } finally {
    fs.rmSync(site, { recursive: true, force: true });
    process.exit(code);
  }
};
process.on('SIGTERM', () => void stop());
try {
  server = await startServer({ env: c.env, host: '127.0.0.1', port: 0, siteDir: site });
  console.log(`listening ${server.url} pid ${process.pid} cluster ${c.name}`);
} catch (err) {
  console.error((err as Error).stack);
  await stop();
}
