// Runs `simplecni-node apply` on every worker: the cross-node data plane for the cluster's mode.
import * as path from 'node:path';
import type { NodeDriver } from './driver.ts';
import { workers } from './topology.ts';
import { english, msg, type Text } from '../i18n/text.ts';

export interface NodeApply {
  node: string;
  mode: string;
  podMtu: number;
  uplink: string;
  dryRun: boolean;
  commands: string[];
  applied: number;
  unreachable: { node: string; podSubnet: string; why: string }[];
}

export class DataplaneError extends Error {}

/** A line of what `cnilab cluster mode` prints of a node's apply: `warn` lines go to stderr with a "!". */
export interface DataplaneLine {
  level: 'info' | 'warn';
  text: string;
}

const plain = (s: string) => s;

/**
 * What `cnilab cluster mode` prints of each node's apply: a heading, the commands (all of them on
 * a dry run, those it ran otherwise), and the pod subnets the node cannot reach. `style` colours a
 * terminal's text (the CLI's picocolors); plain by default.
 */
export function describeDataplane(
  nodes: NodeApply[],
  dryRun: boolean,
  style: { bold(s: string): string; dim(s: string): string } = { bold: plain, dim: plain },
  say: (text: Text) => string = english,
): DataplaneLine[] {
  const out: DataplaneLine[] = [];
  for (const n of nodes) {
    const head = say(dryRun ? msg('dp.wouldRun', { node: n.node, n: n.commands.length }) : n.applied ? msg('dp.changes', { node: n.node, n: n.applied }) : msg('dp.inPlace', { node: n.node }));
    const facts = say(msg('dp.facts', { mode: n.mode, uplink: n.uplink, mtu: n.podMtu }));
    out.push({ level: 'info', text: say(msg('dp.line', { head: style.bold(head), facts: style.dim(facts) })) });
    if (dryRun || n.applied) for (const c of n.commands) out.push({ level: 'info', text: `  ${style.dim(dryRun ? '' : '+ ')}${c}` });
    for (const u of n.unreachable) out.push({ level: 'warn', text: `${n.node}: ${u.why}` });
  }
  return out;
}

export async function applyDataplane(driver: NodeDriver, opts: { mode?: string; dryRun?: boolean } = {}): Promise<NodeApply[]> {
  // One node at a time: the output reads in order, and each node is quick.
  const out: NodeApply[] = [];
  for (const n of workers(driver.topology)) {
    const paths = driver.paths(n.name);
    const argv = [path.join(paths.binDir, 'simplecni-node'), 'apply', '--json', '--node', n.name, '--cluster-file', paths.clusterFile];
    if (opts.mode) argv.push('--mode', opts.mode);
    if (opts.dryRun) argv.push('--dry-run');
    const r = await driver.exec(n.name, argv);
    if (r.code !== 0) throw new DataplaneError(`${n.name}: ${r.stderr.trim().replace(/^simplecni-node: /, '') || `exit code ${r.code}`}`);
    out.push(JSON.parse(r.stdout) as NodeApply);
  }
  return out;
}
