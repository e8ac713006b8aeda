// Lab 11 on the real kernel, on its own: the reference solution passes its checks, every check
// falls to the breakage it exists to catch, and the starter fails until its TODOs are solved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkContext, solveLab } from '../../src/labs/actions.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { breakagesFor, logOutcome, problemsOf, runBreakages } from '../helpers/breakages.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { expectStarterFailsThenSolved } from '../helpers/starters.ts';

const lab = findLab(loadCatalog(), '11');

describe('lab 11 on a real cluster', () => {
  let c: TestCluster;
  let work: string;
  beforeAll(async () => {
    c = await startTestCluster('host-gw');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-work11-'));
  });
  afterAll(async () => {
    await c?.down();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('before its pods exist, every check says which pods it wants (a probe\'s listener has no pod to start in)', async () => {
    const r = await runLabChecks(lab, checkContext(c.env));
    expect(r.checks.map((x) => [x.id, x.passed])).toEqual(lab.checks.map((x) => [x.id, false]));
    for (const x of r.checks) expect(x.found, x.id).toMatch(/^missing: node1\/db with role=db/);
  }, 120_000);

  it('solution bot: the reference passes every check', async () => {
    await solveLab(c.env, lab);
    const r = await runLabChecks(lab, checkContext(c.env));
    expect(r.checks.filter((x) => !x.passed).map((x) => `${x.id}: ${x.found}`)).toEqual([]);
  }, 300_000);

  it('every check fails on its breakage, named in found; the others pass', async () => {
    const outcomes = await runBreakages(c.env, breakagesFor('netns').filter((b) => b.lab === '11'), logOutcome('netns'));
    expect(outcomes).toHaveLength(5);
    expect(problemsOf(outcomes)).toEqual([]);
  }, 600_000);

  it('the starter fails the checks; solved, it passes them', async () => {
    await expectStarterFailsThenSolved(c.env, '11', work);
  }, 600_000);
});
