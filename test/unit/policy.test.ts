// NetworkPolicy semantics against Kubernetes' documented examples
// (kubernetes.io/docs/concepts/services-networking/network-policies/), and the refusal of
// everything outside SimpleCNI's subset.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LAB11_POLICY } from '../../src/validators/labs/lab11.ts';
import { parseLabelArgs } from '../../src/node/policy/labels.ts';
import { ingressVerdict, parsePolicy, type Flow, type Policy, type PodRef } from '../../src/node/policy/model.ts';
import { renderRuleset } from '../../src/node/policy/render.ts';

const np = (name: string, spec: Record<string, unknown>) => parsePolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec });

const db: PodRef = { node: 'node1', name: 'db', ip: '10.244.1.2', labels: { role: 'db' } };
const front: PodRef = { node: 'node2', name: 'front', ip: '10.244.2.2', labels: { role: 'frontend' } };
const other: PodRef = { node: 'node2', name: 'other', ip: '10.244.2.3', labels: {} };
const pods = [db, front, other];

const flow = (src: PodRef | string, dst: PodRef, port = 6379, protocol: 'TCP' | 'UDP' = 'TCP'): Flow => ({
  src: typeof src === 'string' ? { ip: src } : { ip: src.ip, pod: src },
  dst,
  port,
  protocol,
});

// The documentation's "test-network-policy", ingress half (namespaceSelector left out: one namespace).
const docExample = np('test-network-policy', {
  podSelector: { matchLabels: { role: 'db' } },
  policyTypes: ['Ingress'],
  ingress: [
    {
      from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }, { podSelector: { matchLabels: { role: 'frontend' } } }],
      ports: [{ protocol: 'TCP', port: 6379 }],
    },
  ],
});

describe('NetworkPolicy semantics', () => {
  it('a pod selected by no policy accepts everything', () => {
    expect(ingressVerdict([docExample], flow(db, other))).toEqual({ allowed: true, isolated: false });
    expect(ingressVerdict([], flow(other, db))).toEqual({ allowed: true, isolated: false });
  });

  it('the documented example: frontend pods and the ipBlock reach db on TCP 6379, nothing else does', () => {
    expect(ingressVerdict([docExample], flow(front, db)).allowed).toBe(true);
    expect(ingressVerdict([docExample], flow(other, db))).toEqual({ allowed: false, isolated: true });
    expect(ingressVerdict([docExample], flow(front, db, 80)).allowed).toBe(false);
    expect(ingressVerdict([docExample], flow(front, db, 6379, 'UDP')).allowed).toBe(false);
    expect(ingressVerdict([docExample], flow('172.17.2.9', db)).allowed).toBe(true);
    expect(ingressVerdict([docExample], flow('172.17.1.9', db)).allowed).toBe(false); // except
    expect(ingressVerdict([docExample], flow('172.18.0.1', db)).allowed).toBe(false);
  });

  it('default deny all ingress: an empty podSelector selects every pod, no rule allows anything', () => {
    const denyAll = np('default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    for (const dst of pods) expect(ingressVerdict([denyAll], flow(front, dst)).allowed).toBe(false);
  });

  it('allow all ingress: one empty rule allows everything, and policies add up', () => {
    const denyAll = np('default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    const allowAll = np('allow-all-ingress', { podSelector: {}, ingress: [{}] });
    expect(ingressVerdict([denyAll, allowAll], flow(other, db, 1)).allowed).toBe(true);
    expect(ingressVerdict([denyAll, docExample], flow(front, db)).allowed).toBe(true);
    expect(ingressVerdict([denyAll, docExample], flow(front, other)).allowed).toBe(false);
  });

  it('an empty podSelector in from selects every pod, but not addresses outside the pods', () => {
    const p = np('from-pods', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ podSelector: {} }] }] });
    expect(ingressVerdict([p], flow(other, db)).allowed).toBe(true);
    expect(ingressVerdict([p], flow('192.168.56.12', db)).allowed).toBe(false);
  });

  it('ports without from allow every source on those ports; a port without number allows the whole protocol', () => {
    const p = np('web', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ ports: [{ port: 80 }, { protocol: 'UDP' }] }] });
    expect(ingressVerdict([p], flow('10.9.9.9', db, 80)).allowed).toBe(true);
    expect(ingressVerdict([p], flow(other, db, 81)).allowed).toBe(false);
    expect(ingressVerdict([p], flow(other, db, 5353, 'UDP')).allowed).toBe(true);
  });
});

