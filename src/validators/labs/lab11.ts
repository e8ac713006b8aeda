// 11 · NetworkPolicy: behaviour through real TCP probes between pods, plus the ruleset's shape.
// The lab's state: db (role=db) on node1, front (role=frontend) on node2, the unlabelled web pods
// on node1 and node2, and the policy db-from-frontend (labs/11-network-policy/db-from-frontend.yaml).
import type { PodInfo } from '../../runtime/pods.ts';
import { tcpProbe, withListener } from '../tcpProbe.ts';
import { fail, pass, type CheckContext, type CheckFn, type Verdict } from '../types.ts';

export const LAB11_POLICY_NAME = 'db-from-frontend';
export const LAB11_PORT = 6379;
/** The policy the lab applies (the same object as labs/11-network-policy/db-from-frontend.yaml). */
export const LAB11_POLICY = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: LAB11_POLICY_NAME },
  spec: {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ protocol: 'TCP', port: LAB11_PORT }] }],
  },
};
/** The lab's pods: node, name, labels. */
export const LAB11_PODS: [string, string, Record<string, string>][] = [
  ['node1', 'db', { role: 'db' }],
  ['node2', 'front', { role: 'frontend' }],
  ['node1', 'web', {}],
  ['node2', 'web', {}],
];

const OTHER_PORT = 80;
const ip = (p: PodInfo) => p.address!.split('/')[0]!;

async function labPods(ctx: CheckContext): Promise<Record<string, PodInfo> | Verdict> {
  const all = await ctx.pods.list();
  const out: Record<string, PodInfo> = {};
  const missing: string[] = [];
  for (const [node, name, labels] of LAB11_PODS) {
    const p = all.find((x) => x.node === node && x.name === name && x.address);
    const wrong = p && Object.entries(labels).some(([k, v]) => p.labels?.[k] !== v);
    if (!p || wrong) missing.push(`${node}/${name}${Object.keys(labels).length ? ` with ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}` : ''}`);
    else out[`${node}/${name}`] = p;
  }
  if (missing.length === 0) return out;
  return fail('the lab’s pods: db (role=db) on node1, front (role=frontend) on node2, web on node1 and node2', `missing: ${missing.join(', ')}`, 'The lab’s steps add its pods with their labels; a pod added without a label is selected by nothing.');
}

const probe = (ctx: CheckContext, from: PodInfo, to: PodInfo, port: number) => tcpProbe(ctx.driver, from.node, from.name, ip(to), port);
const name = (p: PodInfo) => `${p.node}/${p.name}`;

