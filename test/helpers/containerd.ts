// A private containerd daemon for integration tests.
//
// Why private: tests must never touch a system containerd (its images, its
// containers, its /etc/containerd/config.toml or its CRI plugin). So each test
// suite starts its own `containerd` process with its own config.toml whose
// root, state, grpc, ttrpc and debug sockets all live under one test directory,
// with the CRI plugin disabled (as in /work/shared/reference/real-clients.md 3b).
// The daemon is spawned directly (not through systemd: Debian's package does not
// start the service anyway) and stop() ends it by its PID only.
//
// What containerd 1.6 / runc still put outside `dir` (none of it clashes with a
// system daemon; all of it is per-container and removed when the container goes):
//  - shim sockets /run/containerd/s/<sha256(our address, ns, id)> (path hard-coded),
//  - ctr's I/O FIFOs in /run/containerd/fifo (`ctr run --fifo-dir <dir>` avoids it),
//  - runc state in /run/containerd/runc/<ns> (`ctr run --runc-root <dir>` avoids it),
//  - cgroups /sys/fs/cgroup/<controller>/<ns>/<id> (cgroupfs driver, ctr's default).
// stop() removes the *empty* parents of these (/run/containerd/..., the <ns> cgroups)
// only if they did not exist when this daemon started, so it never removes
// anything a system containerd owns.
//
// Machine notes (Debian 12, containerd 1.6.20, runc 1.1.5, cgroup v1 + hybrid
// "unified", no CAP_SYS_RESOURCE, hard RLIMIT_NOFILE 20000): `ctr run` needed no
// workaround. containerd's default spec only *lowers* RLIMIT_NOFILE (1024), which
// is allowed, so podman's setrlimit failure (real-clients.md 3a) does not occur, and
// runc copes with the hybrid cgroup layout that breaks crun.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { privateContainerdConfig } from '../../src/cluster/containerd/config.ts';
import { isStaticElf } from './ociImage.ts';

export interface CtrResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CtrOptions {
  /**
   * Run ctr inside this network namespace. A bare name uses `ip netns exec <name>`
   * (which also bind-mounts /etc/netns/<name>/* over /etc, so ctr's CNI loader
   * reads that node's /etc/cni/net.d). A path (containing '/') uses
   * `nsenter --net=<path>` instead (no /etc remapping).
   */
  netns?: string;
  /** Extra environment for ctr, merged over process.env. */
  env?: NodeJS.ProcessEnv;
  /** Kill ctr (SIGKILL, by PID) after this long. Default 60 s. */
  timeoutMs?: number;
}

