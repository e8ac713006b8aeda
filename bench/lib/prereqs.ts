// Before the benchmark: root, the tools it needs (installing Debian packages when root), and a
// fresh build of the plugin bundle.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REF_BRIDGE = '/usr/lib/cni/bridge';
export const REF_HOST_LOCAL = '/usr/lib/cni/host-local';

/** A file the benchmark needs, and the Debian package that provides it. */
interface Need {
  file: string;
  pkg: string;
}

const NEEDS: Need[] = [
  { file: REF_BRIDGE, pkg: 'containernetworking-plugins' },
  { file: REF_HOST_LOCAL, pkg: 'containernetworking-plugins' },
  { file: 'ip', pkg: 'iproute2' },
  { file: 'nsenter', pkg: 'util-linux' },
  { file: 'unshare', pkg: 'util-linux' },
  { file: 'umount', pkg: 'mount' },
];

const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** The PATH given to both plugins: fixed, so neither depends on the caller's shell. */
export const JOB_PATH = PATH_DIRS.join(':');

function present(file: string): boolean {
  if (file.startsWith('/')) return fs.existsSync(file);
  return PATH_DIRS.some((d) => fs.existsSync(path.join(d, file)));
}

const missingPackages = () => [...new Set(NEEDS.filter((n) => !present(n.file)).map((n) => n.pkg))];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function apt(args: string[]): { ok: boolean; locked: boolean; output: string } {
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=30', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`;
  return { ok: r.status === 0, locked: /Could not get lock|Unable to acquire|Unable to lock|is another process using it/i.test(output), output };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Makes sure the reference plugins, iproute2 and util-linux are installed. As root, installs
 * what is missing with apt-get (waiting out a busy dpkg lock: someone else may be installing);
 * otherwise fails naming the packages.
 */
export async function ensurePackages(log: (msg: string) => void): Promise<void> {
  let missing = missingPackages();
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(`missing packages: ${missing.join(' ')}; install them with: sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  }
  log(`installing ${missing.join(' ')} (apt-get)…`);
  let last = '';
  for (let attempt = 1; attempt <= 6; attempt++) {
    const update = apt(['update']);
    const install = update.ok || !update.locked ? apt(['install', '-y', '--no-install-recommends', ...missing]) : update;
    missing = missingPackages();
    if (missing.length === 0) return; // installed, by us or by whoever held the lock
    last = install.output;
    if (!install.locked && !update.locked) break;
    log(`  dpkg/apt lock busy (attempt ${attempt}/6), retrying in 5 s…`);
    await sleep(5000);
  }
  const tail = last.trim().split('\n').slice(-8).join('\n');
  throw new Error(`could not install ${missing.join(' ')} with apt-get:\n${tail}\nInstall them by hand: apt-get install -y --no-install-recommends ${missing.join(' ')}`);
}

/**
 * Builds dist/simplecni.cjs with the repo's build script; if that fails (other parts of the
 * repo mid-edit), bundles just the plugin with esbuild. Returns the bundle's absolute path.
 */
export function buildPlugin(repo: string, log: (msg: string) => void): string {
  const bundle = path.join(repo, 'dist', 'simplecni.cjs');
  const full = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, encoding: 'utf8' });
  if (full.status === 0) return bundle;
  log(`scripts/build.mjs failed; building only the plugin:\n${`${full.stderr ?? ''}`.trim().split('\n').slice(0, 6).join('\n')}`);
  const esbuild = spawnSync(
    'npx',
    ['--no-install', 'esbuild', 'src/plugin/bin.ts', '--bundle', '--platform=node', '--format=cjs', '--target=node18', '--minify', `--outfile=${bundle}`],
    { cwd: repo, encoding: 'utf8' },
  );
  if (esbuild.status !== 0) throw new Error(`could not build the plugin: ${`${esbuild.stderr ?? ''}`.trim()}`);
  return bundle;
}