export const checks: Record<string, CheckFn> = {
  'policy-ruleset': async (ctx) => {
    const pods = await labPods(ctx);
    if ('passed' in pods) return pods as Verdict;
    const db = pods['node1/db']!;
    const expected = `node1: table inet simplecni-policy with a forward-hook chain whose first rule accepts established,related; a set holding db (${ip(db)}); rules whose comments name ${LAB11_POLICY_NAME}`;
    const r = await ctx.driver.exec('node1', ['nft', 'list', 'table', 'inet', 'simplecni-policy']);
    if (r.code !== 0) return fail(expected, 'node1 has no table inet simplecni-policy', 'The node agent renders the policies into a table of its own: did `cnilab policy apply` run after your agent was deployed?');
    const lines = r.stdout.split('\n').map((l) => l.trim());
    const hook = lines.findIndex((l) => /type filter hook forward priority/.test(l));
    const first = hook >= 0 ? lines.slice(hook + 1).find((l) => l !== '') : undefined;
    const setHasDb = new RegExp(`elements = \\{[^}]*\\b${ip(db).replace(/\./g, '\\.')}\\b`).test(r.stdout);
    const named = r.stdout.includes(`comment "policy ${LAB11_POLICY_NAME}`);
    const problems = [
      hook < 0 && 'no chain on the forward hook',
      hook >= 0 && !/^ct state established,related accept\b/.test(first ?? '') && `the forward chain begins with "${first ?? '(nothing)'}", not the replies' accept`,
      !setHasDb && `no set holds db's address ${ip(db)}`,
      !named && `no rule's comment names ${LAB11_POLICY_NAME}`,
    ].filter((x): x is string => typeof x === 'string');
    return problems.length === 0 ? pass(expected) : fail(expected, problems.join('; '), 'Read it with `nft list table inet simplecni-policy` on node1: where do packets to a pod enter, and which rule must come before every other?');
  },

  'policy-allowed': async (ctx) => {
    const pods = await labPods(ctx);
    if ('passed' in pods) return pods as Verdict;
    const [db, front] = [pods['node1/db']!, pods['node2/front']!];
    const expected = `${name(front)} (role=frontend) connects to db ${ip(db)}:${LAB11_PORT} and gets its answer`;
    const got = await withListener(ctx.driver, 'node1', 'db', [LAB11_PORT], () => probe(ctx, front, db, LAB11_PORT));
    return got === 'ok' ? pass(expected, `${name(front)} → db:${LAB11_PORT}: answered`) : fail(expected, `${name(front)} → db:${LAB11_PORT}: ${got}`, 'The rule that lets frontend pods in matches their source address against a set: is front’s address in it?');
  },

  'policy-denied': async (ctx) => {
    const pods = await labPods(ctx);
    if ('passed' in pods) return pods as Verdict;
    const [db, front, web1, web2] = [pods['node1/db']!, pods['node2/front']!, pods['node1/web']!, pods['node2/web']!];
    const tries: [PodInfo, number][] = [
      [front, OTHER_PORT],
      [web2, LAB11_PORT],
      [web1, LAB11_PORT],
    ];
    const expected = `db refuses ${name(front)} on port ${OTHER_PORT}, and ${name(web2)} and ${name(web1)} (same bridge) on ${LAB11_PORT}`;
    const got = await withListener(ctx.driver, 'node1', 'db', [LAB11_PORT, OTHER_PORT], () => Promise.all(tries.map(([from, port]) => probe(ctx, from, db, port))));
    const found = tries.map(([from, port], i) => `${name(from)} → db:${port}: ${got[i] === 'ok' ? 'let in' : got[i]}`).join('; ');
    return got.every((g) => g !== 'ok')
      ? pass(expected, found)
      : fail(expected, found, 'A pod selected by a policy accepts only what a rule allows. Pods on db’s own bridge are bridged, not routed: does your filter see their packets?');
  },

  'policy-replies': async (ctx) => {
    const pods = await labPods(ctx);
    if ('passed' in pods) return pods as Verdict;
    const [db, front] = [pods['node1/db']!, pods['node2/front']!];
    const expected = `db opens a connection to ${name(front)}:${OTHER_PORT}, and the answer comes back to db`;
    const got = await withListener(ctx.driver, 'node2', 'front', [OTHER_PORT], () => probe(ctx, db, front, OTHER_PORT));
    return got === 'ok'
      ? pass(expected, `db → ${name(front)}:${OTHER_PORT}: answered`)
      : fail(expected, `db → ${name(front)}:${OTHER_PORT}: ${got}`, 'The answer is a packet to db, which is isolated, from a pod no rule lets in. What does conntrack know about it that a rule can match?');
  },

  'policy-open': async (ctx) => {
    const pods = await labPods(ctx);
    if ('passed' in pods) return pods as Verdict;
    const [web1, web2, front] = [pods['node1/web']!, pods['node2/web']!, pods['node2/front']!];
    const expected = `${name(web1)}, selected by no policy, accepts ${name(web2)} and ${name(front)}`;
    const got = await withListener(ctx.driver, 'node1', 'web', [OTHER_PORT], () => Promise.all([probe(ctx, web2, web1, OTHER_PORT), probe(ctx, front, web1, OTHER_PORT)]));
    const found = `${name(web2)} → web:${OTHER_PORT}: ${got[0] === 'ok' ? 'answered' : got[0]}; ${name(front)} → web:${OTHER_PORT}: ${got[1] === 'ok' ? 'answered' : got[1]}`;
    return got.every((g) => g === 'ok') ? pass(expected, found) : fail(expected, found, 'Kubernetes isolates only the pods a policy selects; every other pod keeps accepting everyone.');
  },
};
