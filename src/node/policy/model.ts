// Kubernetes NetworkPolicy (networking.k8s.io/v1), the subset SimpleCNI enforces, and its meaning.
// Anything outside the subset is refused with an error naming the field: a policy that is silently
// half-enforced is worse than one that is refused. Pure (no node: imports): the CLI, the node agent,
// the validators and the tests share it.
//
// The subset: metadata.name (namespace "default"), spec.podSelector.matchLabels,
// spec.policyTypes [Ingress], spec.ingress[].from[] with podSelector.matchLabels or
// ipBlock {cidr, except}, spec.ingress[].ports[] with protocol TCP|UDP and a numeric port.
import { checkLabels, matches, type Labels } from './labels.ts';

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

export class PolicyError extends Error {}

const SUBSET =
  'SimpleCNI enforces spec.podSelector.matchLabels, policyTypes [Ingress], ingress[].from[] (podSelector.matchLabels or ipBlock) and ingress[].ports[] (protocol TCP or UDP, a numeric port)';

const NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], where: string) {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new PolicyError(`${where}${where ? '.' : ''}${k} is not supported: ${SUBSET}`);
  }
}

function parseIpv4Cidr(s: unknown, where: string): [number, number] {
  const m = typeof s === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s) : null;
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const len = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || len > 32) throw new PolicyError(`${where}: ${JSON.stringify(s)} is not an IPv4 CIDR such as 10.244.0.0/16 (IPv6 is not supported)`);
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
  if (!isObj(raw)) throw new PolicyError(`${where} must be a map (for example {matchLabels: {app: web}})`);
  onlyKeys(raw, ['matchLabels'], where);
  try {
    return checkLabels(raw.matchLabels, `${where}.matchLabels`);
  } catch (err) {
    throw new PolicyError((err as Error).message);
  }
}

function parsePeer(raw: unknown, where: string): Peer {
  if (!isObj(raw)) throw new PolicyError(`${where} must be a map with podSelector or ipBlock`);
  onlyKeys(raw, ['podSelector', 'ipBlock'], where);
  if ('podSelector' in raw && 'ipBlock' in raw) throw new PolicyError(`${where}: give podSelector or ipBlock, not both (Kubernetes refuses ipBlock beside a selector)`);
  if ('podSelector' in raw) return { podSelector: parseSelector(raw.podSelector, `${where}.podSelector`) };
  if (!('ipBlock' in raw)) throw new PolicyError(`${where} needs podSelector or ipBlock`);
  const b = raw.ipBlock;
  if (!isObj(b)) throw new PolicyError(`${where}.ipBlock must be a map with cidr (and except)`);
  onlyKeys(b, ['cidr', 'except'], `${where}.ipBlock`);
  const [net, len] = parseIpv4Cidr(b.cidr, `${where}.ipBlock.cidr`);
  if (b.except !== undefined && !Array.isArray(b.except)) throw new PolicyError(`${where}.ipBlock.except must be a list of CIDRs`);
  const except = ((b.except as unknown[] | undefined) ?? []).map((e, i) => {
    const w = `${where}.ipBlock.except[${i}]`;
    const [enet, elen] = parseIpv4Cidr(e, w);
    if (elen < len || ((enet & mask(len)) >>> 0) !== ((net & mask(len)) >>> 0)) throw new PolicyError(`${w}: ${String(e)} is not inside ${String(b.cidr)}`);
    return String(e);
  });
  return { ipBlock: { cidr: String(b.cidr), except } };
}

function parsePort(raw: unknown, where: string): PolicyPort {
  if (!isObj(raw)) throw new PolicyError(`${where} must be a map with protocol and port`);
  onlyKeys(raw, ['protocol', 'port'], where);
  const protocol = raw.protocol ?? 'TCP';
  if (protocol !== 'TCP' && protocol !== 'UDP') throw new PolicyError(`${where}.protocol: ${JSON.stringify(protocol)} is not supported (TCP or UDP)`);
  if (raw.port === undefined) return { protocol };
  if (typeof raw.port === 'string') throw new PolicyError(`${where}.port: named ports such as ${JSON.stringify(raw.port)} are not supported: give the number`);
  if (!Number.isInteger(raw.port) || (raw.port as number) < 1 || (raw.port as number) > 65535) throw new PolicyError(`${where}.port must be a number from 1 to 65535, got ${JSON.stringify(raw.port)}`);
  return { protocol, port: raw.port as number };
}

function list(raw: unknown, where: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new PolicyError(`${where} must be a list`);
  return raw;
}

/** One NetworkPolicy object (already parsed from YAML or JSON) → the model, or a PolicyError naming the field. */
export function parsePolicy(raw: unknown, where = 'NetworkPolicy'): Policy {
  if (!isObj(raw)) throw new PolicyError(`${where} is not a map`);
  if (raw.apiVersion !== 'networking.k8s.io/v1') throw new PolicyError(`${where}: apiVersion must be networking.k8s.io/v1, got ${JSON.stringify(raw.apiVersion)}`);
  if (raw.kind !== 'NetworkPolicy') throw new PolicyError(`${where}: kind must be NetworkPolicy, got ${JSON.stringify(raw.kind)}`);
  onlyKeys(raw, ['apiVersion', 'kind', 'metadata', 'spec'], '');
  const md = raw.metadata;
  if (!isObj(md)) throw new PolicyError(`${where}: metadata.name is missing`);
  onlyKeys(md, ['name', 'namespace', 'labels', 'annotations'], 'metadata');
  if (typeof md.name !== 'string' || !NAME_RE.test(md.name)) throw new PolicyError(`${where}: metadata.name must be a DNS name (lowercase letters, digits, "-" and "."), got ${JSON.stringify(md.name)}`);
  const name = md.name;
  const at = `NetworkPolicy "${name}"`;
  const namespace = md.namespace ?? 'default';
  if (namespace !== 'default') throw new PolicyError(`${at}: metadata.namespace ${JSON.stringify(namespace)} is not supported: every SimpleCNI pod is in namespace "default"`);
  const spec = raw.spec;
  if (!isObj(spec)) throw new PolicyError(`${at}: spec is missing`);
  onlyKeys(spec, ['podSelector', 'policyTypes', 'ingress'], 'spec');
  if (!('podSelector' in spec)) throw new PolicyError(`${at}: spec.podSelector is required ({} selects every pod)`);
  const podSelector = parseSelector(spec.podSelector, 'spec.podSelector');
  const types = list(spec.policyTypes, 'spec.policyTypes');
  for (const [i, t] of types.entries()) {
    if (t === 'Egress') throw new PolicyError(`${at}: spec.policyTypes[${i}] Egress is not supported: SimpleCNI enforces ingress only`);
    if (t !== 'Ingress') throw new PolicyError(`${at}: spec.policyTypes[${i}] must be Ingress, got ${JSON.stringify(t)}`);
  }
  const ingress = list(spec.ingress, 'spec.ingress').map((r, i) => {
    const w = `spec.ingress[${i}]`;
    if (!isObj(r)) throw new PolicyError(`${at}: ${w} must be a map (from, ports)`);
    try {
      onlyKeys(r, ['from', 'ports'], w);
      return {
        from: list(r.from, `${w}.from`).map((p, j) => parsePeer(p, `${w}.from[${j}]`)),
        ports: list(r.ports, `${w}.ports`).map((p, j) => parsePort(p, `${w}.ports[${j}]`)),
      };
    } catch (err) {
      throw new PolicyError(`${at}: ${(err as Error).message}`);
    }
  });
  return { name, namespace, podSelector, ingress };
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
