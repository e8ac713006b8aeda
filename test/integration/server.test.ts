// The lab server: token, Origin, loopback, terminals on nodes (and only nodes), checks streamed,
// topology from the nodes' real state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { startServer, type LabServer } from '../../src/server/server.ts';
import type { ApiLabs, ApiTopology } from '../../src/server/api.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';

describe('lab server', () => {
  let c: TestCluster;
  let server: LabServer;
  let base: string;
  let site: string;
  const auth = () => ({ authorization: `Bearer ${server.token}` });

  beforeAll(async () => {
    c = await startTestCluster('host-gw');
    await c.pods.add('node1', 'web');
    site = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-site-'));
    fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>SimpleCNI Lab</title>');
    server = await startServer({ env: c.env, host: '127.0.0.1', port: 0, siteDir: site });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server?.close();
    await c?.down();
    if (site) fs.rmSync(site, { recursive: true, force: true });
  });

  it('prints a loopback URL with the token in the fragment, which browsers never send', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=[A-Za-z0-9_-]{32}$`));
  });

  it('serves the site without a token, and the API only with it', async () => {
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/lab/04`, { headers: { accept: 'text/html' } })).status).toBe(200); // a navigation to a client-side route gets index.html
    expect((await fetch(`${base}/lab/04`)).status).toBe(404); // anything else that is no file is a 404
    expect((await fetch(`${base}/api/labs`)).status).toBe(401);
    expect((await fetch(`${base}/api/labs`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const r = await fetch(`${base}/api/labs`, { headers: auth() });
    expect(r.status).toBe(200);
    const body = (await r.json()) as ApiLabs;
    expect(body.nodes).toEqual(['node1', 'node2', 'node3', 'router']);
    expect(body.labs.map((l) => l.id)).toContain('04');
  });

  it('refuses another Origin, even with the token', async () => {
    const r = await fetch(`${base}/api/labs`, { headers: { ...auth(), origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    expect((await fetch(`${base}/api/labs`, { headers: { ...auth(), origin: `http://127.0.0.1:${server.port}` } })).status).toBe(200);
  });

  it('reports the nodes\' real state for the topology picture', async () => {
    const t = (await (await fetch(`${base}/api/topology`, { headers: auth() })).json()) as ApiTopology;
    const node1 = t.nodes.find((n) => n.name === 'node1')!;
    expect(node1.bridge).toMatchObject({ name: 'simplecni0', up: true, addresses: ['10.244.1.1/24'] });
    expect(node1.pods).toEqual([expect.objectContaining({ name: 'web', address: '10.244.1.2/24', mtu: 1500, hostVeth: expect.stringMatching(/^veth/) })]);
    expect(node1.routes).toContainEqual({ dst: '10.244.2.0/24', via: '192.168.56.12', dev: 'eth1', onlink: false });
    expect(t.mode).toBe('host-gw');
  });

  it('streams a lab\'s check results as NDJSON', async () => {
    const r = await fetch(`${base}/api/labs/00/check`, { method: 'POST', headers: auth() });
    const lines = (await r.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'check')).toHaveLength(3);
    expect(lines.at(-1)).toMatchObject({ type: 'done', lab: '00', passed: true });
    const sol = await (await fetch(`${base}/api/labs/04/solution`, { headers: auth() })).json();
    expect(sol).toMatchObject({ lab: '04', available: false, regions: [] });
  });

  const open = (node: string, opts: { origin?: string; protocol?: string } = {}) =>
    new Promise<{ ws: WebSocket }>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/term?node=${encodeURIComponent(node)}`, [opts.protocol ?? `cnilab.${server.token}`], {
        origin: opts.origin ?? `http://127.0.0.1:${server.port}`,
      });
      ws.on('open', () => resolve({ ws }));
      ws.on('error', () => {});
    });
  /** A refused terminal: closed at once with a code and a reason, and no shell output ever. */
  const refusal = (node: string, opts: { origin?: string; protocol?: string } = {}) =>
    new Promise<{ code: number; reason: string; output: number }>((resolve) => {
      let output = 0;
      void open(node, opts).then(({ ws }) => {
        ws.on('message', () => output++);
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), output }));
      });
    });

  it('refuses terminals without the token, from another Origin, or for anything but a node', async () => {
    expect(await refusal('node1', { protocol: 'cnilab.wrong' })).toMatchObject({ code: 4401, output: 0 });
    expect(await refusal('node1', { origin: 'http://evil.example' })).toMatchObject({ code: 4403, output: 0 });
    expect(await refusal('node1; rm -rf /')).toMatchObject({ code: 4404, reason: expect.stringContaining('nodes are node1, node2, node3, router'), output: 0 });
    expect(await refusal('../../bin/sh')).toMatchObject({ code: 4404, output: 0 });
  });

  it('gives a shell on the chosen node, bounds its size, and ends it when the socket closes', async () => {
    const { ws } = await open('node2');
    let out = '';
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.type === 'output') out += msg.data;
    });
    const until = async (re: RegExp) => {
      for (let i = 0; i < 300 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      return out;
    };
    await until(/node2\S*:\S*[#$] $/m); // the prompt names the node: bash is ready
    ws.send(JSON.stringify({ type: 'resize', cols: 100000, rows: 100000 }));
    ws.send(JSON.stringify({ type: 'input', data: 'echo "shell-$((6*7))"; ip -br addr show eth1; stty size; echo "pid:$$"\r' }));
    await until(/pid:\d+/);
    expect(out).toContain('shell-42');
    expect(out).toContain('192.168.56.12/24'); // node2's own address: the shell is on node2
    expect(out).toContain('200 500'); // rows and cols, clamped
    const pid = Number(/pid:(\d+)/.exec(out)![1]);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true);
    ws.close();
    for (let i = 0; i < 40 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(`/proc/${pid}`), 'the shell ends with its socket').toBe(false);
  });

  it('keeps keys typed the moment the terminal opens, before the prompt', async () => {
    const { ws } = await open('node3');
    let out = '';
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.type === 'output') out += msg.data;
    });
    ws.send(JSON.stringify({ type: 'input', data: 'echo "early-$((40+2))"\r' })); // no wait for the prompt
    for (let i = 0; i < 200 && !out.includes('early-42'); i++) await new Promise((r) => setTimeout(r, 50));
    ws.close();
    expect(out).toContain('early-42');
  });

  it('closes a terminal that sends an oversized message', async () => {
    const { ws } = await open('node1');
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.send(JSON.stringify({ type: 'input', data: 'x'.repeat(200 * 1024) }));
    expect(await closed).toBe(1009);
  });

  it('binds loopback unless told otherwise', async () => {
    const s = await startServer({ env: c.env, port: 0, siteDir: site }); // no host given
    try {
      expect(s.url.startsWith('http://127.0.0.1:')).toBe(true);
      expect(s.address).toBe('127.0.0.1');
      // The kernel's own word: the listening socket's local address is 127.0.0.1 (0100007F), not 0.0.0.0.
      const hexPort = s.port.toString(16).toUpperCase().padStart(4, '0');
      const listening = fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').filter((l) => l.trim().split(/\s+/)[3] === '0A').map((l) => l.trim().split(/\s+/)[1]);
      expect(listening).toContain(`0100007F:${hexPort}`);
      expect(listening).not.toContain(`00000000:${hexPort}`);
    } finally {
      await s.close();
    }
  });
});
