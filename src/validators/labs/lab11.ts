// 11 · NetworkPolicy: behaviour through real TCP probes between pods, plus the ruleset's shape.
// The lab's state: db (role=db) on node1, front (role=frontend) on node2, the unlabelled web pods
// on node1 and node2, and the policy db-from-frontend (labs/11-network-policy/db-from-frontend.yaml).
import type { PodInfo } from '../../runtime/pods.ts';
import { ANSWER_WAIT_MS, DROPPED_WAIT_MS, letIn, tcpProbe, withListener } from '../tcpProbe.ts';
import { fail, pass, type CheckContext, type CheckFn, type Verdict } from '../types.ts';
import { list, msg, type Msg, type Text } from '../../i18n/index.ts';

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
/** db listens on both ports for the checks that probe it, so they share one listener. */
const DB_PORTS = [LAB11_PORT, OTHER_PORT];
const ip = (p: PodInfo) => p.address!.split('/')[0]!;
/** The lab's pods by "node/name". */
type Pods = Record<string, PodInfo>;

/**
 * The lab's pods. The checks run at once and all ask first thing: one lookup under way answers
 * every check that asks meanwhile (a later run looks again, as pods may have changed).
 */
const underWay = new WeakMap<CheckContext, Promise<Pods | Verdict>>();
function labPods(ctx: CheckContext): Promise<Pods | Verdict> {
  const known = underWay.get(ctx);
  if (known) return known;
  const pods = findLabPods(ctx).finally(() => underWay.delete(ctx));
  underWay.set(ctx, pods);
  return pods;
}

async function findLabPods(ctx: CheckContext): Promise<Pods | Verdict> {
  const all = await ctx.pods.list();
  const out: Pods = {};
  const missing: Text[] = [];
  for (const [node, name, labels] of LAB11_PODS) {
    const p = all.find((x) => x.node === node && x.name === name && x.address);
    const wrong = p && Object.entries(labels).some(([k, v]) => p.labels?.[k] !== v);
    const labelled = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    if (!p || wrong) missing.push(labelled ? msg('v.policy-pods.with', { pod: `${node}/${name}`, labels: labelled }) : `${node}/${name}`);
    else out[`${node}/${name}`] = p;
  }
  if (missing.length === 0) return out;
  return fail(msg('v.policy-pods.expected'), msg('v.policy-pods.missing', { pods: list(missing) }), msg('v.policy-pods.hint'));
}

/**
 * Runs a probing check: the listener in `node/pod` starts while the lab's pods are looked up (it
 * needs only the pod's name), and `fn` runs with both. When the pods are not as the lab wants,
 * that is the verdict, whatever the listener did (it cannot start in a pod that is missing).
 */
async function probing(ctx: CheckContext, node: string, pod: string, ports: readonly number[], fn: (pods: Pods) => Promise<Verdict>): Promise<Verdict> {
  const pods = labPods(ctx);
  try {
    return await withListener(ctx.driver, node, pod, ports, async () => {
      const found = await pods;
      return 'passed' in found ? (found as Verdict) : fn(found);
    });
  } catch (err) {
    const found = await pods;
    if ('passed' in found) return found as Verdict;
    throw err;
  }
}

const probe = (ctx: CheckContext, from: PodInfo, to: PodInfo, port: number, waitMs = ANSWER_WAIT_MS) => tcpProbe(ctx.driver, from.node, from.name, ip(to), port, waitMs);
const name = (p: PodInfo) => `${p.node}/${p.name}`;
/** One connection tried: "node2/front → db:6379: answered", or what the probe met instead. */
const tried = (from: string, to: string, port: number, result: Text) => msg('v.policy.probe', { from, to, port, result });
/** A probe that should be answered: "answered", or what it met instead. */
const answered = (got: string): Text => (got === 'ok' ? msg('word.answered') : got);

