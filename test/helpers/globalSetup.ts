// Runs once around the whole test run: integration tests need root on Linux, and must leave
// no network namespace or mount behind. This checks both, loudly.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { TEST_PREFIX } from './names.ts';

function testNamespaces(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => n.startsWith(TEST_PREFIX));
  } catch {
    return [];
  }
}

// Shared dirs a cluster may create: after the run each must be as it was before.
const SHARED = ['/etc/cni', '/etc/netns', '/run/simplecni-lab', '/opt/cni'];
let existedBefore: Record<string, boolean> = {};

export function setup() {
  existedBefore = Object.fromEntries(SHARED.map((d) => [d, fs.existsSync(d)]));
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error(
      'The integration tests run on the real kernel and need root on Linux (they build network namespaces). Run: sudo npm test',
    );
  }
  if (!fs.existsSync('dist/simplecni.cjs')) throw new Error('dist/simplecni.cjs is missing: run `npm run build` (npm test does it first)');
}

export function teardown() {
  const left = testNamespaces();
  if (left.length > 0) {
    throw new Error(`tests left network namespaces behind: ${left.join(', ')} — a test's cleanup is broken`);
  }
  const leftDirs = SHARED.filter((d) => !existedBefore[d] && fs.existsSync(d));
  if (leftDirs.length > 0) throw new Error(`tests left directories behind: ${leftDirs.join(', ')} — a cleanup is broken`);
}
