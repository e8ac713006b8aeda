// The timing driver: runs INSIDE the benchmark's node netns (started by DriverClient.start via
// `nsenter --net=<node>`), so the plugins it spawns configure that netns and never the machine's.
//   argv: <node netns path> <the benchmark's own netns id, e.g. net:[4026531840]>
//   stdin: one BatchRequest per line; stdout: one BatchResponse per line.
// It refuses to start unless it is in the node netns. Closing stdin, SIGTERM or SIGINT kill
// whatever it is running and end it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { BatchRequest, BatchResponse, DriverFatal, DriverHello, Job, JobResult } from './jobs.ts';

const running = new Set<ChildProcess>();

function say(msg: BatchResponse | DriverHello | DriverFatal) {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

function stopAll(code: number): never {
  for (const c of running) c.kill('SIGKILL'); // only the jobs this driver started
  process.exit(code);
}

/**
 * Starts one job and hands it its config on stdin the way a runtime's exec does: write it, then
 * close the pipe at once, so the plugin finds the config and EOF as soon as it reads.
 */
function startJob(job: Job, timeoutMs: number): Promise<JobResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let timedOut = false;
  const t0 = performance.now();
  const child = spawn(job.argv[0]!, job.argv.slice(1), { env: job.env, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const done = new Promise<JobResult>((resolve) => {
    const finish = (code: number | null, signal: string | null, extra = '') => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      running.delete(child);
      resolve({ ms, code, signal, timedOut, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() + extra });
    };
    child.on('error', (e) => finish(127, null, `could not run ${job.argv[0]}: ${e.message}`));
    child.on('close', (code, signal) => finish(code, signal));
  });
  child.stdin.on('error', () => {}); // a plugin may exit without reading its config
  // A config fits the pipe buffer, so the write completes synchronously and destroy() closes the
  // fd right away. end() alone would send EOF only on a later event-loop turn: after every other
  // spawn of a concurrent batch, which a plugin reading stdin non-blockingly sees as EAGAIN.
  child.stdin.write(job.stdin);
  if (child.stdin.writableLength === 0) child.stdin.destroy();
  else child.stdin.end();
  return done;
}

/**
 * Starts all jobs at once: back to back, only yielding to the event loop between spawns (under
 * load one spawn can take tens of ms, and a signal must not wait for a hundred of them).
 * Wall time is from the first spawn to the last exit.
 */
async function runBatch(req: BatchRequest): Promise<BatchResponse> {
  const t0 = performance.now();
  const done: Promise<JobResult>[] = [];
  for (const job of req.jobs) {
    done.push(startJob(job, req.timeoutMs));
    if (req.jobs.length > 1) await new Promise((r) => setImmediate(r));
  }
  const results = await Promise.all(done);
  return { id: req.id, wallMs: performance.now() - t0, results };
}

function main() {
  const [nodeNetnsPath, hostNs] = process.argv.slice(2);
  if (!nodeNetnsPath || !hostNs) {
    say({ fatal: 'usage: driver.ts <node netns path> <host netns id>' });
    process.exit(2);
  }
  const self = fs.readlinkSync('/proc/self/ns/net');
  const node = `net:[${fs.statSync(nodeNetnsPath).ino}]`;
  if (self !== node || self === hostNs) {
    say({ fatal: `driver is in ${self}, not in the node netns ${node} (host is ${hostNs})` });
    process.exit(3);
  }
  process.on('SIGTERM', () => stopAll(143));
  process.on('SIGINT', () => stopAll(130));

  const lines = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    const req = JSON.parse(line) as BatchRequest;
    queue = queue.then(async () => say(await runBatch(req)));
  });
  lines.on('close', () => stopAll(0));
  say({ ready: true, netns: self, pid: process.pid });
}

main();
