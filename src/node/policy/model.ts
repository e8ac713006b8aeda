// Kubernetes NetworkPolicy (networking.k8s.io/v1), the subset SimpleCNI enforces, and its meaning.
// Anything outside the subset is refused with an error naming the field: a policy that is silently
// half-enforced is worse than one that is refused. Pure (no node: imports): the CLI, the node agent,
// the validators and the tests share it. Its errors carry a message id and parameters (texts.ts),
// so the CLI and the site say them in the reader's language.
//
// The subset: metadata.name (namespace "default"), spec.podSelector.matchLabels,
// spec.policyTypes [Ingress], spec.ingress[].from[] with podSelector.matchLabels or
// ipBlock {cidr, except}, spec.ingress[].ports[] with protocol TCP|UDP and a numeric port.
import { checkLabels, LabelError, matches, type Labels } from './labels.ts';
import { InputError, policyText, type PolicyText, type PolicyTextId } from './texts.ts';

export type Protocol = 'TCP' | 'UDP';

export interface IpBlock {
  cidr: string;
  except: string[];
}

/** One `from` entry: pods chosen by labels, or addresses. */
export type Peer = { podSelector: Labels } | { ipBlock: IpBlock };

export interface PolicyPort {
  protocol: Protocol;
  /** Absent: every port of the protocol. */
  port?: number;
}

export interface IngressRule {
  /** Empty: from anywhere. */
  from: Peer[];
  /** Empty: every port and protocol. */
  ports: PolicyPort[];
}

export interface Policy {
  name: string;
  namespace: string;
  /** Empty: every pod of the namespace. */
  podSelector: Labels;
  /** Empty with Ingress isolation: deny all ingress to the selected pods. */
  ingress: IngressRule[];
}

export class PolicyError extends InputError {}

function refuse(id: PolicyTextId, params?: PolicyText['params']): never {
  throw new PolicyError(policyText(id, params));
}
/** A value as the file has it, quoted when it is a string. */
const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);

const NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], where: string) {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) refuse('err.policy.unknownField', { field: `${where}${where ? '.' : ''}${k}`, subset: policyText('err.policy.subset') });
  }
}

function parseIpv4Cidr(s: unknown, where: string): [number, number] {
  const m = typeof s === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s) : null;
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const len = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || len > 32) refuse('err.policy.notCidr', { field: where, value: shown(s) });
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  return [addr, len];
}

const mask = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

/** Is the address inside the CIDR? */
export function inCidr(ip: string, cidr: string): boolean {
  const [net, len] = parseIpv4Cidr(cidr, 'cidr');
  return ((ipv4ToInt(ip) & mask(len)) >>> 0) === ((net & mask(len)) >>> 0);
}

function parseSelector(raw: unknown, where: string): Labels {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) return refuse('err.policy.selectorNotMap', { field: where });
  onlyKeys(raw, ['matchLabels'], where);
  try {
    return checkLabels(raw.matchLabels, `${where}.matchLabels`);
  } catch (err) {
    if (err instanceof LabelError) throw new PolicyError(err.text);
    throw err;
  }
}

function parsePeer(raw: unknown, where: string): Peer {
  if (!isObj(raw)) return refuse('err.policy.peerNotMap', { field: where });
  onlyKeys(raw, ['podSelector', 'ipBlock'], where);
  if ('podSelector' in raw && 'ipBlock' in raw) refuse('err.policy.peerBoth', { field: where });
  if ('podSelector' in raw) return { podSelector: parseSelector(raw.podSelector, `${where}.podSelector`) };
  if (!('ipBlock' in raw)) refuse('err.policy.peerNeither', { field: where });
  const b = raw.ipBlock;
  if (!isObj(b)) return refuse('err.policy.ipBlockNotMap', { field: `${where}.ipBlock` });
  onlyKeys(b, ['cidr', 'except'], `${where}.ipBlock`);
  const [net, len] = parseIpv4Cidr(b.cidr, `${where}.ipBlock.cidr`);
  if (b.except !== undefined && !Array.isArray(b.except)) refuse('err.policy.exceptNotList', { field: `${where}.ipBlock.except` });
  const except = ((b.except as unknown[] | undefined) ?? []).map((e, i) => {
    const w = `${where}.ipBlock.except[${i}]`;
    const [enet, elen] = parseIpv4Cidr(e, w);
    if (elen < len || ((enet & mask(len)) >>> 0) !== ((net & mask(len)) >>> 0)) refuse('err.policy.exceptOutside', { field: w, value: String(e), cidr: String(b.cidr) });
    return String(e);
  });
  return { ipBlock: { cidr: String(b.cidr), except } };
}

function parsePort(raw: unknown, where: string): PolicyPort {
  if (!isObj(raw)) return refuse('err.policy.portNotMap', { field: where });
  onlyKeys(raw, ['protocol', 'port'], where);
  const protocol = raw.protocol ?? 'TCP';
  if (protocol !== 'TCP' && protocol !== 'UDP') return refuse('err.policy.protocol', { field: `${where}.protocol`, value: shown(protocol) });
  if (raw.port === undefined) return { protocol };
  if (typeof raw.port === 'string') refuse('err.policy.namedPort', { field: `${where}.port`, value: shown(raw.port) });
  if (!Number.isInteger(raw.port) || (raw.port as number) < 1 || (raw.port as number) > 65535) refuse('err.policy.portRange', { field: `${where}.port`, value: shown(raw.port) });
  return { protocol, port: raw.port as number };
}

