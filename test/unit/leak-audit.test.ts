// The after-suite audit finds a process a test left running, also one that names its cluster only
// in its environment (a `cnilab exec … &` left by a lab text's shell).
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { leftoversOf } from '../helpers/leakAudit.ts';

it('finds a leftover process by its command line or by SIMPLECNI_* in its environment', async () => {
  const name = 'sctleak';
  const byEnv = spawn('sleep', ['60'], { env: { ...process.env, SIMPLECNI_CLUSTER: name }, stdio: 'ignore' });
  const byArgv = spawn('sh', ['-c', 'sleep 60', name], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const left = leftoversOf([name]);
    expect(left).toContainEqual(expect.stringMatching(new RegExp(`^process ${byEnv.pid}: sleep 60`)));
    expect(left).toContainEqual(expect.stringMatching(new RegExp(`^process ${byArgv.pid}: sh -c sleep 60 ${name}`)));
    expect(leftoversOf(['sctother'])).toEqual([]);
  } finally {
    byEnv.kill();
    byArgv.kill();
  }
});