export const checks: Record<string, CheckFn> = {
  'policy-ruleset': async (ctx) => {
    const pods = await labPods(ctx);
    if ('passed' in pods) return pods as Verdict;
    const db = pods['node1/db']!;
    const expected = msg('v.policy-ruleset.expected', { ip: ip(db), policy: LAB11_POLICY_NAME });
    const r = await ctx.driver.exec('node1', ['nft', 'list', 'table', 'inet', 'simplecni-policy']);
    if (r.code !== 0) return fail(expected, msg('v.policy-ruleset.noTable'), msg('v.policy-ruleset.noTableHint'));
    const lines = r.stdout.split('\n').map((l) => l.trim());
    const hook = lines.findIndex((l) => /type filter hook forward priority/.test(l));
    const first = hook >= 0 ? lines.slice(hook + 1).find((l) => l !== '') : undefined;
    const setHasDb = new RegExp(`elements = \\{[^}]*\\b${ip(db).replace(/\./g, '\\.')}\\b`).test(r.stdout);
    const named = r.stdout.includes(`comment "policy ${LAB11_POLICY_NAME}`);
    const problems = [
      hook < 0 && msg('v.policy-ruleset.noHook'),
      hook >= 0 && !/^ct state established,related accept\b/.test(first ?? '') && msg('v.policy-ruleset.firstRule', { first: first ?? '(nothing)' }),
      !setHasDb && msg('v.policy-ruleset.noSet', { ip: ip(db) }),
      !named && msg('v.policy-ruleset.noComment', { policy: LAB11_POLICY_NAME }),
    ].filter((x): x is Msg => typeof x === 'object');
    return problems.length === 0 ? pass(expected) : fail(expected, list(problems, 'semi'), msg('v.policy-ruleset.hint'));
  },

  'policy-allowed': (ctx) =>
    probing(ctx, 'node1', 'db', DB_PORTS, async (pods) => {
      const [db, front] = [pods['node1/db']!, pods['node2/front']!];
      const expected = msg('v.policy-allowed.expected', { from: name(front), ip: ip(db), port: LAB11_PORT });
      const got = await probe(ctx, front, db, LAB11_PORT);
      const found = tried(name(front), 'db', LAB11_PORT, answered(got));
      return got === 'ok' ? pass(expected, found) : fail(expected, found, msg('v.policy-allowed.hint'));
    }),

  'policy-denied': (ctx) =>
    probing(ctx, 'node1', 'db', DB_PORTS, async (pods) => {
      const [db, front, web1, web2] = [pods['node1/db']!, pods['node2/front']!, pods['node1/web']!, pods['node2/web']!];
      const tries: [PodInfo, number][] = [
        [front, OTHER_PORT],
        [web2, LAB11_PORT],
        [web1, LAB11_PORT],
      ];
      const expected = msg('v.policy-denied.expected', { front: name(front), other: OTHER_PORT, web2: name(web2), web1: name(web1), port: LAB11_PORT });
      const got = await Promise.all(tries.map(([from, port]) => probe(ctx, from, db, port, DROPPED_WAIT_MS)));
      const found = list(tries.map(([from, port], i) => tried(name(from), 'db', port, letIn(got[i]!) ? msg('word.letIn') : `${got[i]}`)), 'semi');
      return !got.some(letIn) ? pass(expected, found) : fail(expected, found, msg('v.policy-denied.hint'));
    }),

  'policy-replies': (ctx) =>
    probing(ctx, 'node2', 'front', [OTHER_PORT], async (pods) => {
      const [db, front] = [pods['node1/db']!, pods['node2/front']!];
      const expected = msg('v.policy-replies.expected', { front: name(front), port: OTHER_PORT });
      const got = await probe(ctx, db, front, OTHER_PORT);
      const found = tried('db', name(front), OTHER_PORT, answered(got));
      return got === 'ok' ? pass(expected, found) : fail(expected, found, msg('v.policy-replies.hint'));
    }),

  'policy-open': (ctx) =>
    probing(ctx, 'node1', 'web', [OTHER_PORT], async (pods) => {
      const [web1, web2, front] = [pods['node1/web']!, pods['node2/web']!, pods['node2/front']!];
      const expected = msg('v.policy-open.expected', { web1: name(web1), web2: name(web2), front: name(front) });
      const got = await Promise.all([probe(ctx, web2, web1, OTHER_PORT), probe(ctx, front, web1, OTHER_PORT)]);
      const found = list([tried(name(web2), 'web', OTHER_PORT, answered(got[0]!)), tried(name(front), 'web', OTHER_PORT, answered(got[1]!))], 'semi');
      return got.every((g) => g === 'ok') ? pass(expected, found) : fail(expected, found, msg('v.policy-open.hint'));
    }),
};
