// NetworkPolicy across the cluster: the policies and every pod's address and labels go to every
// worker in its policy file (like the cluster file), then each node's agent renders its own
// nftables table (`simplecni-node policy`). Works through the node driver, so on every backend.
import * as path from 'node:path';
import type { PolicyApply } from '../node/policyAgent.ts';
import { parsePolicy } from '../node/policy/model.ts';
import { parsePolicyFile, POLICY_FILE_NAME, renderPolicyFile, type PolicyFileData } from '../node/policy/policyFile.ts';
import type { PodRef } from '../node/policy/model.ts';
import { Pods } from '../runtime/pods.ts';
import type { NodeDriver } from './driver.ts';
import { workers } from './topology.ts';
import { errorText, TextError } from '../i18n/text.ts';

export class PolicySyncError extends TextError {}

/** Where a node keeps its policy file: beside its cluster file. */
export const policyFilePath = (driver: NodeDriver, node: string) => path.posix.join(path.posix.dirname(driver.paths(node).clusterFile), POLICY_FILE_NAME);

/** The policies in force: as the first worker's policy file has them (the kit writes the same file to all). */
export async function readPolicies(driver: NodeDriver): Promise<unknown[]> {
  const first = workers(driver.topology)[0]!.name;
  const file = policyFilePath(driver, first);
  const r = await driver.exec(first, ['cat', file]);
  if (r.code !== 0) return [];
  return parsePolicyFile(r.stdout, `${first}:${file}`).raw.policies;
}

/** Every pod with an address, as policies see it. */
export async function podRefs(driver: NodeDriver): Promise<PodRef[]> {
  return (await new Pods(driver).list()).filter((p) => p.address).map((p) => ({ node: p.node, name: p.name, ip: p.address!.split('/')[0]!, labels: p.labels ?? {} }));
}

async function writeNodeFile(driver: NodeDriver, node: string, file: string, content: string) {
  try {
    await driver.files.write(node, file, content);
  } catch (err) {
    throw new PolicySyncError(errorText(err));
  }
}

/**
 * Writes the policy file to every worker and runs the node agent there. On a dry run the file
 * goes to a scratch path beside it and is removed again: the nodes keep what they had.
 */
export async function syncPolicies(driver: NodeDriver, policies: unknown[], opts: { dryRun?: boolean } = {}): Promise<PolicyApply[]> {
  policies.forEach((p, i) => parsePolicy(p, `policies[${i}]`)); // refuse before touching any node
  const data: PolicyFileData = { policies, pods: await podRefs(driver) };
  const out: PolicyApply[] = [];
  for (const n of workers(driver.topology)) {
    const real = policyFilePath(driver, n.name);
    const file = opts.dryRun ? `${real}.dry-run` : real;
    await writeNodeFile(driver, n.name, file, renderPolicyFile(data));
    try {
      const argv = [path.posix.join(driver.paths(n.name).binDir, 'simplecni-node'), 'policy', '--json', '--node', n.name, '--policy-file', file];
      if (opts.dryRun) argv.push('--dry-run');
      const r = await driver.exec(n.name, argv);
      if (r.code !== 0) throw new PolicySyncError(`${n.name}: ${r.stderr.trim().replace(/^simplecni-node: /, '') || `exit code ${r.code}`}`);
      out.push(JSON.parse(r.stdout) as PolicyApply);
    } finally {
      if (opts.dryRun) await driver.exec(n.name, ['rm', '-f', file]);
    }
  }
  return out;
}

/** After a pod came or went: if any policy is in force, every node learns the new pod list. */
export async function resyncIfPolicies(driver: NodeDriver): Promise<PolicyApply[] | undefined> {
  const policies = await readPolicies(driver);
  if (policies.length === 0) return undefined;
  return syncPolicies(driver, policies);
}
