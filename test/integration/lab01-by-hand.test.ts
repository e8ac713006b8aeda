// Lab 01 typed exactly as its text prints it, on a cluster that is not the default one: the checks
// pass, `reset 01` removes it, and the machine's own /run/netns never sees the node's namespaces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceBundles } from '../../src/cluster/nodeFiles.ts';
import { checkContext, resetLabNodes } from '../../src/labs/actions.ts';
import { findLab, labsDir, loadCatalog } from '../../src/labs/catalog.ts';
import { textSteps } from '../../src/labs/textRunner.ts';
import { mustExec } from '../../src/shared/exec.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { t } from '../../src/i18n/index.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';

const lab01 = findLab(loadCatalog(), '01');
const text = fs.readFileSync(path.join(labsDir(), lab01.dir, 'lab.mdx'), 'utf8');
const machineNetns = async () => (await mustExec(['ip', 'netns', 'list'])).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);

describe('lab 01 by hand on a named cluster (netns)', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster('host-gw');
  });
  afterAll(async () => {
    await c?.down();
  });

  it("the text's own commands build it in node1's /run/netns: the checks pass, the machine sees nothing", async () => {
    expect(c.name).not.toBe('lab'); // a named cluster: its machine-level namespaces are prefixed
    const steps = textSteps(text, { node: 'node1' });
    expect(steps.map((s) => s.command)).toContain('ip netns add lab1-a');
    for (const s of steps) {
      const r = await c.driver.exec('node1', ['sh', '-c', s.command]);
      // The text shows the one command meant to fail (the ping across a downed cable) failing.
      const meantToFail = s.expected.some((l) => / 0 received/.test(l));
      expect(r.code === 0, `lab.mdx:${s.line} ${s.command}\n${r.stderr}`).toBe(!meantToFail);
    }
    const report = await runLabChecks(lab01, checkContext(c.env));
    for (const check of report.checks) expect(check.passed, `${check.id}: ${check.found}`).toBe(true);

    // The node's own namespaces, by their plain names, only on the node.
    const onNode = await c.driver.exec('node1', ['ip', 'netns', 'list']);
    expect(onNode.stdout.split('\n').map((l) => l.split(' ')[0]).filter(Boolean).sort()).toEqual(['lab1-a', 'lab1-b']);
    expect(onNode.stderr).not.toMatch(/Peer netns reference is invalid/);
    const ours = ['lab1-a', 'lab1-b', `${c.name}-lab1-a`, `${c.name}-lab1-b`];
    expect((await machineNetns()).filter((n) => ours.includes(n))).toEqual([]);
    for (const n of ours) expect(fs.existsSync(`/run/netns/${n}`), `/run/netns/${n} on the machine`).toBe(false);
    // node2 is another machine: it has no lab1-a.
    expect((await c.driver.exec('node2', ['ip', 'netns', 'list'])).stdout).not.toMatch(/lab1-a/);

    const done = await resetLabNodes(c.env, lab01, referenceBundles());
    expect(done.map((m) => t('en', m)).join('\n')).toMatch(/lab 01 namespaces and bridge removed/);
    expect((await c.driver.exec('node1', ['ip', 'netns', 'list'])).stdout.trim()).toBe('');
    expect((await c.driver.exec('node1', ['ip', 'link', 'show', 'lab1br'])).code).not.toBe(0);
    const after = await runLabChecks(lab01, checkContext(c.env));
    expect(after.checks.every((x) => !x.passed)).toBe(true);
  });
});
