// `simplecni-node policy`: renders this node's NetworkPolicy ruleset from the policy file and loads
// it with one `nft -f` (create, delete, define: a single transaction, so the node never runs with
// half a ruleset and applying twice leaves the same table).
import * as fs from 'node:fs';
import { runCommand } from '../plugin/kernel/iprouteHost.ts';
import { parsePolicyFile } from './policy/policyFile.ts';
import { policiesOnNode, POLICY_FAMILY, POLICY_TABLE, renderRuleset } from './policy/render.ts';

export interface PolicyApply {
  node: string;
  dryRun: boolean;
  /** Policies selecting a pod of this node. */
  policies: string[];
  /** Pods of this node selected by a policy. */
  isolated: string[];
  /** The `nft -f` input. */
  ruleset: string;
}

const BRIDGE_NF = 'net.bridge.bridge-nf-call-iptables';

/**
 * Pods on one bridge talk without routing: their packets meet the inet hooks only when the bridge
 * hands them over (br_netfilter). Its switch is per network namespace, so this touches the node only.
 */
async function ensureBridgeSeesFilter(): Promise<void> {
  const r = await runCommand(['sysctl', '-n', BRIDGE_NF]);
  if (r.code !== 0) {
    throw new Error(
      `${BRIDGE_NF} does not exist here: this kernel has no br_netfilter loaded, so traffic between pods on one bridge would bypass the policy. On a node of its own (a VM) load it with \`modprobe br_netfilter\`; on the namespace backend, load it on the machine the namespaces run on.`,
    );
  }
  if (r.stdout.trim() === '1') return;
  const w = await runCommand(['sysctl', '-w', `${BRIDGE_NF}=1`]);
  if (w.code !== 0) throw new Error(`could not set ${BRIDGE_NF}=1: ${w.stderr.trim()}`);
}

export async function applyPolicy(opts: { file: string; node: string; dryRun: boolean }): Promise<PolicyApply> {
  let text: string;
  try {
    text = fs.readFileSync(opts.file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the policy file "${opts.file}": ${(err as Error).message}`);
    text = '{"policies":[],"pods":[]}'; // no policy file: no policy, every pod open
  }
  const { policies, pods } = parsePolicyFile(text, opts.file);
  const ruleset = renderRuleset(policies, pods, opts.node);
  const active = policiesOnNode(policies, pods, opts.node);
  const isolated = pods.filter((p) => p.node === opts.node && active.some((a) => Object.entries(a.podSelector).every(([k, v]) => p.labels[k] === v))).map((p) => p.name);
  if (!opts.dryRun) {
    if (active.length > 0) await ensureBridgeSeesFilter();
    const r = await runCommand(['nft', '-f', '-'], ruleset);
    if (r.code !== 0) throw new Error(`nft -f refused the ruleset for table ${POLICY_FAMILY} ${POLICY_TABLE}: ${r.stderr.trim()}`);
  }
  return { node: opts.node, dryRun: opts.dryRun, policies: active.map((p) => p.name), isolated, ruleset };
}
