// Serving the built site: regular files under one directory, GET and HEAD only; a navigation to
// a path that is no file (GET, Accept: text/html, no extension) gets index.html, because the site
// routes on the client. Used by the lab server and the site's mock server.
//
// Hand-written rather than `sirv` (which Vite's preview uses): sirv pipes a read stream with no
// error handler (a file removed between its lookup and its read ends the process), follows
// symlinks, answers every method, and throws on a reversed Range header. Here a file is opened
// first and then fstat-ed (no gap to race), no symlink is followed, and a stream error only ends
// that one response.
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon',
};

// Not on every platform (Windows): there the last component's symlink check is the lstat below.
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

function plain(res: http.ServerResponse, status: number, text: string, headers: http.OutgoingHttpHeaders = {}) {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/**
 * Opens `rel` (already decoded, `/`-separated) under `root` without following any symlink, or
 * gives undefined: a missing file, a directory, a symlink anywhere on the way, a dotfile, `..`.
 */
async function openInside(root: string, rel: string): Promise<{ fh: fs.promises.FileHandle; stat: fs.Stats; file: string } | undefined> {
  const parts = rel.split('/').filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  // `..` and `.` never name a file under the root; dotfiles are not part of a built site.
  if (parts.some((p) => p.startsWith('.') || p.includes('\\') || p.includes('\0'))) return undefined;
  let dir = root;
  for (const p of parts.slice(0, -1)) {
    dir = path.join(dir, p);
    const st = await fs.promises.lstat(dir).catch(() => undefined);
    if (!st?.isDirectory()) return undefined; // a symlink is not a directory to lstat
  }
  const file = path.join(dir, parts.at(-1)!);
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, fs.constants.O_RDONLY | O_NOFOLLOW);
  } catch {
    return undefined; // ENOENT, ELOOP (a symlink), EACCES…
  }
  try {
    const stat = await fh.stat();
    const link = O_NOFOLLOW === 0 ? await fs.promises.lstat(file) : stat;
    if (stat.isFile() && !link.isSymbolicLink()) return { fh, stat, file };
  } catch {
    // fall through: closed below
  }
  await fh.close().catch(() => {});
  return undefined;
}

/** A request the site's client-side routing answers: a page load, not an asset. */
function isNavigation(req: http.IncomingMessage, pathname: string): boolean {
  const last = pathname.split('/').at(-1) ?? '';
  return (req.method === 'GET' || req.method === 'HEAD') && /\btext\/html\b/.test(String(req.headers.accept ?? '')) && !last.includes('.');
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, siteDir: string, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, `${req.method} is not allowed here: the site is read with GET\n`, { allow: 'GET, HEAD' });
  const root = path.resolve(siteDir);
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return plain(res, 400, 'bad request: the path is not valid percent-encoding\n');
  }
  let found = await openInside(root, rel === '/' ? '/index.html' : rel);
  if (!found && (rel === '/' || isNavigation(req, pathname))) {
    found = await openInside(root, '/index.html');
    if (!found) return plain(res, 503, 'The site is not built yet: run `npm run build:site` (npm start does it).\n');
  }
  if (!found) return plain(res, 404, `not found: ${pathname.length > 200 ? pathname.slice(0, 200) + '…' : pathname}\n`);
  const { fh, stat, file } = found;
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const headers: http.OutgoingHttpHeaders = {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    // Vite's hashed assets never change under one name; everything else is revalidated.
    'cache-control': file.startsWith(path.join(root, 'assets') + path.sep) ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag,
    'last-modified': stat.mtime.toUTCString(),
  };
  if (req.headers['if-none-match'] === etag) {
    await fh.close().catch(() => {});
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'content-length': stat.size });
  if (req.method === 'HEAD') {
    await fh.close().catch(() => {});
    return void res.end();
  }
  // The handle is open: the file may vanish from the directory now, its bytes stay readable.
  // A read error (or the client leaving) ends this response only.
  pipeline(fh.createReadStream(), res, () => {});
}

export function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, siteDir: string, pathname: string): void {
  serve(req, res, siteDir, pathname).catch((err: unknown) => {
    process.stderr.write(`cnilab serve: serving ${pathname.slice(0, 200)} failed: ${(err as Error).message}\n`);
    plain(res, 500, 'internal error while serving a file\n');
  });
}
