// `cnilab` in a node's shell in the tab: the student's loop with the same words the lab texts use.
// It goes through the page engine, so the terminal and the buttons do the same thing.
import type { Lab } from '../../../../src/labs/catalogParse.ts';
import { formatHuman } from '../../../../src/validators/report.ts';
import type { Engine } from '../types.ts';
import type { MachineProgram, SimMachine } from '../../../../src/sim/machine/machine.ts';
import type { Pods } from '../../../../src/runtime/pods.ts';
import type { LabEnv } from '../../../../src/cluster/backend.ts';
import { applyDataplane, DataplaneError, describeDataplane } from '../../../../src/cluster/dataplane.ts';
import { setMode } from '../../../../src/labs/solve.ts';
import { MODES, type Mode } from '../../../../src/shared/cniSpec.ts';
import { list, msg, t, type Lang, type MsgId, type Text } from '../../../../src/i18n/index.ts';
import { localizeCheck } from '../../../../src/i18n/checks.ts';
import { localizeHint, localizeLab } from '../../../../src/i18n/labs.ts';
import { readPolicies, resyncIfPolicies, syncPolicies } from '../../../../src/cluster/policySync.ts';
import { formatLabels, parseLabelArgs } from '../../../../src/node/policy/labels.ts';
import { parsePolicy, PolicyError } from '../../../../src/node/policy/model.ts';
import { policyText as policyMsg } from '../../../../src/node/policy/texts.ts';
import { errorText, TextError } from '../../../../src/i18n/text.ts';

/** A policy file's text: from the node's files (a path you wrote), else one of the kit's lab files. */
async function policyText(d: CnilabDeps, node: string, cwd: string, file: string): Promise<string> {
  const abs = file.startsWith('/') ? file : `${cwd.replace(/\/$/, '')}/${file}`;
  const fs = d.machine.fs(node);
  if (await fs.exists(abs)) return fs.readFile(abs);
  const kit = file.includes('labs/') ? await d.labFile?.(file.slice(file.indexOf('labs/'))) : undefined;
  if (kit !== undefined) return kit;
  throw new TextError(msg('cnilab.policyNoFile', { file, node }));
}

/** The NetworkPolicy documents of a YAML text, each checked (the CLI's readPolicyFile, in the tab). */
async function policiesOf(text: string, file: string): Promise<unknown[]> {
  const { parseAllDocuments } = await import('yaml');
  const out: unknown[] = [];
  for (const [i, d] of parseAllDocuments(text).entries()) {
    if (d.errors.length) throw new TextError(msg('cli.policy.notYaml', { file, n: i + 1, error: d.errors[0]!.message }));
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    try {
      parsePolicy(v, policyMsg('err.policy.document', { n: i + 1 }));
    } catch (err) {
      if (err instanceof PolicyError) throw new TextError(msg('cli.policy.invalid', { file, error: err.text }));
      throw err;
    }
    out.push(v);
  }
  if (out.length === 0) throw new TextError(msg('cli.policy.noPolicy', { file }));
  return out;
}

const policyName = (raw: unknown) => (raw as { metadata: { name: string } }).metadata.name;

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
  /** The page's language, which this shell speaks too (English when not given). */
  lang?(): Lang;
  /** One of the kit's lab files by its repository path ("labs/11-network-policy/db-from-frontend.yaml"). */
  labFile?(path: string): Promise<string | undefined>;
}