export interface Containerd {
  /** Path of the private grpc socket (pass as `ctr --address`). */
  address: string;
  /** The directory everything lives under. */
  dir: string;
  /** Runs `ctr --address <address> ...args` (optionally inside a netns). Never throws for a non-zero exit. */
  ctr(args: string[], opts?: CtrOptions): Promise<CtrResult>;
  /** Stops the daemon (by PID), kills shims it left, unmounts everything under `dir`. Idempotent. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs a command, collects output; resolves (never rejects) unless the binary cannot be spawned. */
function runCommand(
  argv: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<CtrResult> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    if (!cmd) return reject(new Error('runCommand: empty argv'));
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const timer =
      opts.timeoutMs && opts.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            // Only the child we spawned, by its PID.
            if (child.pid !== undefined) {
              try {
                process.kill(child.pid, 'SIGKILL');
              } catch {
                /* already gone */
              }
            }
          }, opts.timeoutMs)
        : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`cannot run ${argv.join(' ')}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) stderr += `\n[killed after ${opts.timeoutMs} ms timeout: ${argv.join(' ')}]`;
      const rc = code ?? (signal ? 128 + (signalNumbers[signal] ?? 0) : -1);
      resolve({ code: rc, stdout, stderr });
    });
  });
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

// ---------------------------------------------------------------------------
// Packages

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':'), ...SBIN_DIRS];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function resolveBinary(name: string): string {
  return findExecutable(name) ?? name;
}

const APT_PACKAGES = ['containerd', 'runc', 'busybox-static'] as const;
const INSTALL_HINT = `apt-get install -y --no-install-recommends ${APT_PACKAGES.join(' ')}`;

function missingPrerequisites(): string[] {
  const missing: string[] = [];
  for (const bin of ['containerd', 'ctr', 'containerd-shim-runc-v2', 'runc']) {
    if (!findExecutable(bin)) missing.push(bin);
  }
  // busybox-static provides /bin/busybox (the dynamic `busybox` package would not
  // work inside a rootfs that has no libc).
  if (!isStaticElf('/bin/busybox')) missing.push('/bin/busybox (static)');
  return missing;
}

const APT_LOCK_RE = /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock|is another process using it|dpkg was interrupted|lock-frontend/i;

async function aptGet(args: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // DPkg::Lock::Timeout makes apt itself wait for the dpkg lock; the loop also
  // covers the lists lock of `apt-get update` and a lock taken between our calls
  // by another process installing packages at the same time.
  const argv = ['apt-get', '-o', 'DPkg::Lock::Timeout=60', ...args];
  const attempts = 10;
  let last: CtrResult | undefined;
  for (let i = 1; i <= attempts; i++) {
    last = await runCommand(argv, { env, timeoutMs: 10 * 60_000 });
    if (last.code === 0) return;
    if (!APT_LOCK_RE.test(last.stderr + last.stdout) || i === attempts) break;
    await sleep(3000);
  }
  throw new Error(
    `${argv.join(' ')} failed (exit ${last?.code}):\n${tail(last?.stderr || last?.stdout || '', 20)}\n` +
      `Install the prerequisites by hand: ${INSTALL_HINT}`,
  );
}

let ensurePromise: Promise<void> | undefined;

/**
 * Makes sure containerd, ctr, runc and busybox-static's /bin/busybox are installed,
 * installing the Debian packages if needed (apt-get update runs at most once per process).
 * Concurrent callers share one installation.
 */
export async function ensureContainerdPackages(): Promise<void> {
  if (missingPrerequisites().length === 0) return;
  ensurePromise ??= (async () => {
    const missing = missingPrerequisites();
    if (missing.length === 0) return;
    if (process.getuid?.() !== 0) {
      throw new Error(
        `missing ${missing.join(', ')}; installing needs root. Run as root: ${INSTALL_HINT}`,
      );
    }
    await aptGet(['update']);
    await aptGet(['install', '-y', '--no-install-recommends', ...APT_PACKAGES]);
    const still = missingPrerequisites();
    if (still.length > 0) {
      throw new Error(`still missing after apt-get install: ${still.join(', ')}. Try: ${INSTALL_HINT}`);
    }
  })();
  try {
    await ensurePromise;
  } catch (err) {
    ensurePromise = undefined; // allow a retry later
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Daemon

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function readTail(file: string, lines: number): string {
  try {
    return tail(fs.readFileSync(file, 'utf8'), lines);
  } catch (err) {
    return `(cannot read ${file}: ${(err as Error).message})`;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); treat it as gone.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Starts a private containerd whose config, state and sockets are all under `dir`
 * (created if needed). Resolves once `ctr version` answers on the socket.
 */
export async function startContainerd(dir: string): Promise<Containerd> {
  await fsp.mkdir(dir, { recursive: true });
  dir = await fsp.realpath(dir);
  const address = path.join(dir, 'containerd.sock');
  if (Buffer.byteLength(`${address}.ttrpc`) > MAX_SOCKET_PATH) {
    throw new Error(`containerd socket path too long for a unix socket (max ${MAX_SOCKET_PATH} bytes): ${address}.ttrpc — use a shorter dir`);
  }
  const preexisting = snapshotGlobalDirs();
  const configPath = path.join(dir, 'config.toml');
  const logPath = path.join(dir, 'containerd.log');
  const config = privateContainerdConfig(dir, address);
  await fsp.writeFile(configPath, config);

  const containerdBin = findExecutable('containerd');
  const ctrBin = findExecutable('ctr');
  if (!containerdBin || !ctrBin) {
    throw new Error(`containerd/ctr not found; call ensureContainerdPackages() or run: ${INSTALL_HINT}`);
  }

  const logFd = fs.openSync(logPath, 'a');
  let child;
  try {
    child = spawn(containerdBin, ['--config', configPath], {
      stdio: ['ignore', logFd, logFd],
      // Same process group as the test runner, so a Ctrl-C also reaches it.
      detached: false,
      env: { ...process.env, CONTAINERD_ADDRESS: address },
    });
  } finally {
    fs.closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`failed to spawn ${containerdBin}: ${readTail(logPath, 20)}`);
  }
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.once('error', () => {
      exited ??= { code: -1, signal: null };
      resolve();
    });
  });
  // Don't keep the event loop alive just for the daemon, but never leak it past our exit.
  child.unref();
  const onExit = () => {
    if (!exited) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.once('exit', onExit);

  const ctr = (args: string[], opts: CtrOptions = {}): Promise<CtrResult> => {
    const base = [ctrBin, '--address', address, ...args];
    let argv = base;
    if (opts.netns) {
      argv = opts.netns.includes('/')
        ? [resolveBinary('nsenter'), `--net=${opts.netns}`, ...base]
        : [resolveBinary('ip'), 'netns', 'exec', opts.netns, ...base];
    }
    return runCommand(argv, { env: { ...process.env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 60_000 });
  };

  // Wait until the socket answers.
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastErr = '';
  for (;;) {
    if (exited) {
      process.removeListener('exit', onExit);
      throw new Error(
        `containerd exited during startup (code ${exited.code}, signal ${exited.signal}); tail of ${logPath}:\n${readTail(logPath, 30)}`,
      );
    }
    if (fs.existsSync(address)) {
      const r = await ctr(['version'], { timeoutMs: 2000 });
      if (r.code === 0 && /Server:/.test(r.stdout)) break;
      lastErr = (r.stderr || r.stdout).trim();
    }
    if (Date.now() > deadline) {
      const logTail = readTail(logPath, 30);
      await killPid(pid, exitPromise, () => exited !== undefined);
      process.removeListener('exit', onExit);
      await unmountUnder(dir).catch(() => undefined);
      throw new Error(
        `containerd did not answer on ${address} within ${START_TIMEOUT_MS / 1000} s` +
          `${lastErr ? ` (last ctr error: ${lastErr})` : ''}; tail of ${logPath}:\n${logTail}`,
      );
    }
    await sleep(50);
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const shims = findOwnShims(address);
      const namespaces = exited ? ['default'] : await cleanupTasks(ctr);
      await killPid(pid, exitPromise, () => exited !== undefined);
      process.removeListener('exit', onExit);
      await killOwnShims(address, shims);
      await unmountUnder(dir);
      removeEmptyGlobalDirs(preexisting, namespaces);
    })();
    return stopping;
  };

  return { address, dir, ctr, stop };
}

/**
 * Kills and deletes any task still known to *our* daemon, so shims exit and rootfs
 * mounts go away. Returns the daemon's namespaces.
 */
async function cleanupTasks(ctr: Containerd['ctr']): Promise<string[]> {
  const t = { timeoutMs: 10_000 };
  const nsList = await ctr(['namespaces', 'ls', '-q'], t).catch(() => undefined);
  if (!nsList || nsList.code !== 0) return ['default'];
  const namespaces = nsList.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  for (const ns of namespaces) {
    const tasks = await ctr(['-n', ns, 'tasks', 'ls', '-q'], t).catch(() => undefined);
    for (const id of (tasks?.code === 0 ? tasks.stdout : '').split('\n').map((s) => s.trim()).filter(Boolean)) {
      await ctr(['-n', ns, 'tasks', 'kill', '-a', '-s', 'SIGKILL', id], t).catch(() => undefined);
      await ctr(['-n', ns, 'tasks', 'delete', '-f', id], t).catch(() => undefined);
    }
    const ctrs = await ctr(['-n', ns, 'containers', 'ls', '-q'], t).catch(() => undefined);
    for (const id of (ctrs?.code === 0 ? ctrs.stdout : '').split('\n').map((s) => s.trim()).filter(Boolean)) {
      await ctr(['-n', ns, 'containers', 'delete', id], t).catch(() => undefined);
    }
  }
  return namespaces.includes('default') ? namespaces : [...namespaces, 'default'];
}

const RUN_DIR = '/run/containerd';
const CGROUP_ROOT = '/sys/fs/cgroup';
const CGROUP_MAGICS = new Set([0x27e0eb /* cgroup v1 */, 0x63677270 /* cgroup2 */]);

/** cgroup hierarchies to look in: /sys/fs/cgroup itself (v2) and its subdirs (v1 controllers, hybrid "unified"). */
function cgroupHierarchies(): string[] {
  const out = [CGROUP_ROOT];
  try {
    for (const e of fs.readdirSync(CGROUP_ROOT, { withFileTypes: true })) {
      if (e.isDirectory()) out.push(path.join(CGROUP_ROOT, e.name));
    }
  } catch {
    /* no cgroupfs */
  }
  return out;
}

interface GlobalDirsSnapshot {
  runDirExisted: boolean;
  /** Every path /sys/fs/cgroup/<h>/<entry> that existed at start. */
  cgroupEntries: Set<string>;
}

function snapshotGlobalDirs(): GlobalDirsSnapshot {
  const cgroupEntries = new Set<string>();
  for (const h of cgroupHierarchies()) {
    try {
      for (const e of fs.readdirSync(h)) cgroupEntries.add(path.join(h, e));
    } catch {
      /* ignore */
    }
  }
  return { runDirExisted: fs.existsSync(RUN_DIR), cgroupEntries };
}

/** rmdir only: fails harmlessly (ENOTEMPTY/EBUSY) if anything is still inside. */
function rmdirQuiet(p: string): void {
  try {
    fs.rmdirSync(p);
  } catch {
    /* not empty, busy or gone */
  }
}

function removeEmptyGlobalDirs(before: GlobalDirsSnapshot, namespaces: string[]): void {
  for (const h of cgroupHierarchies()) {
    for (const ns of namespaces) {
      const cg = path.join(h, ns);
      if (before.cgroupEntries.has(cg)) continue;
      try {
        if (!CGROUP_MAGICS.has(Number(fs.statfsSync(cg).type))) continue;
      } catch {
        continue;
      }
      rmdirQuiet(cg);
    }
  }
  if (!before.runDirExisted) {
    for (const ns of namespaces) rmdirQuiet(path.join(RUN_DIR, 'runc', ns));
    for (const d of ['runc', 'fifo', 's', '']) rmdirQuiet(path.join(RUN_DIR, d));
  }
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; waits for the exit. Only the given PID. */
async function killPid(pid: number, exitPromise: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const timedOut = await Promise.race([exitPromise.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
  if (timedOut && !hasExited()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await Promise.race([exitPromise, sleep(STOP_TIMEOUT_MS)]);
  }
}

/**
 * Shims started by our daemon outlive it by design. We identify ours exactly by
 * their command line (`containerd-shim-runc-v2 ... -address <our private socket>`);
 * the socket path is unique to this test dir, so this never matches anything else.
 */
function findOwnShims(address: string): number[] {
  const pids: number[] = [];
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${ent}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!/containerd-shim/.test(argv[0] ?? '')) continue;
    const i = argv.indexOf('-address');
    if (i >= 0 && argv[i + 1] === address && isAlive(Number(ent))) pids.push(Number(ent));
  }
  return pids;
}

async function killOwnShims(address: string, seenBefore: number[] = []): Promise<void> {
  // Shims of deleted tasks exit by themselves; give them a moment first.
  const graceDeadline = Date.now() + 2000;
  while (seenBefore.some(isAlive) && Date.now() < graceDeadline) await sleep(25);
  const find = () => findOwnShims(address);
  let pids = find();
  if (pids.length === 0) return;
  // Still there: kill them (each re-identified by its command line just above).
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while ((pids = find()).length > 0 && Date.now() < deadline) await sleep(50);
}

/** Decodes mountinfo's octal escapes (\040 for space etc.). */
const unescapeMount = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Mount points at or under `dir`, deepest first (later = stacked on top, so also first). */
export function mountsUnder(dir: string): string[] {
  const lines = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const found: { mp: string; order: number }[] = [];
  lines.forEach((line, order) => {
    const mpField = line.split(' ')[4];
    if (!mpField) return;
    const mp = unescapeMount(mpField);
    if (mp === dir || mp.startsWith(dir + '/')) found.push({ mp, order });
  });
  found.sort((a, b) => b.mp.split('/').length - a.mp.split('/').length || b.order - a.order);
  return found.map((f) => f.mp);
}

async function unmountUnder(dir: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const mps = mountsUnder(dir);
    if (mps.length === 0) return;
    for (const mp of mps) {
      const r = await runCommand([resolveBinary('umount'), mp], { timeoutMs: 10_000 });
      if (r.code !== 0) await runCommand([resolveBinary('umount'), '-l', mp], { timeoutMs: 10_000 });
    }
  }
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`could not unmount under ${dir}: ${left.join(', ')}`);
}
