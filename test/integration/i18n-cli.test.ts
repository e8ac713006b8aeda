// The CLI in Chinese: `check 04 --lang zh-CN` speaks Chinese to a person, and its --json has the same
// structure and ids as in English (only the human texts differ). LANG alone picks the language too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCommand } from '../../src/shared/exec.ts';
import { uniqueName } from '../helpers/names.ts';

const CLI = path.resolve('bin/cnilab');

/** The JSON's shape: keys and ids and verdicts, with every human text blanked. */
function shape(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => shape(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x, k)]));
  return ['title', 'expected', 'found', 'hint'].includes(key) ? typeof v : v;
}

describe('cnilab in Chinese', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-i18n-'));
  const cluster = uniqueName();
  const env = { NO_COLOR: '1', SIMPLECNI_SIM_ROOT: tmp, LANG: 'C', LC_ALL: '' };
  const cli = (args: string[], extra: Record<string, string> = {}) => execCommand([CLI, ...args, '--cluster', cluster], { env: { ...env, ...extra } });
  beforeAll(async () => {
    const up = await cli(['cluster', 'up', '--backend', 'sim', '--mode', 'host-gw']);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli(['cluster', 'down']);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('check 04 --lang zh-CN: Chinese lab title, check titles, labels, found and hint', async () => {
    const r = await cli(['check', '04', '--lang', 'zh-CN']);
    expect(r.code).toBe(1); // no pod "web" yet: the lab fails
    const out = r.stdout;
    expect(out).toContain('实验 04 · 网桥与 veth：你的第一个 Pod');
    expect(out).toContain('✗ node1 上的 Pod web 有一个 up 的 eth0，带着自己的地址，并接到了网桥上');
    expect(out).toMatch(/预期\s+web 里的 eth0：是 veth/);
    expect(out).toMatch(/实际\s+node1 上没有 Pod “web”/);
    expect(out).toMatch(/提示\s+检查看的是 node1 上名为 web 的 Pod/);
    expect(out).toMatch(/6 项检查中通过 \d 项。/);
    expect(out).toContain('卡住了？');
    expect(out).not.toMatch(/\bexpected\b|\bfound\b|checks pass/);
  });

  it('LANG=zh_CN.UTF-8 alone picks Chinese; --lang en wins over it', async () => {
    const zh = await cli(['check', '04'], { LANG: 'zh_CN.UTF-8' });
    expect(zh.stdout).toContain('实验 04 · 网桥与 veth');
    const en = await cli(['check', '04', '--lang', 'en'], { LANG: 'zh_CN.UTF-8' });
    expect(en.stdout).toContain('Lab 04 · Bridge and veth: your first pod');
    expect(en.stdout).toMatch(/expected\s+eth0 in web: a veth/);
  });

  it('an unknown --lang is a clear error that names the choices', async () => {
    const r = await cli(['check', '04', '--lang', 'fr']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown language "fr": use en or zh-CN');
  });

  it('--json: the same structure, ids and verdicts in both languages; only the texts differ', async () => {
    const en = JSON.parse((await cli(['check', '04', '--json', '--lang', 'en'])).stdout);
    const zh = JSON.parse((await cli(['check', '04', '--json', '--lang', 'zh-CN'])).stdout);
    expect(shape(zh)).toEqual(shape(en));
    expect(zh.checks.map((c: { id: string }) => c.id)).toEqual(['pod-bridge', 'pod-wired', 'pod-route', 'pod-forward', 'pod-result', 'pod-ping']);
    expect(Object.keys(zh.checks[0]).sort()).toEqual(['expected', 'found', 'hint', 'id', 'passed', 'title']);
    expect(zh.checks[1].title).toBe('node1 上的 Pod web 有一个 up 的 eth0，带着自己的地址，并接到了网桥上');
    expect(en.checks[1].title).toBe('Pod web on node1 has eth0 up with its address, wired to the bridge');
  });
});
