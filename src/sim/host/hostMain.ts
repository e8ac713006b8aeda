// The plugin host of simulated nodes, one file (dist/simhost.cjs) with two uses:
//  - a worker thread of the sim driver's pool: runs one bundled program at a time for it;
//  - the launcher in a sim node's plugin shims (`simhost <bundle.cjs> args…`), so a program started
//    from a node's shell gets the node's simulated kernel too, with the environment saying where.
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import { isMainThread, parentPort } from 'node:worker_threads';
import type { HostedProcess } from '../../host/runBundle.ts';
import { HOST_PID_BASE, hostPidAlive, type WorkerReady, type WorkerReply, type WorkerRequest } from '../../host/node/workerPool.ts';
import { SIM_ENV } from './env.ts';
import { processAlive, startOnSimNode, type SimProgramJob } from './plugins.ts';

let current: HostedProcess | undefined;

// A rejection or exception the program left unhandled ends it as Node would end the process.
process.on('unhandledRejection', (reason) => current?.reportUnhandledRejection(reason));

function serveWorker() {
  const port = parentPort!;
  // Loaded: the pool may count this worker as started (its id 0 answers no run).
  port.postMessage({ id: 0, ready: true } satisfies WorkerReady);
  process.on('uncaughtException', (err) => {
    if (current) current.reportUnhandledRejection(err);
    else throw err;
  });
  port.on('message', async (req: WorkerRequest<SimProgramJob>) => {
    let reply: WorkerReply;
    try {
      const isAlive = (pid: number) => (pid >= HOST_PID_BASE ? hostPidAlive(req.alive, pid) : processAlive(pid));
      current = startOnSimNode(req.job, { pid: req.pid, isAlive, blocking: true });
      reply = { id: req.id, result: await current.result };
    } catch (err) {
      reply = { id: req.id, error: (err as Error).message };
    } finally {
      current = undefined;
    }
    port.postMessage(reply);
  });
}

/** Standard input as a plugin's entry reads it: a blocking pipe at once; a non-blocking one as a stream. */
async function readStdin(): Promise<string> {
  if (isatty(0)) return '';
  try {
    return fs.readFileSync(0, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return '';
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}

async function launch(args: string[]): Promise<number> {
  const [bundle, ...argv] = args;
  const file = process.env[SIM_ENV.state];
  const ns = process.env[SIM_ENV.netns];
  if (!bundle) {
    process.stderr.write('usage: simhost <bundle.cjs> [args…]: runs a bundled program on the simulated node the environment names\n');
    return 2;
  }
  if (!file || !ns) {
    process.stderr.write(`${bundle}: this program runs on a simulated node, and this is not one (${SIM_ENV.state} and ${SIM_ENV.netns} are not set); open one with: cnilab shell node1\n`);
    return 2;
  }
  const job: SimProgramJob = { bundle, argv, env: process.env as Record<string, string>, stdin: await readStdin(), file, ns, node: process.env[SIM_ENV.node] || undefined };
  current = startOnSimNode(job, {
    pid: process.pid,
    blocking: true,
    isAlive: (pid) => pid < HOST_PID_BASE && processAlive(pid),
    onStdout: (t) => process.stdout.write(t),
    onStderr: (t) => process.stderr.write(t),
  });
  return (await current.result).code;
}

if (!isMainThread) serveWorker();
else
  void launch(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`simhost: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
