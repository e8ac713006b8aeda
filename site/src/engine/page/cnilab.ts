// `cnilab` in a node's shell in the tab: the student's loop with the same words the lab texts use.
// It goes through the page engine, so the terminal and the buttons do the same thing.
import type { Lab } from '../../../../src/labs/catalogParse.ts';
import { formatHuman } from '../../../../src/validators/report.ts';
import { errorMessage } from '../errors.ts';
import type { Engine } from '../types.ts';
import type { MachineProgram, SimMachine } from '../../../../src/sim/machine/machine.ts';
import type { Pods } from '../../../../src/runtime/pods.ts';
import type { LabEnv } from '../../../../src/cluster/backend.ts';
import { applyDataplane, DataplaneError, describeDataplane } from '../../../../src/cluster/dataplane.ts';
import { setMode } from '../../../../src/labs/solve.ts';
import { MODES, type Mode } from '../../../../src/shared/cniSpec.ts';
import { t, type Text } from '../../../../src/i18n/index.ts';
import { currentLang, tx } from '../../lib/lang.ts';

/** A message in the page's language (the buttons and this shell say the same). */
const text = (x: Text): string => t(currentLang(), x);

export interface CnilabDeps {
  engine: Engine;
  catalog: Lab[];
  /** The lab open in the page, when no lab is named. */
  currentLab(): string | undefined;
  supported(lab: Lab): string | undefined;
  pods: Pods;
  machine: SimMachine;
  /** The cluster as solve and reset see it (its mode is the machine's). */
  env: LabEnv;
}

const USAGE = `usage: cnilab <command> [lab]
  check [lab]        run the lab's checks (the lab open in the page when none is named)
  hint [lab]         reveal the next hint
  reset [lab]        put the lab back to its start
  solve [lab]        bring the nodes to the lab's end state (the reference solution)
  trace FROM TO      follow a ping hop by hop (FROM/TO: node1, node1/web, an address)
  pod add|del|list   pods through the CNI plugin (pod add NODE NAME)
  cluster mode MODE [--dry-run]   switch every node's cross-node data plane (${MODES.join(', ')})
  exec NODE[/POD] -- CMD   run a command on a node or in a pod
  shell NODE         where NODE's shell is in this tab (its own terminal)
`;