describe('the subset: anything else is refused by name', () => {
  const base = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' } };
  const refuse = (spec: unknown, msg: RegExp) => expect(() => parsePolicy({ ...base, spec })).toThrow(msg);
  it('names the unsupported field', () => {
    refuse({ podSelector: {}, egress: [] }, /spec\.egress is not supported/);
    refuse({ podSelector: {}, policyTypes: ['Egress'] }, /spec\.policyTypes\[0\] Egress is not supported/);
    refuse({ podSelector: { matchExpressions: [] } }, /spec\.podSelector\.matchExpressions is not supported/);
    refuse({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }, /spec\.ingress\[0\]\.from\[0\]\.namespaceSelector is not supported/);
    refuse({ podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] }, /ports\[0\]\.port: named ports/);
    refuse({ podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 90 }] }] }, /ports\[0\]\.endPort is not supported/);
    refuse({ podSelector: {}, ingress: [{ ports: [{ protocol: 'SCTP' }] }] }, /protocol: "SCTP" is not supported/);
    refuse({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/8'] } }] }] }, /except\[0\]: 11\.0\.0\.0\/8 is not inside 10\.0\.0\.0\/8/);
    refuse({}, /spec\.podSelector is required/);
    expect(() => parsePolicy({ ...base, kind: 'Policy' })).toThrow(/kind must be NetworkPolicy/);
    expect(() => parsePolicy({ ...base, metadata: { name: 'p', namespace: 'prod' }, spec: { podSelector: {} } })).toThrow(/metadata\.namespace "prod"/);
  });

  it('labels on the command line are key=value', () => {
    expect(parseLabelArgs(['app=web', 'example.com/tier=front'])).toEqual({ app: 'web', 'example.com/tier': 'front' });
    expect(() => parseLabelArgs(['app'])).toThrow(/not key=value/);
    expect(() => parseLabelArgs(['app=-x'])).toThrow(/value "-x"/);
  });
});

describe('rendering to nftables', () => {
  it('one table replaced in one transaction, sets of pod addresses, replies first, comments naming policy and rule', () => {
    const text = renderRuleset([docExample], pods, 'node1');
    expect(text).toMatch(/^# [^\n]*\ntable inet simplecni-policy\ndelete table inet simplecni-policy\ntable inet simplecni-policy \{/);
    expect(text).toContain('set sel_test-network-policy {\n\t\ttype ipv4_addr\n\t\telements = { 10.244.1.2 }');
    expect(text).toContain('set peers_test-network-policy_0_1 {\n\t\ttype ipv4_addr\n\t\telements = { 10.244.2.2 }');
    const fwd = text.slice(text.indexOf('chain forward'));
    expect(fwd.indexOf('ct state established,related accept')).toBeLessThan(fwd.indexOf('jump ingress'));
    expect(text).toContain('ip daddr @sel_test-network-policy ip saddr 172.17.0.0/16 ip saddr != { 172.17.1.0/24 } tcp dport 6379 counter accept comment "policy test-network-policy ingress[0] from[0] ports[0]"');
    expect(text).toContain('ip daddr @sel_test-network-policy ip saddr @peers_test-network-policy_0_1 tcp dport 6379 counter accept comment "policy test-network-policy ingress[0] from[1] ports[0]"');
    expect(text.trimEnd().endsWith('counter drop comment "selected by a policy, allowed by none"\n\t}\n}')).toBe(true);
  });

  it('a node with no selected pod gets no table at all', () => {
    expect(renderRuleset([docExample], pods, 'node2')).not.toContain('chain');
    expect(renderRuleset([], pods, 'node1')).toMatch(/delete table inet simplecni-policy\n$/);
  });
});

describe('lab 11', () => {
  it('its YAML file is the policy its checks and solve use', () => {
    const text = fs.readFileSync('labs/11-network-policy/db-from-frontend.yaml', 'utf8');
    expect(parse(text)).toEqual(LAB11_POLICY);
    expect(parsePolicy(LAB11_POLICY).name).toBe('db-from-frontend');
  });
});

export type { Policy };
