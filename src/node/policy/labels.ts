// Pod labels, as Kubernetes spells them: `key=value`, where a key is an optional DNS-subdomain
// prefix and a name (`app`, `example.com/tier`) and a value is at most 63 characters.
// Pure: used by the CLI (`pod add --label`), the policy model and the node agent. Errors carry a
// message id and parameters (texts.ts), so the CLI and the site say them in the reader's language.
import { InputError, policyText, type PolicyText } from './texts.ts';

export type Labels = Record<string, string>;

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export class LabelError extends InputError {}

/** Why a label key is invalid, or undefined when it is fine. */
export function labelKeyProblem(key: string): PolicyText | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) return policyText('err.label.prefix', { prefix });
  if (!NAME.test(name)) return policyText('err.label.name', { name });
  return undefined;
}

export function labelValueProblem(value: string): PolicyText | undefined {
  return VALUE.test(value) ? undefined : policyText('err.label.value', { value });
}

/** Checks a label map (from a file or the command line); `where` names it in the error. */
export function checkLabels(raw: unknown, where: string): Labels {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new LabelError(policyText('err.label.notMap', { field: where }));
  const out: Labels = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new LabelError(policyText('err.label.notString', { field: `${where}.${k}`, value: JSON.stringify(v) ?? String(v) }));
    const p = labelKeyProblem(k) ?? labelValueProblem(v);
    if (p) throw new LabelError(policyText('err.label.bad', { field: where, key: k, problem: p }));
    out[k] = v;
  }
  return out;
}

/** `--label app=web --label tier=front` → { app: "web", tier: "front" }. */
export function parseLabelArgs(args: readonly string[]): Labels {
  const out: Labels = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new LabelError(policyText('err.label.notKeyValue', { arg: a }));
    const k = a.slice(0, eq);
    const v = a.slice(eq + 1);
    const p = labelKeyProblem(k) ?? labelValueProblem(v);
    if (p) throw new LabelError(policyText('err.label.badArg', { arg: a, problem: p }));
    if (k in out && out[k] !== v) throw new LabelError(policyText('err.label.twice', { key: k }));
    out[k] = v;
  }
  return out;
}

/** matchLabels semantics: every pair must be present; an empty selector selects everything. */
export function matches(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export const formatLabels = (l: Labels) =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