export function cnilabProgram(d: CnilabDeps): MachineProgram {
  const labArg = (a: string | undefined): Lab | string => {
    const id = a ?? d.currentLab();
    if (!id) return 'name a lab, e.g. cnilab check 01';
    const norm = /^\d$/.test(id) ? `0${id}` : id;
    return d.catalog.find((l) => l.id === norm || l.dir === id) ?? `no lab "${id}"; labs are ${d.catalog.map((l) => l.id).join(', ')}`;
  };
  return async ({ argv, node }) => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) };
    const code = await run(argv, io, node);
    return { code, stdout, stderr };
  };

  async function run(argv: string[], io: { stdout(s: string): void; stderr(s: string): void }, here: string): Promise<number> {
    const [, sub, ...rest] = argv;
    const err = (m: string, code = 1) => {
      io.stderr(`cnilab: ${m}\n`);
      return code;
    };
    try {
      switch (sub) {
        case undefined:
        case 'help':
        case '--help':
        case '-h':
          io.stdout(USAGE);
          return sub === undefined ? 1 : 0;
        case 'check': {
          const lab = labArg(rest.find((a) => !a.startsWith('-')));
          if (typeof lab === 'string') return err(lab);
          const why = d.supported(lab);
          if (why) return err(why);
          const done = await d.engine.check(lab.id, () => undefined);
          if (rest.includes('--json')) io.stdout(JSON.stringify(done, null, 2) + '\n');
          else io.stdout(formatHuman({ lab: lab.id, passed: done.passed, checks: done.checks }, lab.title) + '\n');
          return done.passed ? 0 : 1;
        }
        case 'hint': {
          const lab = labArg(rest[0]);
          if (typeof lab === 'string') return err(lab);
          const h = await d.engine.nextHint(lab.id);
          if (h.hints.length === 0) io.stdout(`Lab ${lab.id} has no hints.\n`);
          else io.stdout(`Hint ${h.hints.length} of ${h.hints.length + h.remaining} for lab ${lab.id}: ${h.hints[h.hints.length - 1]}\n`);
          return 0;
        }
        case 'reset':
        case 'solve': {
          const lab = labArg(rest[0]);
          if (typeof lab === 'string') return err(lab);
          const r = sub === 'reset' ? await d.engine.reset(lab.id) : await d.engine.solve!(lab.id);
          for (const line of r.msg ?? r.done) io.stdout(`✓ ${text(line)}\n`);
          if (r.done.length === 0) io.stdout(`${tx('reset.nothing')}\n`);
          return 0;
        }
        case 'trace': {
          const [from, to] = rest;
          if (!from || !to) return err('usage: cnilab trace FROM TO   (e.g. cnilab trace node1 node2)', 2);
          const t = await d.engine.trace!(from, to);
          for (const h of t.hops) io.stdout(`${h.direction === 'reply' ? '←' : '→'} ${h.where.padEnd(12)} ${h.step.padEnd(8)} ${text(h.msg ?? h.detail)}\n`);
          io.stdout(`${t.ok ? '✓' : '✗'} ${text(t.msg ?? t.summary)}\n`);
          return t.ok ? 0 : 1;
        }
        case 'pod': {
          const [verb, node, name] = rest;
          if (verb === 'list' || verb === 'ls') {
            const all = await d.pods.list(node);
            if (all.length === 0) io.stdout('no pods\n');
            for (const p of all) io.stdout(`${p.node}/${p.name}\t${p.address ?? '(no address)'}\n`);
            return 0;
          }
          if ((verb === 'add' || verb === 'del') && node && name) {
            if (verb === 'add') {
              const p = await d.pods.add(node, name);
              // The CLI's words, which the lab texts show.
              io.stdout(`✓ pod ${node}/${name} is up: ${p.address ?? '(no address)'}  netns ${p.netns}\n  try cnilab exec ${node}/${name} -- ip addr\n`);
            } else {
              const r = await d.pods.del(node, name);
              io.stdout(r.existed ? `✓ pod ${node}/${name} deleted\n` : `✓ pod ${node}/${name} did not exist (DEL ran anyway, as runtimes do)\n`);
            }
            return 0;
          }
          return err('usage: cnilab pod add NODE NAME | cnilab pod del NODE NAME | cnilab pod list [NODE]', 2);
        }
        case 'cluster': {
          const [verb, ...args] = rest;
          const m = args.find((a) => !a.startsWith('-'));
          if (verb !== 'mode' || !m) {
            return err(`usage: cnilab cluster mode MODE [--dry-run]   (MODE: ${MODES.join(', ')}). In this tab the cluster is always up: "cluster up", "down" and "status" are for a cluster on your machine.`, 2);
          }
          if (!(MODES as readonly string[]).includes(m)) return err(`unknown mode "${m}"\n  → choose one of ${MODES.join(', ')}`);
          const mode = m as Mode;
          const line = (l: { level: 'info' | 'warn'; text: string }) => (l.level === 'warn' ? io.stderr(`! ${l.text}\n`) : io.stdout(`${l.text}\n`));
          if (args.includes('--dry-run')) {
            for (const l of describeDataplane(await applyDataplane(d.env.driver, { mode, dryRun: true }), true, undefined, text)) line(l);
            return 0;
          }
          const previous = d.machine.mode;
          let applied;
          try {
            applied = await setMode(d.env, mode);
          } catch (e) {
            if (!(e instanceof DataplaneError)) throw e;
            // Put back what the nodes that did switch had, so the cluster stays in one mode.
            await applyDataplane(d.env.driver, { mode: previous }).catch(() => {});
            return err(`could not switch to mode ${mode}: ${e.message}\n  → the cluster stays in mode ${previous}`);
          }
          io.stdout(`✓ mode ${previous} → ${mode} on every node (pod MTU ${applied[0]?.podMtu ?? '?'} for new pods)\n`);
          for (const l of describeDataplane(applied, false, undefined, text)) line(l);
          io.stdout('Pods created before keep their interface MTU; re-create them to get the new one.\n');
          return 0;
        }
        case 'exec': {
          const sep = rest.indexOf('--');
          const where = rest[0];
          const cmd = sep >= 0 ? rest.slice(sep + 1) : rest.slice(1);
          if (!where || cmd.length === 0) return err('usage: cnilab exec NODE[/POD] -- COMMAND…', 2);
          const [node, pod] = where.split('/') as [string, string | undefined];
          const r = await d.machine.exec(node, cmd, pod ? { netns: `/run/simplecni-lab/pods/${node}/${pod}` } : {});
          io.stdout(r.stdout);
          io.stderr(r.stderr);
          return r.code;
        }
        case 'shell': {
          const target = rest[0];
          if (!target) return err('usage: cnilab shell NODE', 2);
          if (!d.machine.topology.nodes.some((n) => n.name === target)) return err(`there is no node "${target}"; nodes are ${d.machine.topology.nodes.map((n) => n.name).join(', ')}`);
          if (target === here) io.stdout(`You are on ${here} already: this terminal is its shell.\n`);
          else io.stdout(`In this tab every node has a terminal of its own: open the ${target} tab above the terminal (this one is ${here}'s). For one command, cnilab exec ${target} -- COMMAND.\n`);
          return 0;
        }
        case 'deploy':
        case 'start':
        case 'cni':
          return err(`"cnilab ${sub}" works on a workspace on your disk. In this tab, open the Code tab beside the terminals: it holds the lab's starter, and its Deploy builds it and installs it on every node.`);
        default:
          return err(`unknown command "${sub}"\n${USAGE}`, 2);
      }
    } catch (e) {
      return err(errorMessage(e));
    }
  }
}
