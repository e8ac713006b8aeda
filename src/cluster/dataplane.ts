// Runs `simplecni-node apply` on every worker: the cross-node data plane for the cluster's mode.
import * as path from 'node:path';
import type { NodeDriver } from './driver.ts';
import { workers } from './topology.ts';

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
