// The lab server against a hostile web page (and a hostile client): a real `cnilab serve` on
// loopback, its own netns cluster. No request may end the process, no shell may outlive its
// socket, and after each case the server still answers and has no process left over.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { descendants, rawRequest, seeded, sessionMembers, statusOf } from '../helpers/rawHttp.ts';
import { startServeProcess, type ServeProcess } from '../helpers/serve.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lab server against a hostile client', () => {
  let c: TestCluster;
  let serve: ServeProcess;
  let port: number;
  let token: string;
  let site: string;
  let outside: string;
  let progress: string;
  const host = () => `127.0.0.1:${port}`;
  const origin = () => `http://${host()}`;

  beforeAll(async () => {
    c = await startTestCluster('host-gw');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-hostile-'));
    site = path.join(tmp, 'site');
    outside = path.join(tmp, 'outside');
    progress = path.join(tmp, 'progress.json');
    fs.mkdirSync(path.join(site, 'assets'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>SimpleCNI Lab</title>');
    fs.writeFileSync(path.join(site, 'assets', 'app-1234.js'), 'console.log(1)');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'not for the web');
    fs.writeFileSync(path.join(site, 'inside.txt'), 'inside');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(site, 'leak.txt')); // out of the root
    fs.symlinkSync(outside, path.join(site, 'linked')); // a directory out of the root
    fs.symlinkSync(path.join(site, 'inside.txt'), path.join(site, 'alias.txt')); // inside the root: still not followed
    serve = await startServeProcess(c.name, { SIMPLECNI_SITE_DIR: site, SIMPLECNI_PROGRESS: progress });
    const u = new URL(serve.url);
    port = Number(u.port);
    token = new URLSearchParams(u.hash.slice(1)).get('token')!;
  });

  afterAll(async () => {
    await serve?.stop();
    await c?.down();
    if (site) fs.rmSync(path.dirname(site), { recursive: true, force: true });
  });

  /** The process is alive, answers, and has no process of its own left (every terminal closed). */
  async function stillServing() {
    expect(serve.child.exitCode, 'the server process is still running').toBeNull();
    expect(serve.child.signalCode).toBeNull();
    const r = await fetch(`${origin()}/`);
    expect(r.status).toBe(200);
    let left = descendants(serve.child.pid!);
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await sleep(50);
      left = descendants(serve.child.pid!);
    }
    expect(left, 'no process of the server is left').toEqual([]);
  }
  afterEach(async () => {
    if (serve) await stillServing();
  });

  const open = (node: string, opts: { origin?: string; protocol?: string } = {}) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://${host()}/api/term?node=${encodeURIComponent(node)}`, [opts.protocol ?? `cnilab.${token}`], { origin: opts.origin ?? origin() });
      ws.on('open', () => resolve(ws));
      ws.on('error', reject);
    });
  const closeOf = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  /** Output of a terminal, gathered; `until` waits for a pattern (bounded). */
  function output(ws: WebSocket) {
    let out = '';
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.type === 'output') out += msg.data;
    });
    return {
      get text() {
        return out;
      },
      async until(re: RegExp) {
        for (let i = 0; i < 300 && !re.test(out); i++) await sleep(50);
        expect(out).toMatch(re);
        return re.exec(out)!;
      },
    };
  }
  const upgradeHeaders = (extra = '') =>
    `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: cnilab.${token}\r\nOrigin: ${origin()}\r\n${extra}`;

  it('answers an unparseable path with 400, on a request and on an upgrade', async () => {
    expect(statusOf(await rawRequest(port, `GET //[ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`))).toBe(400);
    expect(statusOf(await rawRequest(port, `GET //[ HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`))).toBe(400);
    const up = await rawRequest(port, `GET //[ HTTP/1.1\r\nHost: ${host()}\r\n${upgradeHeaders()}\r\n`);
    expect(statusOf(up)).toBe(400); // refused and closed, not switched
    expect(statusOf(await rawRequest(port, `GET /api/%zz HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${token}\r\n\r\n`))).toBe(404);
    expect(statusOf(await rawRequest(port, `GET /%zz HTTP/1.1\r\nHost: ${host()}\r\n\r\n`))).toBe(400);
  });

  it('closes a terminal from a long Origin with a fixed reason that does not echo it', async () => {
    const long = `http://${'a'.repeat(200)}.example`;
    const ws = await open('node1', { origin: long });
    const { code, reason } = await closeOf(ws);
    expect(code).toBe(4403);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason).not.toContain('aaaa');
  });

  it('closes a terminal for a long node name with a fixed reason that does not echo it', async () => {
    const ws = await open('x'.repeat(300));
    const { code, reason } = await closeOf(ws);
    expect(code).toBe(4404);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason).not.toContain('xxxx');
    expect(reason).toContain('node1');
  });

  it('survives files vanishing while they are served', async () => {
    const file = path.join(site, 'assets', 'race.js');
    fs.writeFileSync(file, 'x'.repeat(256 * 1024));
    // A loop of its own (bounded) creates and removes the file while requests for it run.
    const churn = spawn('bash', ['-c', `for i in $(seq 1 20000); do printf %0262144d 0 > '${file}.tmp'; mv -f '${file}.tmp' '${file}'; rm -f '${file}'; done`], { stdio: 'ignore' });
    const seen = new Set<number>();
    try {
      const deadline = Date.now() + 4000;
      const worker = async () => {
        while (Date.now() < deadline && churn.exitCode === null) {
          const r = await fetch(`${origin()}/assets/race.js`).catch(() => undefined);
          if (r) {
            seen.add(r.status);
            await r.arrayBuffer().catch(() => {});
          }
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    } finally {
      if (churn.exitCode === null) {
        churn.kill('SIGTERM');
        await new Promise((r) => churn.once('exit', r));
      }
      fs.rmSync(file, { force: true });
      fs.rmSync(`${file}.tmp`, { force: true });
    }
    expect([...seen].every((s) => s === 200 || s === 404), `statuses ${[...seen]}`).toBe(true);
    expect(seen.has(404)).toBe(true); // the file really was missing at times
  });

  it('ends a shell that ignores SIGHUP, and the jobs it started, once its socket is dropped', async () => {
    const ws = await open('node2');
    const out = output(ws);
    await out.until(/node2\S*:\S*[#$] $/m);
    ws.send(JSON.stringify({ type: 'input', data: `trap '' HUP; sleep 1000 & echo "pids:$$:$!"\r` }));
    const m = await out.until(/pids:(\d+):(\d+)/);
    const [shell, job] = [Number(m[1]), Number(m[2])];
    expect(fs.existsSync(`/proc/${job}`)).toBe(true);
    ws.terminate(); // dropped, no close handshake
    for (let i = 0; i < 200 && (fs.existsSync(`/proc/${shell}`) || fs.existsSync(`/proc/${job}`)); i++) await sleep(50);
    expect(fs.existsSync(`/proc/${shell}`), 'the shell is gone').toBe(false);
    expect(fs.existsSync(`/proc/${job}`), 'its background job is gone').toBe(false);
    expect(sessionMembers(shell)).toEqual([]);
  });

  it('refuses a foreign Host (DNS rebinding), on the site, the API and the terminal', async () => {
    expect(statusOf(await rawRequest(port, `GET / HTTP/1.1\r\nHost: rebind.example:${port}\r\n\r\n`))).toBe(421);
    expect(statusOf(await rawRequest(port, `GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:${port + 1}\r\n\r\n`))).toBe(421);
    expect(statusOf(await rawRequest(port, `GET / HTTP/1.1\r\n\r\n`))).not.toBe(200); // no Host at all
    expect(statusOf(await rawRequest(port, `GET /api/labs HTTP/1.1\r\nHost: rebind.example:${port}\r\nAuthorization: Bearer ${token}\r\n\r\n`))).toBe(421);
    const up = await rawRequest(port, `GET /api/term?node=node1 HTTP/1.1\r\nHost: rebind.example:${port}\r\n${upgradeHeaders()}\r\n`);
    expect(statusOf(up)).toBe(421);
    expect(statusOf(await rawRequest(port, `GET / HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`))).toBe(200);
    expect(statusOf(await rawRequest(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`))).toBe(200);
  });

  it('may not be framed or sniffed', async () => {
    for (const [url, headers] of [
      [`${origin()}/`, {}],
      [`${origin()}/assets/app-1234.js`, {}],
      [`${origin()}/api/labs`, { authorization: `Bearer ${token}` }],
      [`${origin()}/nope.js`, {}],
    ] as const) {
      const r = await fetch(url, { headers });
      expect(r.headers.get('x-frame-options'), url).toBe('DENY');
      expect(r.headers.get('content-security-policy'), url).toContain("frame-ancestors 'none'");
      expect(r.headers.get('x-content-type-options'), url).toBe('nosniff');
    }
  });

  it('gives 404 for missing assets, 405 for other methods, index.html only to navigations, no symlinks, and wants the Bearer scheme', async () => {
    const html = { accept: 'text/html,application/xhtml+xml' };
    expect((await fetch(`${origin()}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${origin()}/assets/missing.js`, { headers: html })).status).toBe(404); // has an extension: an asset
    expect((await fetch(`${origin()}/lab/04`)).status).toBe(404);
    const nav = await fetch(`${origin()}/lab/04`, { headers: html });
    expect(nav.status).toBe(200);
    expect(await nav.text()).toContain('SimpleCNI Lab');
    const asset = await fetch(`${origin()}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${origin()}/`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(`${origin()}/index.html`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${origin()}/index.html`, { method: 'HEAD' })).status).toBe(200);
    for (const p of ['/leak.txt', '/linked/secret.txt', '/alias.txt', '/%2e%2e/outside/secret.txt', '/..%2foutside%2fsecret.txt', '/.hidden']) {
      const r = await fetch(`${origin()}${p}`, { headers: html });
      expect(r.status, p).toBe(404);
      expect(await r.text()).not.toContain('not for the web');
    }
    expect((await fetch(`${origin()}/inside.txt`)).status).toBe(200);
    expect((await fetch(`${origin()}/api/labs`, { headers: { authorization: token } })).status).toBe(401);
    expect((await fetch(`${origin()}/api/labs`, { headers: { authorization: `Basic ${token}` } })).status).toBe(401);
    expect((await fetch(`${origin()}/api/labs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('caps the open terminals and says so', async () => {
    const max = 16;
    const socks: WebSocket[] = [];
    try {
      for (let i = 0; i < max; i++) socks.push(await open(['node1', 'node2', 'node3', 'router'][i % 4]!));
      const extra = await open('node1');
      const { code, reason } = await closeOf(extra);
      expect(code).toBe(4429);
      expect(reason).toMatch(/16 terminals.*close one/);
    } finally {
      for (const s of socks) s.close();
    }
    // Each closed terminal frees its place.
    for (let i = 0; i < 100 && descendants(serve.child.pid!).length > 0; i++) await sleep(50);
    const again = await open('node1');
    const out = output(again);
    await out.until(/node1\S*:\S*[#$] $/m);
    again.close();
  });

  it('survives 1,200 fuzzed request lines and headers', async () => {
    const rnd = seeded(20261206);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rnd() * 256))).join('');
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'BREW', 'get', '', 'G\x00T'];
    const paths = ['/', '//[', '/[', '//', '/%', '/%zz', '/%00', '/%2e%2e/%2e%2e/etc/passwd', '/../../etc/passwd', '/api/term', '/api/term?node=', '/api/term?node=node1', '/api/labs', '/api/labs/04/check', '/api/labs/..%2f..%2fetc/check', '/api/trace?from=%ff&to=[', '/assets/', '/assets/app-1234.js', '/index.html?' + 'q'.repeat(5000), '/' + 'a'.repeat(9000), 'http://evil.example/', '*', 'http://[::1', '/\u00e9\u4e2d', '/a b', '/lab/04#x', '?', ''];
    const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1', 'FOO', ''];
    const headerPool = () => [
      `Host: ${pick([host(), `localhost:${port}`, 'evil.example', `[::1]:${port}`, '', 'a'.repeat(300), `${host()}, evil.example`])}`,
      `Origin: ${pick([origin(), 'null', 'http://evil.example', `http://${'o'.repeat(150)}`, junk(20)])}`,
      `Authorization: ${pick([`Bearer ${token}`, 'Bearer ', 'Bearer', token, `Basic ${token}`, junk(40)])}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      `Sec-WebSocket-Key: ${pick(['dGhlIHNhbXBsZSBub25jZQ==', '', junk(10)])}`,
      `Sec-WebSocket-Version: ${pick(['13', '8', 'x'])}`,
      `Sec-WebSocket-Protocol: ${pick([`cnilab.${token}`, 'cnilab.', 'x', 'cnilab.' + 'z'.repeat(500)])}`,
      `Range: ${pick(['bytes=5-2', 'bytes=-1', 'bytes=0-', 'bytes=999999999-', 'bytes=a-b', junk(8)])}`,
      `Accept: ${pick(['text/html', '*/*', junk(12)])}`,
      `Content-Length: ${pick(['0', '5', '-1', '99999999999', 'x'])}`,
      'Transfer-Encoding: chunked',
      `If-None-Match: ${pick(['*', 'W/"x"', junk(6)])}`,
      `X-${junk(4)}: ${junk(30)}`,
      junk(20),
      `Cookie: ${'c'.repeat(pick([10, 20000]))}`,
    ];
    const cases = 1200;
    let answered = 0;
    let next = 0;
    const one = async () => {
      for (let i = next++; i < cases; i = next++) {
        const headers = headerPool().filter(() => rnd() < 0.35);
        const line = rnd() < 0.1 ? junk(Math.floor(rnd() * 80)) : `${pick(methods)} ${pick(paths)} ${pick(versions)}`;
        const body = rnd() < 0.2 ? junk(Math.floor(rnd() * 100)) : '';
        const res = await rawRequest(port, Buffer.from(`${line}\r\n${headers.join('\r\n')}\r\n\r\n${body}`, 'latin1'), 1500);
        if (statusOf(res) !== 0) answered++;
        if (i % 100 === 99) expect(serve.child.exitCode, `the server ended at case ${i}`).toBeNull();
      }
    };
    await Promise.all(Array.from({ length: 8 }, one));
    expect(serve.child.exitCode).toBeNull();
    expect(answered).toBeGreaterThan(cases / 2); // most got an answer (a 400 counts), not silence
  });
});