function list(raw: unknown, where: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) refuse('err.policy.notList', { field: where });
  return raw;
}

/**
 * One NetworkPolicy object (already parsed from YAML or JSON) → the model, or a PolicyError naming
 * the field. `where` names the object until its metadata.name is known (a file's document, say).
 */
export function parsePolicy(raw: unknown, where: string | PolicyText = 'NetworkPolicy'): Policy {
  if (!isObj(raw)) return refuse('err.policy.notMap', { at: where });
  // Once it is a NetworkPolicy with a name, the name says which one (a file may hold several).
  const md = raw.metadata;
  const name = raw.apiVersion === 'networking.k8s.io/v1' && raw.kind === 'NetworkPolicy' && isObj(md) && typeof md.name === 'string' && NAME_RE.test(md.name) ? md.name : undefined;
  try {
    return parseObject(raw);
  } catch (err) {
    if (err instanceof PolicyError) throw new PolicyError(policyText('err.policy.in', { at: name ? `NetworkPolicy "${name}"` : where, error: err.text }));
    throw err;
  }
}

function parseObject(raw: Record<string, unknown>): Policy {
  if (raw.apiVersion !== 'networking.k8s.io/v1') refuse('err.policy.apiVersion', { value: shown(raw.apiVersion) });
  if (raw.kind !== 'NetworkPolicy') refuse('err.policy.kind', { value: shown(raw.kind) });
  onlyKeys(raw, ['apiVersion', 'kind', 'metadata', 'spec'], '');
  const md = raw.metadata;
  if (!isObj(md)) return refuse('err.policy.noName');
  onlyKeys(md, ['name', 'namespace', 'labels', 'annotations'], 'metadata');
  if (typeof md.name !== 'string' || !NAME_RE.test(md.name)) refuse('err.policy.badName', { value: shown(md.name) });
  const name = md.name as string;
  const namespace = md.namespace ?? 'default';
  if (namespace !== 'default') refuse('err.policy.namespace', { value: shown(namespace) });
  const spec = raw.spec;
  if (!isObj(spec)) return refuse('err.policy.noSpec');
  onlyKeys(spec, ['podSelector', 'policyTypes', 'ingress'], 'spec');
  if (!('podSelector' in spec)) refuse('err.policy.noPodSelector');
  const podSelector = parseSelector(spec.podSelector, 'spec.podSelector');
  const types = list(spec.policyTypes, 'spec.policyTypes');
  for (const [i, t] of types.entries()) {
    if (t === 'Egress') refuse('err.policy.egress', { field: `spec.policyTypes[${i}]` });
    if (t !== 'Ingress') refuse('err.policy.policyType', { field: `spec.policyTypes[${i}]`, value: shown(t) });
  }
  const ingress = list(spec.ingress, 'spec.ingress').map((r, i) => {
    const w = `spec.ingress[${i}]`;
    if (!isObj(r)) return refuse('err.policy.ruleNotMap', { field: w });
    onlyKeys(r, ['from', 'ports'], w);
    return {
      from: list(r.from, `${w}.from`).map((p, j) => parsePeer(p, `${w}.from[${j}]`)),
      ports: list(r.ports, `${w}.ports`).map((p, j) => parsePort(p, `${w}.ports[${j}]`)),
    };
  });
  return { name, namespace: namespace as string, podSelector, ingress };
}

/** A pod as policies see it. */
export interface PodRef {
  node: string;
  name: string;
  ip: string;
  labels: Labels;
}

/** A connection attempt: who sends (a pod, or just an address), to which pod, protocol, port. */
export interface Flow {
  src: { ip: string; pod?: PodRef };
  dst: PodRef;
  protocol: Protocol;
  port: number;
}

export const selects = (p: Policy, pod: PodRef) => matches(p.podSelector, pod.labels);

function peerMatches(peer: Peer, src: Flow['src']): boolean {
  if ('podSelector' in peer) return src.pod !== undefined && matches(peer.podSelector, src.pod.labels);
  return inCidr(src.ip, peer.ipBlock.cidr) && !peer.ipBlock.except.some((e) => inCidr(src.ip, e));
}

function portMatches(p: PolicyPort, f: Flow): boolean {
  return p.protocol === f.protocol && (p.port === undefined || p.port === f.port);
}

export function ruleAllows(r: IngressRule, f: Flow): boolean {
  return (r.from.length === 0 || r.from.some((peer) => peerMatches(peer, f.src))) && (r.ports.length === 0 || r.ports.some((p) => portMatches(p, f)));
}

/**
 * Kubernetes' meaning: a pod selected by no policy accepts everything; a pod selected by one or
 * more is isolated, and a new connection is let in when any rule of any selecting policy allows
 * it (policies add up, they never subtract). Replies to allowed connections are not new connections.
 */
export function ingressVerdict(policies: readonly Policy[], f: Flow): { allowed: boolean; isolated: boolean; by?: string } {
  const selecting = policies.filter((p) => selects(p, f.dst));
  if (selecting.length === 0) return { allowed: true, isolated: false };
  for (const p of selecting) {
    const i = p.ingress.findIndex((r) => ruleAllows(r, f));
    if (i >= 0) return { allowed: true, isolated: true, by: `${p.name} ingress[${i}]` };
  }
  return { allowed: false, isolated: true };
}
