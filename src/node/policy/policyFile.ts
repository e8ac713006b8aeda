// The policy file every node gets beside its cluster file (`simplecni-policy.json`): the
// NetworkPolicies as they were applied, and every pod of the cluster with its address and labels.
// The kit writes it (as the API server would be watched by Felix); the node agent renders it.
import { checkLabels } from './labels.ts';
import { parsePolicy, type Policy, type PodRef } from './model.ts';

export const POLICY_FILE_NAME = 'simplecni-policy.json';

export interface PolicyFileData {
  /** The NetworkPolicy objects, as applied (so `policy list` shows what the user wrote). */
  policies: unknown[];
  pods: PodRef[];
}

export class PolicyFileError extends Error {}

export function parsePolicyFile(text: string, file: string): { raw: PolicyFileData; policies: Policy[]; pods: PodRef[] } {
  const bad = (msg: string): never => {
    throw new PolicyFileError(`invalid policy file "${file}": ${msg}`);
  };
  let raw: any;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return bad(`not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(raw?.policies) || !Array.isArray(raw?.pods)) bad('it needs "policies" and "pods" lists');
  const policies = (raw.policies as unknown[]).map((p, i) => {
    try {
      return parsePolicy(p, `policies[${i}]`);
    } catch (err) {
      return bad((err as Error).message);
    }
  });
  const names = new Set<string>();
  for (const p of policies) {
    if (names.has(p.name)) bad(`policy "${p.name}" is listed twice`);
    names.add(p.name);
  }
  const pods = (raw.pods as any[]).map((p, i): PodRef => {
    if (typeof p?.node !== 'string' || typeof p?.name !== 'string') bad(`pods[${i}] needs "node" and "name"`);
    if (typeof p.ip !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(p.ip)) bad(`pods[${i}] (${p.node}/${p.name}): "ip" ${JSON.stringify(p.ip)} is not an IPv4 address`);
    let labels;
    try {
      labels = checkLabels(p.labels, `pods[${i}].labels`);
    } catch (err) {
      return bad((err as Error).message);
    }
    return { node: p.node, name: p.name, ip: p.ip, labels };
  });
  return { raw: { policies: raw.policies, pods }, policies, pods };
}

export function renderPolicyFile(data: PolicyFileData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}
