// The lab texts, tested like code: every lab's `console` blocks typed in lab order on one cluster,
// each output compared with what the text shows under the normalisations of src/labs/textRunner.ts.
// Where a text needs the student's code, the text says how a runner gets there (`{/* lab-text: run
// cnilab solve 03 --yes */}`): the kit's reference stands in, the comparison stays the same. Used by
// test/integration/lab-texts.test.ts (netns, the sim: a fresh cluster each) and by the VM tier's
// phase `texts` (test/vm/texts.test.ts: the VMs the tier brought up).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findLab, labsDir, loadCatalog } from '../../src/labs/catalog.ts';
import { describeDrifts, failed, runText, WALK_SKIP, type StepOutcome } from '../../src/labs/textRunner.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { TextShells } from './textShells.ts';

export interface LabTextWalk {
  /** What the nodes are, as `cnilab` names it (SIMPLECNI_BACKEND). */
  backend: 'netns' | 'sim' | 'vagrant';
  /** The cluster the walk types in. */
  cluster: string;
  /**
   * true: lab 00's `cnilab cluster up` makes it, and the walk removes it at the end. false: a
   * cluster already up (the VM tier's), which lab 00's `cluster up` only refreshes, left up after.
   */
  ownsCluster: boolean;
  /** The labs walked, in order. */
  labs: readonly string[];
  /** Names in the output to read as the text's: the cluster's name as "lab", a backend's own paths as the texts'. */
  aliases: Record<string, string>;
  /** The other way, in the commands typed. */
  commandAliases?: Record<string, string>;
  /** What the nodes' kernel has (blocks marked `lab-text: where <feature>`). */
  features: Record<string, boolean>;
  /**
   * Labs the walk does not type, each with why, and what it checks instead (it must say how the lab
   * is covered, and may prove that with the shells).
   */
  notTyped: Record<string, { why: string; instead: (shells: TextShells) => Promise<void> }>;
  /**
   * Drifts known and not yet fixed, each with why: `<backend> <lab>:<line>`. The walk fails on any
   * drift not listed, and on any listed one that no longer happens (the list only shrinks). A drift
   * that comes and goes (a race the text shows one outcome of) is listed with "varies:".
   */
  known: Record<string, string>;
  /** Extra environment for every shell (a sim's root, say). */
  env?: Record<string, string>;
  /** How long one command may take (a check on emulated CPUs takes minutes). */
  commandTimeoutMs?: number;
  /** How long one lab may take. */
  labTimeoutMs?: number;
  /** More tests in the walk's describe, with its shells and environment. */
  more?: (shells: TextShells, env: Record<string, string>) => void;
}

/** Runs a command on this machine or a node; only its exit code is read. */
type Exec = (argv: string[]) => Promise<{ code: number }>;

/**
 * Does a kernel have IP-in-IP (loaded, built in, or a module an `ip link add … type ipip` would
 * load)? This machine's, or a node's through `exec`. Read without loading anything: loading ipip
 * gives the machine a tunl0.
 */
export async function hasIpip(exec: Exec = (argv) => execCommand(argv)): Promise<boolean> {
  return (await exec(['sh', '-c', 'test -e /sys/module/ipip || modinfo -F name ipip >/dev/null 2>&1'])).code === 0;
}

/** Is the ipip module loaded (or built in), so that every namespace already has its `tunl0`? */
export async function ipipLoaded(exec: Exec = (argv) => execCommand(argv)): Promise<boolean> {
  return (await exec(['test', '-e', '/sys/module/ipip'])).code === 0;
}

/** Registers the walk: one describe, one test per lab, in order. */
export function describeLabTextWalk(title: string, w: LabTextWalk): void {
  const catalog = loadCatalog();
  describe(title, () => {
    // Made when the walk starts (a walk filtered out leaves nothing behind), removed after it.
    const tmp = path.join(os.tmpdir(), `sct-texts-${w.cluster}`);
    // `cnilab` on PATH as the student has it, the cluster chosen by the environment.
    const bin = path.join(tmp, 'bin');
    beforeAll(() => {
      fs.mkdirSync(bin, { recursive: true });
      fs.symlinkSync(path.resolve('bin/cnilab'), path.join(bin, 'cnilab'));
    });
    const env: Record<string, string> = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: process.env.HOME ?? os.homedir(),
      NO_COLOR: '1',
      SIMPLECNI_CLUSTER: w.cluster,
      SIMPLECNI_BACKEND: w.backend,
      SIMPLECNI_WORKSPACE: path.join(tmp, 'workspace'),
      ...w.env,
    };
    const shells = new TextShells(env, process.cwd(), w.commandTimeoutMs);
    afterAll(async () => {
      await shells.closeAll();
      if (w.ownsCluster) await execCommand(['bin/cnilab', 'cluster', 'down'], { env });
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    for (const id of w.labs) {
      it(`lab ${id}: every command shows what the text shows`, async () => {
        const lab = findLab(catalog, id);
        const file = path.join('labs', lab.dir, 'lab.mdx');
        const notTyped = w.notTyped[id];
        if (notTyped) {
          console.log(`[${w.backend}] lab ${id}: NOT TYPED: ${notTyped.why}`);
          await notTyped.instead(shells);
          return;
        }
        const started = Date.now();
        // `cnilab start NN` asks before it replaces the workspace of the lab before; the student
        // answers y. This runner has no terminal to answer on: it removes the workspace instead.
        fs.rmSync(env.SIMPLECNI_WORKSPACE!, { recursive: true, force: true });
        const outcomes: StepOutcome[] = [];
        await runText(fs.readFileSync(path.join(labsDir(), lab.dir, 'lab.mdx'), 'utf8'), (place, command) => shells.run(place, command), {
          skip: WALK_SKIP,
          aliases: w.aliases,
          commandAliases: w.commandAliases,
          features: w.features,
          onStep: (o) => outcomes.push(o),
        });
        const typed = outcomes.filter((o) => !o.skipped);
        const key = (o: StepOutcome) => `${w.backend} ${id}:${o.step.line}`;
        const drifts = outcomes.filter(failed).map(key);
        console.log(
          `[${w.backend}] lab ${id}: ${typed.length} typed, ${outcomes.length - typed.length} not typed, ${drifts.length} drifted (${Math.round((Date.now() - started) / 1000)} s)` +
            outcomes
              .filter((o) => o.skipped)
              .map((o) => `\n    not typed ${file}:${o.step.line} ${o.step.command.split('\n')[0]}: ${o.skipped}`)
              .join(''),
        );
        const report = describeDrifts(file, outcomes.filter((o) => !w.known[key(o)]));
        if (report.length > 0) console.log(report.join('\n'));
        // The known ones too, shown apart: what each still looks like is what fixing it starts from.
        const known = describeDrifts(file, outcomes.filter((o) => w.known[key(o)]));
        if (known.length > 0) console.log(`[${w.backend}] lab ${id}, known drifts:\n${known.join('\n')}`);
        expect(typed.length).toBeGreaterThan(3);
        expect(report).toEqual([]);
        const fixed = Object.keys(w.known).filter((k) => k.startsWith(`${w.backend} ${id}:`) && !w.known[k]!.startsWith('varies:') && !drifts.includes(k));
        expect(fixed, 'listed as known drifts but matching the text now: remove them from the known list').toEqual([]);
      }, w.labTimeoutMs ?? 1_200_000);
    }

    w.more?.(shells, env);
  });
}
