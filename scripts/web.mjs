#!/usr/bin/env node
// `npm run web`: the course as a static site, nothing else. Builds site/dist-web if it is missing
// (npm run build:web), then serves it with a plain static file server on 127.0.0.1 — no lab
// server, no API, no root. Everything the labs need runs in the browser tab.
// The pages are cross-origin isolated (COOP same-origin, COEP require-corp): what the WebContainer
// engine needs; --no-isolation leaves the two headers out (the page engine only, as on a host that
// cannot set headers).
//   node scripts/web.mjs [--port 5180] [--rebuild] [--no-isolation]
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'site', 'dist-web');
const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env.PORT ?? 5180);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`web: "${args[portArg + 1]}" is not a port number (1-65535).`);
  process.exit(2);
}

if (args.includes('--rebuild') || !existsSync(join(dir, 'index.html'))) {
  console.log('Building the static site (npm run build:web)…');
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('web: the build failed (see above); nothing to serve.');
    process.exit(r.status ?? 1);
  }
}

const isolated = !args.includes('--no-isolation');
/** Cross-origin isolation: the WebContainer engine's runtime needs it (SharedArrayBuffer). */
const ISOLATION = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const server = createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.writeHead(400).end('bad path');
    return;
  }
  let file = normalize(join(dir, path));
  if (file !== dir && !file.startsWith(dir + sep)) {
    res.writeHead(403).end('outside the site');
    return;
  }
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}`);
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    ...ISOLATION,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
});

server.on('error', (e) => {
  console.error(e.code === 'EADDRINUSE' ? `web: port ${port} is in use; try: npm run web -- --port ${port + 1}` : `web: ${e.message}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`SimpleCNI Lab in your browser (the labs run in the tab, nothing else): http://127.0.0.1:${port}/`);
  console.log(
    isolated
      ? 'Cross-origin isolated: the page tries the WebContainer engine (StackBlitz’s runtime, needs the network), else runs the labs itself.'
      : 'Not cross-origin isolated (--no-isolation): the labs run on the page engine.',
  );
  console.log('Ctrl-C stops this file server; your work stays in the browser.');
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => server.close(() => process.exit(0)));
