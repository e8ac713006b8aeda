// `cnilab serve` as the student meets it: a terminal on their own machine (the workstation) that
// runs the lab text's `cnilab …` lines, `cnilab` in a node's shell pointing there, and a second
// `cnilab serve` for the same cluster printing the running server's URL instead of "port in use".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import type { ApiLabs } from '../../src/server/api.ts';
import { serverFile } from '../../src/server/serverFile.ts';
import { repoRoot } from '../../src/shared/paths.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { startServeProcess, type ServeProcess } from '../helpers/serve.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cnilab serve: the workstation terminal, cnilab on a node, a second serve', () => {
  let c: TestCluster;
  let serve: ServeProcess;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  let token: string;

  beforeAll(async () => {
    c = await startTestCluster('host-gw');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-serve-'));
    fs.writeFileSync(path.join(tmp, 'index.html'), '<!doctype html><title>SimpleCNI Lab</title>');
    // HOME is a fresh folder: the workstation shell is the user's own, and this machine's ~/.bashrc
    // (a pyenv rehash waiting a minute on a stale lock) is not what this test is about.
    env = { SIMPLECNI_SITE_DIR: tmp, SIMPLECNI_PROGRESS: path.join(tmp, 'progress.json'), HOME: tmp };
    serve = await startServeProcess(c.name, env);
    const u = new URL(serve.url);
    port = Number(u.port);
    token = new URLSearchParams(u.hash.slice(1)).get('token')!;
  });

  afterAll(async () => {
    await serve?.stop();
    await c?.down();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs `input` in a terminal and gives its output once `done` shows (bounded). */
  async function inTerminal(id: string, input: string, done: RegExp): Promise<string> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/term?node=${id}`, [`cnilab.${token}`], { origin: `http://127.0.0.1:${port}` });
    let out = '';
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.type === 'output') out += msg.data;
    });
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    ws.send(JSON.stringify({ type: 'input', data: input }));
    for (let i = 0; i < 1200 && !done.test(out); i++) await sleep(50);
    ws.close();
    expect(out).toMatch(done);
    return out;
  }

  it('lists the workstation and every node as terminals, keeping nodes as it was', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/api/labs`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await r.json()) as ApiLabs;
    expect(body.nodes).toEqual(['node1', 'node2', 'node3', 'router']);
    expect(body.terminals).toEqual([
      { id: 'workstation', label: 'your machine', kind: 'workstation' },
      ...['node1', 'node2', 'node3', 'router'].map((n) => ({ id: n, label: n, kind: 'node' })),
    ]);
  });

  it('opens a workstation shell in the kit\'s folder, with cnilab on PATH and the cluster selected', async () => {
    const out = await inTerminal(
      'workstation',
      'echo "where=$PWD cluster=$SIMPLECNI_CLUSTER cli=$(command -v cnilab)"; cnilab check 00 --json > /tmp/' + c.name + '-check.json; echo "rc-$((40+2)):$?"\r',
      /rc-42:\d+/,
    );
    expect(out).toContain(`where=${repoRoot()} cluster=${c.name} cli=${path.join(repoRoot(), 'bin', 'cnilab')}`);
    expect(out).toContain('rc-42:0');
    const report = JSON.parse(fs.readFileSync(`/tmp/${c.name}-check.json`, 'utf8'));
    fs.rmSync(`/tmp/${c.name}-check.json`, { force: true });
    expect(report).toMatchObject({ lab: '00', passed: true });
    expect(report.checks.length).toBeGreaterThan(0);
    expect(report.checks.every((k: { passed: boolean }) => k.passed)).toBe(true);
  });

  it('answers cnilab typed in a node shell with one line saying where to run it', async () => {
    const out = await inTerminal('node1', 'cnilab check 00; echo "rc-$((40+2)):$?"\r', /rc-42:\d+/);
    expect(out).toMatch(/cnilab: this shell is on node node1; cnilab runs on your own machine — use the "your machine" terminal/);
    expect(out).toContain('rc-42:2');
    expect(out).not.toMatch(/✗|failed/); // never a false failure from the wrong namespace
  });

  it('a second cnilab serve for the cluster prints the running server\'s URL again', () => {
    const file = serverFile(c.name);
    expect(fs.statSync(file).mode & 0o777, 'the token file is the user\'s alone').toBe(0o600);
    const r = spawnSync(process.execPath, ['dist/cnilab.mjs', '--cluster', c.name, 'serve', '--port', '0'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toContain('already running');
    expect(r.stdout).toContain(serve.url);
    expect(r.stdout).toContain(`pid ${serve.child.pid}`);
  });

  it('stops on SIGTERM with a shell open that ignores SIGHUP, ending it; then names a foreign program on the port', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/term?node=node3`, [`cnilab.${token}`], { origin: `http://127.0.0.1:${port}` });
    let out = '';
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.type === 'output') out += msg.data;
    });
    ws.on('error', () => {});
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ type: 'input', data: `trap '' HUP; sleep 1000 & echo "pids-$((1+1)):$$:$!"\r` }));
    for (let i = 0; i < 200 && !/pids-2:\d+:\d+/.test(out); i++) await sleep(50);
    const [, shell, job] = /pids-2:(\d+):(\d+)/.exec(out)!.map(Number);
    await serve.stop(); // SIGTERM, the socket still open
    expect(serve.child.exitCode, 'the server exited by itself').toBe(0);
    expect(serve.child.signalCode).toBeNull();
    for (let i = 0; i < 40 && (fs.existsSync(`/proc/${shell}`) || fs.existsSync(`/proc/${job}`)); i++) await sleep(50); // reaped by init
    expect(fs.existsSync(`/proc/${shell}`) || fs.existsSync(`/proc/${job}`), 'its shells went with it').toBe(false);
    expect(fs.existsSync(serverFile(c.name)), 'the token file goes with the server').toBe(false);
    const foreign = net.createServer();
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', () => r()));
    const busy = (foreign.address() as net.AddressInfo).port;
    try {
      const r = spawnSync(process.execPath, ['dist/cnilab.mjs', '--cluster', c.name, 'serve', '--port', String(busy)], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`port ${busy} is in use by another program, not this kit's lab server (pid ${process.pid}`);
    } finally {
      await new Promise((r) => foreign.close(r));
    }
  });
});
