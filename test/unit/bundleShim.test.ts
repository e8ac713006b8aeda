// A node's shims in both forms: the sh script where /bin/sh runs, a Node.js script where it does
// not (a WebContainer); the bundle a shim runs is read back from either, and a kernel program's
// shim names no bundle. scriptForm() picks the form by what the machine can run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleOfShim, bundleShim, failingScript, nodeRunner } from '../../src/shared/bundleShim.ts';
import { scriptForm } from '../../src/shared/scriptForm.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-shim-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('node shims', () => {
  it('the sh form is the one nodes always had', () => {
    expect(bundleShim('simplecni', '/usr/bin/node', '/b/simplecni.cjs', '/k/simhost.cjs')).toBe(
      '#!/bin/sh\n# simplecni: one bundled JavaScript file, run by the plugin host of the simulated node.\nexec /usr/bin/node --enable-source-maps /k/simhost.cjs /b/simplecni.cjs "$@"\n',
    );
  });

  it('either form names its bundle; a kernel program shim names none', () => {
    for (const form of ['sh', 'node'] as const) {
      expect(bundleOfShim(bundleShim('simplecni', '/usr/bin/node', '/b/simplecni.cjs', '/k/simhost.cjs', form))).toBe('/b/simplecni.cjs');
      expect(bundleOfShim(bundleShim('simplecni', '/usr/bin/node', '/b/simplecni.cjs', undefined, form))).toBe('/b/simplecni.cjs');
      expect(bundleOfShim(nodeRunner(form, 'ip of the simulated kernel', '/usr/bin/node', '/k/simkernel.cjs', ['ip']))).toBeUndefined();
    }
  });

  it('the Node.js form runs its script with the arguments the sh form would give, from an ES module scope too', () => {
    const script = path.join(tmp, 'echo.cjs');
    fs.writeFileSync(script, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    fs.writeFileSync(path.join(tmp, 'package.json'), '{"type":"module"}\n');
    const shim = path.join(tmp, 'echo');
    fs.writeFileSync(shim, nodeRunner('node', 'echo', process.execPath, script, ['fixed']), { mode: 0o755 });
    const r = spawnSync(shim, ['a b', 'c'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(JSON.stringify(['fixed', 'a b', 'c']));
    const fail = path.join(tmp, 'ifconfig');
    fs.writeFileSync(fail, failingScript('node', process.execPath, 'ifconfig: not modelled', 127), { mode: 0o755 });
    const f = spawnSync(fail, [], { encoding: 'utf8' });
    expect([f.status, f.stderr]).toEqual([127, 'ifconfig: not modelled\n']);
  });

  it('the form follows what the machine can run', () => {
    const saved = process.env.SIMPLECNI_SCRIPT_SHELL;
    try {
      delete process.env.SIMPLECNI_SCRIPT_SHELL;
      expect(scriptForm()).toBe(fs.existsSync('/bin/sh') ? 'sh' : 'node');
      process.env.SIMPLECNI_SCRIPT_SHELL = path.join(tmp, 'no-such-shell');
      expect(scriptForm()).toBe('node');
    } finally {
      if (saved === undefined) delete process.env.SIMPLECNI_SCRIPT_SHELL;
      else process.env.SIMPLECNI_SCRIPT_SHELL = saved;
    }
  });
});
