// NetworkPolicy → nftables, for one node: what Felix does with iptables and ipsets, in one table
// of the node's own (`inet simplecni-policy`), replaced as a whole in one `nft -f` transaction.
//
// Where the packets are seen: every packet to a pod on this node is *forwarded* by the node —
// routed in from another node (host-gw, tunl0, flannel.1), or bridged from a pod on the same
// simplecni0. Routed packets meet the inet forward hook anyway; bridged ones meet it through
// br_netfilter (net.bridge.bridge-nf-call-iptables=1), which is set per network namespace since
// Linux 5.3, so turning it on in the node's namespace touches no other namespace. The other way,
// the nft `bridge` family, cannot track connections without nf_conntrack_bridge (a module many
// kernels lack), and "replies pass" needs conntrack. Packets from the node itself (its output
// hook) are not filtered, as Calico lets a node reach its own pods (kubelet's probes).
//
// The ruleset a student reads:
//   set sel_<policy>            this node's pods the policy selects
//   set peers_<policy>_<i>_<j>  every pod that ingress[i].from[j].podSelector selects
//   set isolated                this node's pods selected by any policy
//   chain forward: replies accept; to an isolated pod → jump ingress
//   chain ingress: one accept per (rule, from, port), comments naming them; then drop.
import { selects, type IngressRule, type Peer, type Policy, type PodRef, type PolicyPort } from './model.ts';
import { matches } from './labels.ts';

export const POLICY_TABLE = 'simplecni-policy';
export const POLICY_FAMILY = 'inet';

export const selSet = (p: Policy) => `sel_${p.name}`;
export const peerSet = (p: Policy, i: number, j: number) => `peers_${p.name}_${i}_${j}`;

const sortIps = (ips: string[]) => [...new Set(ips)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

function setBlock(name: string, ips: string[]): string[] {
  const els = sortIps(ips);
  return [`\tset ${name} {`, '\t\ttype ipv4_addr', ...(els.length ? [`\t\telements = { ${els.join(', ')} }`] : []), '\t}'];
}

function peerMatch(p: Policy, i: number, j: number, peer: Peer): string {
  if ('podSelector' in peer) return `ip saddr @${peerSet(p, i, j)}`;
  const ex = peer.ipBlock.except;
  return `ip saddr ${peer.ipBlock.cidr}${ex.length ? ` ip saddr != { ${ex.join(', ')} }` : ''}`;
}

function portMatch(port: PolicyPort): string {
  const proto = port.protocol.toLowerCase();
  return port.port === undefined ? `meta l4proto ${proto}` : `${proto} dport ${port.port}`;
}

function ruleLines(p: Policy, i: number, r: IngressRule): string[] {
  const froms: (string | undefined)[] = r.from.length ? r.from.map((peer, j) => peerMatch(p, i, j, peer)) : [undefined];
  const ports: (string | undefined)[] = r.ports.length ? r.ports.map(portMatch) : [undefined];
  const out: string[] = [];
  // @lab 11 begin: one accept per (from, port) pair, only to the pods the policy selects, its comment naming policy and rule
  for (const [j, f] of froms.entries()) {
    for (const [k, pt] of ports.entries()) {
      const what = [r.from.length ? `from[${j}]` : 'from anywhere', r.ports.length ? `ports[${k}]` : 'any port'].join(' ');
      out.push(`\t\t${[`ip daddr @${selSet(p)}`, f, pt, 'counter accept'].filter(Boolean).join(' ')} comment "policy ${p.name} ingress[${i}] ${what}"`);
    }
  }
  // @lab 11 end
  return out;
}

/** The policies that matter on a node: those selecting at least one of its pods. */
export function policiesOnNode(policies: readonly Policy[], pods: readonly PodRef[], node: string) {
  const local = pods.filter((x) => x.node === node);
  return policies.filter((p) => local.some((x) => selects(p, x)));
}

/**
 * The whole `nft -f` input for a node: create-if-absent, delete, define — one transaction, so the
 * node is never without its rules mid-change. No policy selecting a local pod: the table goes.
 */
export function renderRuleset(policies: readonly Policy[], pods: readonly PodRef[], node: string): string {
  const head = [`# NetworkPolicy for ${node}, rendered by simplecni-node policy: replaced as a whole on every apply`, `table ${POLICY_FAMILY} ${POLICY_TABLE}`, `delete table ${POLICY_FAMILY} ${POLICY_TABLE}`];
  const active = [...policiesOnNode(policies, pods, node)].sort((a, b) => a.name.localeCompare(b.name));
  if (active.length === 0) return `${head.join('\n')}\n`;
  const local = pods.filter((x) => x.node === node);
  const body: string[] = [];
  body.push(...setBlock('isolated', local.filter((x) => active.some((p) => selects(p, x))).map((x) => x.ip)));
  for (const p of active) {
    body.push(...setBlock(selSet(p), local.filter((x) => selects(p, x)).map((x) => x.ip)));
    p.ingress.forEach((r, i) =>
      r.from.forEach((peer, j) => {
        if ('podSelector' in peer) body.push(...setBlock(peerSet(p, i, j), pods.filter((x) => matches(peer.podSelector, x.labels)).map((x) => x.ip)));
      }),
    );
  }
  // @lab 11 begin: the forward chain (replies first, then pods selected by a policy go to ingress) and the ingress chain ending in a drop
  body.push(
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy accept;',
    '\t\tct state established,related accept comment "replies to allowed connections"',
    '\t\tip daddr @isolated jump ingress comment "to a pod selected by a policy: only what a rule allows"',
    '\t}',
    '\tchain ingress {',
    ...active.flatMap((p) => p.ingress.flatMap((r, i) => ruleLines(p, i, r))),
    '\t\tcounter drop comment "selected by a policy, allowed by none"',
    '\t}',
  );
  // @lab 11 end
  return `${head.join('\n')}\n${`table ${POLICY_FAMILY} ${POLICY_TABLE} {`}\n${body.join('\n')}\n}\n`;
}
