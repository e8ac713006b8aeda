// Runs once around the whole test run: integration tests need root on Linux, and must leave
// nothing behind. Every name a test makes goes into this run's ledger (test/helpers/names.ts);
// after the run the leak audit looks for anything of those names — namespaces, mounts, pod netns
// pins, state dirs, sim worlds, temp paths, processes — and fails loudly, naming each leftover.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { auditLeftovers, LEDGER_ENV, readLedger } from './leakAudit.ts';

// Shared dirs a cluster may create: after the run each must be as it was before.
const SHARED = ['/etc/cni', '/etc/netns', '/run/simplecni-lab', '/run/simplecni-lab-sim', '/opt/cni'];
let existedBefore: Record<string, boolean> = {};
let ledger = '';

export function setup() {
  existedBefore = Object.fromEntries(SHARED.map((d) => [d, fs.existsSync(d)]));
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error(
      'The integration tests run on the real kernel and need root on Linux (they build network namespaces). Run: sudo npm test',
    );
  }
  if (!fs.existsSync('dist/simplecni.cjs')) throw new Error('dist/simplecni.cjs is missing: run `npm run build` (npm test does it first)');
  ledger = path.join(os.tmpdir(), `simplecni-test-ledger-${process.pid}.txt`);
  fs.writeFileSync(ledger, '');
  // The test workers are forked after this: they inherit the variable and append to the ledger.
  process.env[LEDGER_ENV] = ledger;
}

export function teardown() {
  const names = readLedger(ledger);
  fs.rmSync(ledger, { force: true });
  console.log(`leak audit: ${names.length} names made by this run, checked for namespaces, mounts, pins, state dirs, sim worlds, temp paths and processes`);
  auditLeftovers(names, 'the tests');
  // A shared dir made during the run is this run's leftover when nothing but this run's names is in
  // it (other clusters on the machine, not made by these tests, may keep it in use).
  const onlyOurs = (d: string) => fs.readdirSync(d).every((e) => names.some((n) => e === n || e.startsWith(`${n}-`)));
  const leftDirs = SHARED.filter((d) => !existedBefore[d] && fs.existsSync(d) && onlyOurs(d));
  if (leftDirs.length > 0) throw new Error(`tests left directories behind: ${leftDirs.join(', ')} — a cleanup is broken`);
}
