// Each lab's starter, built, fails the lab's checks; the same starter with the lab's own TODOs
// solved (= the next lab's starter) passes them. Shared by the real-kernel and sim lab tests.
import * as path from 'node:path';
import { expect } from 'vitest';
import { checkContext, resetLabNodes, solveLab, type LabEnv } from '../../src/labs/actions.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { solutionOf } from '../../src/labs/starters.ts';
import { buildWorkspace, scaffold } from '../../src/labs/workspace.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { referenceBundles } from '../../src/cluster/nodeFiles.ts';

const catalog = loadCatalog();

/** Labs whose starter has TODOs of their own (the others happen on the nodes, not in code). */
export const LABS_WITH_CODE = catalog.filter((l) => solutionOf(l.id).length > 0).map((l) => l.id);

async function starterBundles(work: string, id: string) {
  const dir = path.join(work, id);
  scaffold(findLab(catalog, id), dir);
  return buildWorkspace(dir);
}

export async function expectStarterFailsThenSolved(env: LabEnv, id: string, work: string) {
  const l = findLab(catalog, id);
  const starter = await starterBundles(work, id);
  await resetLabNodes(env, l, starter);
  await solveLab(env, l, starter).catch(() => {}); // the starter cannot get far: that is the point
  const unsolved = await runLabChecks(l, checkContext(env));
  expect(unsolved.passed, `the starter of lab ${id} must not pass`).toBe(false);
  const next = String(Number(id) + 1).padStart(2, '0');
  // The last lab's TODOs solved is the reference solution itself.
  const solvedBundles = catalog.some((x) => x.id === next) ? await starterBundles(work, next) : referenceBundles();
  await resetLabNodes(env, l, solvedBundles);
  await solveLab(env, l, solvedBundles);
  const solved = await runLabChecks(l, checkContext(env));
  expect(solved.checks.filter((x) => !x.passed).map((x) => `${x.id}: ${x.found}`)).toEqual([]);
}
