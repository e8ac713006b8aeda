// The after-suite leak audit: everything the kit makes is named from a cluster or test name
// (uniqueName), so given the names a run used, it lists what is still there: network namespaces
// (the name itself, or "<name>-…" nodes, segments and lab 01's namespaces), mounts, pod netns pins
// and state dirs under /run/simplecni-lab, sim worlds, /etc/netns dirs, temp dirs, and processes
// whose command line names one (lab servers, PTY shells, containerd, plugins). An error while
// looking is reported as a leftover, never read as "nothing there".
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STATE_ROOT } from '../../src/cluster/netns/layout.ts';

const ownedBy = (names: string[], s: string) => names.some((n) => s === n || s.startsWith(`${n}-`));
const mentions = (names: string[], s: string) => names.some((n) => new RegExp(`(^|[^a-z0-9])${n}([^a-z0-9]|$)`).test(s));

function listDir(dir: string, problems: string[]): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    problems.push(`could not list ${dir}: ${(err as Error).message}`);
    return [];
  }
}

/** What is left of the given names' namespaces, mounts, dirs and processes: empty when all is clean. */
export function leftoversOf(names: string[]): string[] {
  const left: string[] = [];
  if (names.length === 0) return left;
  // Network namespaces (ip netns list reads /run/netns; a failure to list is a failure).
  try {
    const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
    for (const ns of listed) if (ownedBy(names, ns)) left.push(`network namespace ${ns}`);
  } catch (err) {
    left.push(`could not list network namespaces: ${(err as Error).message}`);
  }
  // Mounts anywhere that name one (netns pins, a node's mount namespace pin, bind mounts under /run/simplecni-lab*).
  try {
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const mnt = line.split(' ')[4];
      if (mnt && mnt.startsWith('/run/') && mentions(names, mnt)) left.push(`mount ${mnt}`);
    }
  } catch (err) {
    left.push(`could not read /proc/self/mountinfo: ${(err as Error).message}`);
  }
  // State dirs: the netns clusters' (pod pins under nodes/*/netns with them), the sim worlds', /etc/netns.
  const simRoots = ['/run/simplecni-lab-sim', ...listDir(os.tmpdir(), left).filter((d) => d.startsWith('simplecni-lab-sim-')).map((d) => path.join(os.tmpdir(), d))];
  for (const root of [STATE_ROOT, ...simRoots]) {
    for (const d of listDir(root, left)) {
      if (!names.includes(d)) continue;
      const pins = listDir(path.join(root, d, 'nodes'), left).flatMap((n) => listDir(path.join(root, d, 'nodes', n, 'netns'), left).map((p) => `${n}/${p}`));
      left.push(`state dir ${path.join(root, d)}${pins.length ? ` (pod netns pins: ${pins.join(', ')})` : ''}`);
    }
  }
  for (const d of listDir('/etc/netns', left)) if (ownedBy(names, d)) left.push(`/etc/netns/${d}`);
  for (const d of listDir(os.tmpdir(), left)) if (mentions(names, d)) left.push(`temp path ${path.join(os.tmpdir(), d)}`);
  // Processes that name one on their command line, or in their environment (a `cnilab exec … &`
  // a test's shell left running names its cluster only in SIMPLECNI_CLUSTER).
  for (const pid of listDir('/proc', left).filter((p) => /^\d+$/.test(p))) {
    let cmd: string;
    let environ = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue; // gone meanwhile
    }
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((v) => v.startsWith('SIMPLECNI_')).join(' ');
    } catch {
      // gone meanwhile, or another user's (only root reads every environment)
    }
    if (cmd && Number(pid) !== process.pid && (mentions(names, cmd) || mentions(names, environ))) left.push(`process ${pid}: ${cmd.slice(0, 160)}`);
  }
  return left;
}

/** Throws, naming every leftover, if anything of `names` is still there. */
export function auditLeftovers(names: string[], who: string) {
  const left = leftoversOf(names);
  if (left.length > 0) {
    throw new Error(`${who} left things behind (a cleanup is broken):\n  ${left.join('\n  ')}`);
  }
}

/** The run's ledger of names (test/helpers/names.ts appends to it): every name a test made. */
export const LEDGER_ENV = 'SIMPLECNI_TEST_LEDGER';

export function readLedger(file: string): string[] {
  return [...new Set(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean))];
}
