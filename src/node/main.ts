// simplecni-node: what flanneld or calico-node do, statically. Reads the cluster file and programs
// this node's routes (and tunnel devices) to every other node's pod subnet for the chosen mode.
//   simplecni-node apply [--mode M] [--node NAME] [--cluster-file F] [--dry-run] [--json]
//   simplecni-node policy [--node NAME] [--policy-file F] [--cluster-file F] [--dry-run] [--json]
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import ipaddr from 'ipaddr.js';
import { MODES, type Mode } from '../plugin/config.ts';
import { runCommand } from '../plugin/kernel/iprouteHost.ts';
import { ClusterFileError, parseClusterFile, type ClusterFile } from './clusterFile.ts';
import { applyPolicy } from './policyAgent.ts';
import { POLICY_FILE_NAME } from './policy/policyFile.ts';
import { calcCommands, calcDesired, commandLine, IPIP_DEV, VXLAN_DEV, type Command, type Current, type Self } from './dataplane.ts';

export const DEFAULT_CLUSTER_FILE = '/etc/cni/simplecni-cluster.json';
export const DEFAULT_POLICY_FILE = `/etc/cni/${POLICY_FILE_NAME}`;

const USAGE = `usage: simplecni-node apply [--mode host-gw|ipip|ipip-crosssubnet|vxlan] [--node NAME]
                            [--cluster-file FILE] [--dry-run] [--json]
Programs this node's routes to the other nodes' pod subnets, as listed in the cluster file
(default ${DEFAULT_CLUSTER_FILE}). Idempotent: running it again changes nothing.
--dry-run prints the exact commands without running them.
       simplecni-node policy [--node NAME] [--policy-file FILE] [--dry-run] [--json]
Renders the NetworkPolicies of the policy file (default ${DEFAULT_POLICY_FILE}) into this node's
nftables table inet simplecni-policy, replaced in one transaction. --dry-run prints the ruleset.`;

class UsageError extends Error {}


async function json<T>(argv: string[], fallback: T): Promise<T> {
  const r = await runCommand(argv);
  if (r.code !== 0 || !r.stdout.trim()) return fallback;
  return JSON.parse(r.stdout) as T;
}

async function readCurrent(): Promise<Current> {
  const links = await json<Current['links']>(['ip', '-j', '-d', 'addr', 'show'], []);
  const routes = await json<Current['routes']>(['ip', '-j', 'route', 'show', 'table', 'main'], []);
  const hasVx = links.some((l) => l.ifname === VXLAN_DEV);
  const neighs = hasVx ? await json<Current['neighs']>(['ip', '-j', 'neigh', 'show', 'dev', VXLAN_DEV], []) : [];
  const fdb = hasVx ? await json<Current['fdb']>(['bridge', '-j', 'fdb', 'show', 'dev', VXLAN_DEV], []) : [];
  return { links, routes, neighs, fdb: fdb.filter((f) => f.dst !== undefined) };
}

/** Which node am I? The one whose underlay address is configured here (or --node). */
function findSelf(cluster: ClusterFile, cur: Current, name?: string): Self {
  const local = cur.links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => ({ ...a, ifname: l.ifname })));
  const node = name
    ? cluster.nodes.find((n) => n.name === name)
    : cluster.nodes.find((n) => local.some((a) => a.local === n.ip));
  if (!node) {
    throw new UsageError(
      name
        ? `node "${name}" is not in the cluster file (nodes: ${cluster.nodes.map((n) => n.name).join(', ')})`
        : `none of the cluster file's node addresses (${cluster.nodes.map((n) => n.ip).join(', ')}) is configured on this machine; pass --node NAME`,
    );
  }
  const a = local.find((x) => x.local === node.ip);
  if (!a) throw new UsageError(`${node.name}'s underlay address ${node.ip} is not configured on any interface here`);
  const net = ipaddr.IPv4.networkAddressFromCIDR(`${a.local}/${a.prefixlen}`).toString();
  return { node, uplink: a.ifname, uplinkPrefix: `${net}/${a.prefixlen}` };
}

