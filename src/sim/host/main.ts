// The simulated kernel's programs as processes: `simkernel <program> <args…>`, installed as
// shims named ip, bridge, nsenter, ping, sysctl, nft, traceroute, nc, ss and tcpdump. The environment
// says which world and which namespace (a node's shell or a pod): see SIM_ENV.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { runTcpdump } from './tcpdump.ts';
import { SIM_ENV } from './env.ts';
import { runSimChain } from './chain.ts';
import { updateWorld, WorldFileError } from './store.ts';
import { unlisten } from '../core/tcp.ts';

/** Programs that read a script on stdin when given "-": only then is stdin consumed. */
function wantsStdin(argv: readonly string[]): boolean {
  const [cmd, ...args] = argv;
  if (cmd === 'ip' || cmd === 'bridge') return args.some((a, i) => (a === '-batch' || a === '-b') && args[i + 1] === '-');
  if (cmd === 'nft') return args.some((a, i) => (a === '-f' || a === '--file') && args[i + 1] === '-');
  return false;
}

async function main(argv: string[]): Promise<number> {
  const file = process.env[SIM_ENV.state];
  const ns = process.env[SIM_ENV.netns];
  const node = process.env[SIM_ENV.node] || undefined;
  if (!file || !ns) {
    process.stderr.write(`${argv[0]}: this is the simulated kernel's ${argv[0]}, run outside a simulated node (${SIM_ENV.state} and ${SIM_ENV.netns} are not set); open one with: cnilab shell node1\n`);
    return 2;
  }
  if (argv[0] === 'tcpdump') return runTcpdump(file, ns, argv.slice(1));
  const end = await runSimChain({ file, ns, node, argv, pid: process.pid, stdin: (a) => (wantsStdin(a) ? fs.readFileSync(0, 'utf8') : undefined) }, (r) => {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
  });
  if ('code' in end) {
    if (end.code !== 0 || argv[0] !== 'nc' || !listens(argv)) return end.code;
    // Whatever else is pending, a listener that was signalled is over.
    process.exit(await holdListener(file, `nc:${process.pid}`));
  }
  // A program of the machine's, in the namespace nsenter / ip netns exec gave it (none: a shell).
  return runElsewhere(end.exec.argv.length > 0 ? end.exec.argv : [process.env.SHELL || '/bin/sh'], end.exec.ns);
}

const listens = (argv: readonly string[]) => argv.slice(1).some((a) => /^-[a-z]*l/.test(a));

/**
 * `nc -l` listens until it is ended, as the real one does (with or without -k: the model's
 * connections do not reach the process, so it never sees the one that would end it): the socket
 * is closed when a signal ends the process.
 */
function holdListener(file: string, owner: string): Promise<number> {
  return new Promise((resolve) => {
    const keep = setInterval(() => {}, 1 << 30);
    const end = (code: number) => () => {
      clearInterval(keep);
      // A signal ends it at once, as it ends the real nc: its world may be gone already (the
      // cluster removed), so the socket's closing gets a moment, never a wait.
      const cap = setTimeout(() => resolve(code), 2000);
      updateWorld(file, (w) => unlisten(w, owner))
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(cap);
          resolve(code);
        });
    };
    process.once('SIGTERM', end(143));
    process.once('SIGINT', end(130));
    process.once('SIGHUP', end(129));
  });
}

function runElsewhere(argv: string[], ns: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: { ...process.env, [SIM_ENV.netns]: ns } });
    child.on('error', (e) => {
      process.stderr.write(`${argv[0]}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : e.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${process.argv[2] ?? 'simkernel'}: ${err instanceof WorldFileError ? err.message : (err as Error).stack}\n`);
    process.exitCode = 1;
  },
);