export function cnilabProgram(d: CnilabDeps): MachineProgram {
  const currentLang = (): Lang => d.lang?.() ?? 'en';
  /** A message in the page's language (the buttons and this shell say the same). */
  const text = (x: Text): string => t(currentLang(), x);
  const tx = (id: MsgId, params?: Record<string, Text>): string => text(msg(id, params));
  const usage = () => `${tx('cnilab.usage', { modes: MODES.join(', ') })}\n`;
  const labArg = (a: string | undefined): Lab | string => {
    const id = a ?? d.currentLab();
    if (!id) return tx('cnilab.nameLab');
    const norm = /^\d$/.test(id) ? `0${id}` : id;
    return d.catalog.find((l) => l.id === norm || l.dir === id) ?? tx('cli.lab.none', { id, labs: list(d.catalog.map((l) => l.id)) });
  };
  return async (ctx) => {
    const { argv, node } = ctx;
    let stdout = '';
    let stderr = '';
    const io = { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) };
    const code = await run(argv, io, node, ctx.cwd);
    return { code, stdout, stderr };
  };

  async function run(argv: string[], io: { stdout(s: string): void; stderr(s: string): void }, here: string, cwd: string): Promise<number> {
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
          io.stdout(usage());
          return sub === undefined ? 1 : 0;
        case 'check': {
          const lab = labArg(rest.find((a) => !a.startsWith('-')));
          if (typeof lab === 'string') return err(lab);
          const why = d.supported(lab);
          if (why) return err(why);
          const done = await d.engine.check(lab.id, () => undefined);
          if (rest.includes('--json')) io.stdout(JSON.stringify(done, null, 2) + '\n');
          else {
            const lang = currentLang();
            const checks = done.checks.map((c) => localizeCheck(lab.id, c, lang));
            io.stdout(formatHuman({ lab: lab.id, passed: done.passed, checks }, localizeLab(lab, lang).title, lang) + '\n');
          }
          return done.passed ? 0 : 1;
        }
        case 'hint': {
          const lab = labArg(rest[0]);
          if (typeof lab === 'string') return err(lab);
          const h = await d.engine.nextHint(lab.id);
          const i = h.hints.length;
          if (i === 0) io.stdout(`${tx('cnilab.noHints', { id: lab.id })}\n`);
          else io.stdout(`${tx('cnilab.hint', { i, n: i + h.remaining, id: lab.id, hint: localizeHint(lab.id, i - 1, h.hints[i - 1]!, currentLang()) })}\n`);
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
          if (!from || !to) return err(tx('cnilab.traceUsage'), 2);
          const t = await d.engine.trace!(from, to);
          for (const h of t.hops) io.stdout(`${h.direction === 'reply' ? '←' : '→'} ${h.where.padEnd(12)} ${h.step.padEnd(8)} ${text(h.msg ?? h.detail)}\n`);
          io.stdout(`${t.ok ? '✓' : '✗'} ${text(t.msg ?? t.summary)}\n`);
          return t.ok ? 0 : 1;
        }
        case 'pod': {
          const labels: string[] = [];
          const words: string[] = [];
          for (let i = 0; i < rest.length; i++) {
            const a = rest[i]!;
            if (a === '--label' || a === '-l') labels.push(rest[++i] ?? '');
            else if (a.startsWith('--label=')) labels.push(a.slice('--label='.length));
            else words.push(a);
          }
          const [verb, node, name] = words;
          if (verb === 'list' || verb === 'ls') {
            const all = await d.pods.list(node);
            if (all.length === 0) io.stdout(`${tx('cnilab.noPods')}\n`);
            for (const p of all) io.stdout(`${p.node}/${p.name}\t${p.address ?? tx('cli.pod.noAddress')}\t${p.labels && Object.keys(p.labels).length ? formatLabels(p.labels) : '-'}\n`);
            return 0;
          }
          if ((verb === 'add' || verb === 'del') && node && name) {
            if (verb === 'add') {
              const p = await d.pods.add(node, name, parseLabelArgs(labels));
              // The CLI's words, which the lab texts show.
              io.stdout(`✓ ${tx('cli.pod.up', { pod: `${node}/${name}`, address: p.address ?? tx('cli.pod.noAddress') })}  netns ${p.netns}\n  ${tx('cli.pod.try', { command: `cnilab exec ${node}/${name} -- ip addr` })}\n`);
            } else {
              const r = await d.pods.del(node, name);
              io.stdout(`✓ ${tx(r.existed ? 'cli.pod.deleted' : 'cli.pod.notThere', { pod: `${node}/${name}` })}\n`);
            }
            // Policies in force learn the pod that came or went, as the CLI's pod commands do.
            await resyncIfPolicies(d.env.driver);
            return 0;
          }
          return err(tx('cnilab.podUsage'), 2);
        }
        case 'policy': {
          const dryRun = rest.includes('--dry-run');
          const [verb, arg] = rest.filter((a) => !a.startsWith('--'));
          const current = await readPolicies(d.env.driver);
          let next: unknown[];
          let what: string;
          if (verb === 'list') {
            if (current.length === 0) io.stdout(`${tx('cli.policy.listEmpty', { command: 'cnilab policy apply FILE' })}\n`);
            for (const raw of current) {
              const p = parsePolicy(raw);
              io.stdout(`${p.name}\t${tx('cnilab.policySelects', { labels: Object.keys(p.podSelector).length ? formatLabels(p.podSelector) : tx('cli.policy.everyPod') })}\t${tx('cnilab.policyRules', { n: p.ingress.length })}\n`);
            }
            return 0;
          } else if (verb === 'apply' && arg) {
            const added = await policiesOf(await policyText(d, here, cwd, arg), arg);
            const names = new Set(added.map(policyName));
            next = [...current.filter((p) => !names.has(policyName(p))), ...added];
            what = tx('cli.policy.applied', { names: [...names].join(', ') });
          } else if (verb === 'delete' && arg) {
            if (!current.some((p) => policyName(p) === arg)) return err(current.length ? tx('cnilab.policyNone', { name: arg, names: current.map(policyName).join(', ') }) : tx('cnilab.policyNoneAtAll', { name: arg }));
            next = current.filter((p) => policyName(p) !== arg);
            what = tx('cli.policy.deleted', { name: arg });
          } else return err(tx('cnilab.policyUsage'), 2);
          const nodes = await syncPolicies(d.env.driver, next, { dryRun });
          if (dryRun) {
            for (const n of nodes) io.stdout(`# ${n.node}\n${n.ruleset}`);
            return 0;
          }
          io.stdout(`✓ ${what}\n`);
          for (const n of nodes) io.stdout(`  ${n.policies.length ? tx('cli.policy.isolated', { node: n.node, pods: n.isolated.join(', '), policies: n.policies.join(', ') }) : tx('cli.policy.noTable', { node: n.node })}\n`);
          io.stdout(`  ${tx('cli.policy.readIt', { command: 'cnilab exec node1 -- nft list table inet simplecni-policy' })}\n`);
          return 0;
        }
        case 'cluster': {
          const [verb, ...args] = rest;
          const m = args.find((a) => !a.startsWith('-'));
          if (verb !== 'mode' || !m) {
            return err(tx('cnilab.clusterUsage', { modes: MODES.join(', ') }), 2);
          }
          if (!(MODES as readonly string[]).includes(m)) return err(`${tx('cli.mode.unknown', { mode: m })}\n  → ${tx('cli.mode.choose', { modes: MODES.join(', ') })}`);
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
            return err(`${tx('cli.mode.switchFailed', { mode, error: e.message })}\n  → ${tx('cli.mode.stays', { mode: previous })}`);
          }
          io.stdout(`✓ ${tx('cli.mode.switched', { from: previous, to: mode, mtu: applied[0]?.podMtu ?? '?' })}\n`);
          for (const l of describeDataplane(applied, false, undefined, text)) line(l);
          io.stdout(`${tx('cli.mode.oldPods')}\n`);
          return 0;
        }
        case 'exec': {
          const sep = rest.indexOf('--');
          const where = rest[0];
          const cmd = sep >= 0 ? rest.slice(sep + 1) : rest.slice(1);
          if (!where || cmd.length === 0) return err(tx('cnilab.execUsage'), 2);
          const [node, pod] = where.split('/') as [string, string | undefined];
          const r = await d.machine.exec(node, cmd, pod ? { netns: `/run/simplecni-lab/pods/${node}/${pod}` } : {});
          io.stdout(r.stdout);
          io.stderr(r.stderr);
          return r.code;
        }
        case 'shell': {
          const target = rest[0];
          if (!target) return err(tx('cnilab.shellUsage'), 2);
          if (!d.machine.topology.nodes.some((n) => n.name === target)) return err(tx('cnilab.noNode', { node: target, nodes: list(d.machine.topology.nodes.map((n) => n.name)) }));
          if (target === here) io.stdout(`${tx('cnilab.shellHere', { node: here })}\n`);
          else io.stdout(`${tx('cnilab.shellOther', { node: target, here })}\n`);
          return 0;
        }
        case 'deploy':
        case 'start':
        case 'cni':
          return err(tx('cnilab.onDisk', { command: sub }));
        default:
          return err(`${tx('cnilab.unknown', { command: sub })}\n${usage()}`, 2);
      }
    } catch (e) {
      return err(text(errorText(e)));
    }
  }
}
