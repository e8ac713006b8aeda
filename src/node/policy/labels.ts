// Pod labels, as Kubernetes spells them: `key=value`, where a key is an optional DNS-subdomain
// prefix and a name (`app`, `example.com/tier`) and a value is at most 63 characters.
// Pure: used by the CLI (`pod add --label`), the policy model and the node agent.

export type Labels = Record<string, string>;

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export class LabelError extends Error {}

/** Why a label key is invalid, or undefined when it is fine. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) return `the prefix "${prefix}" is not a DNS subdomain (lowercase letters, digits, "-" and ".")`;
  if (!NAME.test(name)) return `"${name}" must be 1-63 letters, digits, "-", "_" or ".", beginning and ending with a letter or digit`;
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  return VALUE.test(value) ? undefined : `the value "${value}" must be at most 63 letters, digits, "-", "_" or ".", beginning and ending with a letter or digit`;
}

/** Checks a label map (from a file or the command line); `where` names it in the error. */
export function checkLabels(raw: unknown, where: string): Labels {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new LabelError(`${where} must be a map of label keys to values`);
  const out: Labels = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new LabelError(`${where}.${k}: a label value is a string, got ${JSON.stringify(v)}`);
    const p = labelKeyProblem(k) ?? labelValueProblem(v);
    if (p) throw new LabelError(`${where}: label "${k}": ${p}`);
    out[k] = v;
  }
  return out;
}

/** `--label app=web --label tier=front` → { app: "web", tier: "front" }. */
export function parseLabelArgs(args: readonly string[]): Labels {
  const out: Labels = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new LabelError(`label "${a}" is not key=value (for example app=web)`);
    const k = a.slice(0, eq);
    const v = a.slice(eq + 1);
    const p = labelKeyProblem(k) ?? labelValueProblem(v);
    if (p) throw new LabelError(`label "${a}": ${p}`);
    if (k in out && out[k] !== v) throw new LabelError(`label "${k}" is given twice with different values`);
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
