// `cnilab trace` of a ping that dies: the verdict comes first and names the hop, before the hops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCommand } from '../../src/shared/exec.ts';
import { uniqueName } from '../helpers/names.ts';

const CLI = path.resolve('bin/cnilab');

describe('cnilab trace: a drop leads with its cause', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-trace-'));
  const cluster = uniqueName();
  const cli = (...args: string[]) => execCommand([CLI, ...args, '--cluster', cluster], { env: { NO_COLOR: '1', SIMPLECNI_SIM_ROOT: tmp } });
  beforeAll(async () => {
    expect((await cli('cluster', 'up', '--backend', 'sim', '--mode', 'host-gw')).code).toBe(0);
    const add = await cli('pod', 'add', 'node1', 'web');
    expect(add.code, add.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli('cluster', 'down');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('web → node3 under host-gw: "dropped at router: no route to <web> (hop N)" first, and hop N is that drop', async () => {
    const web = JSON.parse((await cli('pod', 'list', '--json')).stdout).find((p: { name: string }) => p.name === 'web').address.split('/')[0];
    const r = await cli('trace', 'node1/web', 'node3');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const m = new RegExp(`^✗ dropped at router: no route to ${web.replace(/\./g, '\\.')}: Network is unreachable \\(hop (\\d+), the echo reply\\); then `).exec(lines[1]!);
    expect(m, lines.slice(0, 3).join('\n')).not.toBeNull();
    // The numbered hop it names is the router's drop.
    expect(lines.find((l) => new RegExp(`^\\s+${m![1]} drop\\s`).test(l))).toMatch(new RegExp(`no route to ${web.replace(/\./g, '\\.')}`));
    const json = JSON.parse((await cli('trace', 'node1/web', 'node3', '--json')).stdout);
    expect(json.summary).toMatch(/^dropped at router: no route to /);
    expect(json.hops[Number(m![1]) - 1]).toMatchObject({ where: 'router', step: 'drop', direction: 'reply' });
  });
});
