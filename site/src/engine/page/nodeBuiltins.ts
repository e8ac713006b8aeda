// What `node:fs`, `node:path`… resolve to in the static site's build. The page engine imports
// platform-free modules of the kit, some of which sit beside Node-only code (loading a file from
// disk, spawning a process) in the same module; those parts are never called in the tab. If one
// is, it fails with this message instead of doing something else.
const unavailable = (what: string) => () => {
  throw new Error(`${what} is not available in the browser tab (a Node.js-only part of the kit was called by the page engine)`);
};

// node:path — the POSIX subset the runtime uses to name files on a node.
export const sep = '/';
export const delimiter = ':';
export function join(...parts: string[]): string {
  return normalize(parts.filter(Boolean).join('/'));
}
export function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (!s || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return (abs ? '/' : '') + out.join('/') || (abs ? '/' : '.');
}
export const resolve = (...parts: string[]): string => normalize(parts.reduce((a, p) => (p.startsWith('/') ? p : `${a}/${p}`), '/'));
export const dirname = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) || '/' : '.');
export const basename = (p: string, ext?: string): string => {
  const b = p.slice(p.lastIndexOf('/') + 1);
  return ext && b.endsWith(ext) ? b.slice(0, -ext.length) : b;
};
export const extname = (p: string): string => /\.[^./]*$/.exec(basename(p))?.[0] ?? '';
export const isAbsolute = (p: string): boolean => p.startsWith('/');
export const relative = unavailable('path.relative');
export const posix = { sep, delimiter, join, normalize, resolve, dirname, basename, extname, isAbsolute };
export const win32 = undefined;

// node:fs, node:url, node:child_process, node:os, node:zlib…: never in the tab.
export const readFileSync = unavailable('fs.readFileSync');
export const writeFileSync = unavailable('fs.writeFileSync');
export const existsSync = unavailable('fs.existsSync');
export const mkdirSync = unavailable('fs.mkdirSync');
export const readdirSync = unavailable('fs.readdirSync');
export const statSync = unavailable('fs.statSync');
export const rmSync = unavailable('fs.rmSync');
export const renameSync = unavailable('fs.renameSync');
export const copyFileSync = unavailable('fs.copyFileSync');
export const chmodSync = unavailable('fs.chmodSync');
export const mkdtempSync = unavailable('fs.mkdtempSync');
export const openSync = unavailable('fs.openSync');
export const closeSync = unavailable('fs.closeSync');
export const writeSync = unavailable('fs.writeSync');
export const appendFileSync = unavailable('fs.appendFileSync');
export const unlinkSync = unavailable('fs.unlinkSync');
export const lstatSync = unavailable('fs.lstatSync');
export const realpathSync = unavailable('fs.realpathSync');
export const readlinkSync = unavailable('fs.readlinkSync');
export const promises = {};
export const constants = {};
export const fileURLToPath = unavailable('url.fileURLToPath');
export const pathToFileURL = unavailable('url.pathToFileURL');
export const spawn = unavailable('child_process.spawn');
export const spawnSync = unavailable('child_process.spawnSync');
export const execFile = unavailable('child_process.execFile');
export const execFileSync = unavailable('child_process.execFileSync');
export const tmpdir = unavailable('os.tmpdir');
export const homedir = unavailable('os.homedir');
export const createHash = unavailable('crypto.createHash');
export const randomBytes = unavailable('crypto.randomBytes');
export const gzipSync = unavailable('gzip in the tab');
export const gunzipSync = unavailable('gunzip in the tab');
export const lock = unavailable('proper-lockfile');
// node:module, node:async_hooks, node:dns, node:worker_threads, node:fs/promises: what the shell
// library's split build names (site/vite.config.ts); as in its own browser build, a require, an
// AsyncLocalStorage or a Worker is absent in the tab.
export const createRequire = () => unavailable('require');
export const AsyncLocalStorage = undefined;
export const Module = undefined;
export const lookup = unavailable('dns.lookup');
export const Worker = undefined;
export const open = unavailable('fs.open');
export const lockSync = unavailable('proper-lockfile');
const all = { sep, delimiter, join, normalize, resolve, dirname, basename, extname, isAbsolute, relative, posix, readFileSync, writeFileSync, existsSync, mkdirSync, lock, lockSync };
export default all;
