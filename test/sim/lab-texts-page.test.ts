// The lab-text runner driven by the page engine's cluster (the course in a browser tab): no
// process, no file on disk — the console blocks of labs 00, 01 and 04 typed into SimMachine shells
// (ShellSession, as a terminal tab types them), `cnilab` being the page's own command. What the
// page does its own way is not typed, each with why: a node's shell is its own tab, the cluster is
// always up, code is written and deployed in the Code tab (the reference stands in, installed as
// the page's solve installs it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cnilabProgram } from '../../site/src/engine/page/cnilab.ts';
import type { Engine } from '../../site/src/engine/types.ts';
import { loadTopology } from '../../src/cluster/topology.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { describeDrifts, failed, parseConsoleBlocks, runText, WALK_SKIP, type Place, type StepOutcome } from '../../src/labs/textRunner.ts';
import { CniRuntime } from '../../src/runtime/cniRuntime.ts';
import { Pods } from '../../src/runtime/pods.ts';
import { MachineDriver } from '../../src/sim/machine/driver.ts';
import { installBundles } from '../../src/sim/machine/hosted.ts';
import { SimMachine } from '../../src/sim/machine/machine.ts';
import { ShellSession } from '../../src/sim/machine/session.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import type { LabEnv } from '../../src/cluster/backend.ts';

const catalog = loadCatalog();

/** What the page does another way than the text's `$` lines, each with why. */
const PAGE_WAY: [RegExp, string][] = [
  [/^cnilab shell\b/, "in the tab, a node's shell is its own terminal tab"],
  [/^cnilab cluster up\b/, 'the cluster in the tab is always up'],
  [/^cnilab (start|deploy|cni)\b/, "in the tab, code is written and deployed in the Code tab; plugins are not called by hand from a workstation"],
];

/**
 * Where the page's files differ from the namespace backend's as the texts print them: the page's
 * nodes keep the plugins in /opt/cni/bin and leases in /var/lib/cni, as a VM does (MACHINE_PATHS).
 * Listed by `<lab>:<line>`; the test fails on any other drift and on a listed one that is gone.
 */
const PAGE_KNOWN: Record<string, string> = {
  '00:72': "the tab's fresh cluster has no cross-node routes: the page engine does not apply host-gw as `cnilab cluster up` does",
  '00:96': 'the plugins are in /opt/cni/bin on the page (MACHINE_PATHS), not /etc/cni/bin',
  '00:105': "the conflist's dataDir is /var/lib/cni/simplecni on the page",
};

async function pageCluster() {
  const machine = await SimMachine.create(loadTopology(), { timeScale: 0 });
  const driver = new MachineDriver(machine);
  const ctx = { driver, runtime: new CniRuntime(driver), pods: new Pods(driver), mode: 'host-gw' as const };
  // The checks as the page engine runs them: the validators over the in-tab node driver.
  const engine = {
    async check(id: string) {
      const report = await runLabChecks(findLab(catalog, id), ctx);
      return { type: 'done', lab: id, passed: report.passed, checks: report.checks };
    },
  } as unknown as Engine; // only `check` is reached by the commands typed here
  const env = { topology: machine.topology, driver } as unknown as LabEnv;
  machine.registerCommand('cnilab', cnilabProgram({ engine, catalog, currentLab: () => undefined, supported: () => undefined, pods: ctx.pods, machine, env }));
  const sessions = new Map<string, ShellSession>();
  const session = (node: string) => sessions.get(node) ?? sessions.set(node, new ShellSession(machine, node)).get(node)!;
  const read = (f: string) => fs.readFileSync(path.join('dist', f), 'utf8');
  // As the page engine starts: the reference plugin, its IPAM plugin and the node agent on every node.
  const reference = () => installBundles(machine, { simplecni: read('simplecni.cjs'), 'simplecni-ipam': read('simplecni-ipam.cjs'), 'simplecni-node': read('simplecni-node.cjs') });
  reference();
  return async (place: Place, command: string) => {
    if (/^cnilab solve \d\d --yes$/.test(command)) {
      reference(); // the page's solve deploys the reference so
      return { code: 0, output: '' };
    }
    // The text's workstation lines are typed where the tab has `cnilab`: node1's terminal.
    let output = '';
    const code = await session(place.kind === 'node' ? place.node : 'node1').run(command, { onStdout: (s) => (output += s) });
    return { code, output };
  };
}

describe('lab texts through the page engine (SimMachine + ShellSession)', () => {
  it("labs 00, 01 and 04 typed in the tab's shells show what the texts show", async () => {
    const exec = await pageCluster();
    const report: string[] = [];
    const drifts: string[] = [];
    for (const id of ['00', '01', '04']) {
      const lab = findLab(catalog, id);
      const file = path.join('labs', lab.dir, 'lab.mdx');
      // A pod's namespace is pinned per node under /run/simplecni-lab/pods/ in the tab.
      const aliases = Object.fromEntries(['node1', 'node2', 'node3'].map((n) => [`/run/simplecni-lab/pods/${n}/`, `/run/simplecni-lab/lab/nodes/${n}/netns/`]));
      const text = fs.readFileSync(file, 'utf8');
      // Lab 04's opening shows the starter failing: in the tab the starter is deployed from the Code
      // tab, which this runner does not type. The lab is typed from where the reference stands in.
      const from = id === '04' ? parseConsoleBlocks(text).find((b) => b.run.length > 0)!.line : 0;
      const outcomes: StepOutcome[] = await runText(text, exec, { skip: [...PAGE_WAY, ...WALK_SKIP], aliases, from });
      const typed = outcomes.filter((o) => !o.skipped).length;
      drifts.push(...outcomes.filter(failed).map((o) => `${id}:${o.step.line}`));
      console.log(`[page] lab ${id}: ${typed} typed, ${outcomes.length - typed} not typed, ${outcomes.filter(failed).length} drifted`);
      expect(typed).toBeGreaterThan(5);
      report.push(...describeDrifts(file, outcomes.filter((o) => !PAGE_KNOWN[`${id}:${o.step.line}`])));
    }
    if (report.length) console.log(report.join('\n'));
    expect(report).toEqual([]);
    expect(Object.keys(PAGE_KNOWN).filter((k) => !drifts.includes(k)), 'listed as known but matching now').toEqual([]);
  }, 300_000);
});