function explainFailure(c: Command, stderr: string): string {
  if (/Unknown device type/.test(stderr) && c.args.includes('ipip')) {
    return 'this kernel lacks IP-in-IP (CONFIG_NET_IPIP): mode ipip needs it. Use vxlan here, or a node whose kernel has the ipip module (the Vagrant VMs).';
  }
  return stderr.trim();
}

async function readClusterFile(file: string): Promise<ClusterFile> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the cluster file "${file}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return parseClusterFile(text, file);
}

async function policy(values: { node?: string; 'cluster-file'?: string; 'policy-file'?: string; 'dry-run'?: boolean; json?: boolean }): Promise<number> {
  try {
    const node = values.node ?? findSelf(await readClusterFile(values['cluster-file']!), await readCurrent()).node.name;
    const r = await applyPolicy({ file: values['policy-file']!, node, dryRun: values['dry-run'] ?? false });
    if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else if (r.dryRun) process.stdout.write(r.ruleset);
    else process.stdout.write(r.policies.length ? `${node}: ✓ ${r.policies.length} policy(ies) isolate ${r.isolated.join(', ')}: table inet simplecni-policy replaced\n` : `${node}: no policy selects a pod here: table inet simplecni-policy removed\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`simplecni-node: ${(err as Error).message}\n`);
    return 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        mode: { type: 'string' },
        node: { type: 'string' },
        'cluster-file': { type: 'string', default: process.env.SIMPLECNI_CLUSTER_FILE || DEFAULT_CLUSTER_FILE },
        'policy-file': { type: 'string', default: process.env.SIMPLECNI_POLICY_FILE || DEFAULT_POLICY_FILE },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`simplecni-node: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = opts;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals[0] === 'policy' && positionals.length === 1) return policy(values);
  if (positionals[0] !== 'apply' || positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const say = (s: string) => !values.json && process.stdout.write(`${s}\n`);
  try {
    const file = values['cluster-file']!;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read the cluster file "${file}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    const cluster = parseClusterFile(text, file);
    const mode = (values.mode ?? cluster.mode) as Mode;
    if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`unknown mode "${mode}": choose ${MODES.join(', ')}`);
    const cur = await readCurrent();
    const self = findSelf(cluster, cur, values.node);
    const want = calcDesired(cluster, self, mode);
    const commands = calcCommands(cluster, self, want, cur);

    say(`${self.node.name}: mode ${mode}, uplink ${self.uplink} (${self.uplinkPrefix}), pod MTU ${want.podMtu}`);
    for (const u of want.unreachable) say(`! ${u.why}`);
    if (commands.length === 0) say('✓ already in place: nothing to change');
    let applied = 0;
    for (const c of commands) {
      say(`${values['dry-run'] ? '' : '+ '}${commandLine(c)}`);
      if (values['dry-run']) continue;
      const r = await runCommand([c.tool, ...c.args]);
      // Where the ipip module is not loaded yet, adding tunl0 loads it — and loading it makes tunl0:
      // the add then reports "File exists" for the device it brought into being. That is success.
      const tunl0Appeared = c.args.join(' ') === `link add name ${IPIP_DEV} type ipip` && /File exists/.test(r.stderr);
      if (r.code !== 0 && !tunl0Appeared) throw new Error(`\`${commandLine(c)}\` failed: ${explainFailure(c, r.stderr)}`);
      applied++;
    }
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ node: self.node.name, mode, podMtu: want.podMtu, uplink: self.uplink, dryRun: values['dry-run'], commands: commands.map(commandLine), applied, unreachable: want.unreachable.map((u) => ({ node: u.peer.name, podSubnet: u.peer.podSubnet, why: u.why })) })}\n`,
      );
    } else if (!values['dry-run'] && commands.length > 0) say(`✓ ${applied} change(s) applied`);
    return 0;
  } catch (err) {
    const msg = err instanceof UsageError || err instanceof ClusterFileError ? err.message : (err as Error).message;
    process.stderr.write(`simplecni-node: ${msg}\n`);
    return 1;
  }
}
