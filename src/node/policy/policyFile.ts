// The policy file every node gets beside its cluster file (`simplecni-policy.json`): the
// NetworkPolicies as they were applied, and every pod of the cluster with its address and labels.
// The kit writes it (as the API server would be watched by Felix); the node agent renders it.
import { checkLabels, LabelError } from './labels.ts';
import { parsePolicy, PolicyError, type Policy, type PodRef } from './model.ts';
import { InputError, policyText, type PolicyText } from './texts.ts';

export const POLICY_FILE_NAME = 'simplecni-policy.json';

export interface PolicyFileData {
  /** The NetworkPolicy objects, as applied (so `policy list` shows what the user wrote). */
  policies: unknown[];
  pods: PodRef[];
}

export class PolicyFileError extends InputError {}

export function parsePolicyFile(text: string, file: string): { raw: PolicyFileData; policies: Policy[]; pods: PodRef[] } {
  const bad = (error: PolicyText): never => {
    throw new PolicyFileError(policyText('err.policyFile.invalid', { file, error }));
  };
  const inner = (err: unknown): never => {
    if (err instanceof PolicyError || err instanceof LabelError) return bad(err.text);
    throw err;
  };
  let raw: any;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return bad(policyText('err.policyFile.notJson', { error: (err as Error).message }));
  }
  if (!Array.isArray(raw?.policies) || !Array.isArray(raw?.pods)) bad(policyText('err.policyFile.lists'));
  const policies = (raw.policies as unknown[]).map((p, i) => {
    try {
      return parsePolicy(p, `policies[${i}]`);
    } catch (err) {
      return inner(err);
    }
  });
  const names = new Set<string>();
  for (const p of policies) {
    if (names.has(p.name)) bad(policyText('err.policyFile.twice', { name: p.name }));
    names.add(p.name);
  }
  const pods = (raw.pods as any[]).map((p, i): PodRef => {
    if (typeof p?.node !== 'string' || typeof p?.name !== 'string') bad(policyText('err.policyFile.podNames', { field: `pods[${i}]` }));
    if (typeof p.ip !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(p.ip)) bad(policyText('err.policyFile.podIp', { field: `pods[${i}]`, pod: `${p.node}/${p.name}`, value: JSON.stringify(p.ip) ?? String(p.ip) }));
    let labels;
    try {
      labels = checkLabels(p.labels, `pods[${i}].labels`);
    } catch (err) {
      return inner(err);
    }
    return { node: p.node, name: p.name, ip: p.ip, labels };
  });
  return { raw: { policies: raw.policies, pods }, policies, pods };
}

export function renderPolicyFile(data: PolicyFileData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}
