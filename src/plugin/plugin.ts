// SimpleCNI: a bridge + veth CNI plugin with file-based IPAM.
// Read top to bottom: dependencies, helpers (one kernel operation each), then cmdAdd, cmdDel,
// cmdCheck, cmdStatus, cmdGc. main.ts only dispatches on CNI_COMMAND.
import { podMtu, type NetConf } from './config.ts';
import type { CniArgs } from './env.ts';
import { CniError, CommandError, ErrCode } from './errors.ts';
import { allocate } from './ipam/allocator.ts';
import { cidrContains, parseIpamFile, usableCount, type IpamRange } from './ipam/ipamFile.ts';
import type { IpamStore, Owner } from './ipam/store.ts';
import type { Host } from './kernel/host.ts';
import type { Logger } from './log.ts';
import { formatResult, mergeResult, type Result } from './result.ts';

export interface PluginDeps {
  host: Host;
  store: IpamStore;
  log: Logger;
  readFile(path: string): Promise<string>;
  /** 'netns' if the path is a namespace file, 'missing' if nothing is there, 'other' for anything else (/dev/null, a dir). */
  netnsAt(path: string): Promise<'netns' | 'missing' | 'other'>;
  /** Test seam: lets a test fail or stop the plugin at a named step to prove rollback and crash safety. */
  checkpoint(step: 'ipam-reserved' | 'veth-created' | 'addr-configured'): Promise<void>;
}

// ---------------------------------------------------------------- helpers

/** Rolls back what a half-done ADD created, newest first. */
class Undo {
  private readonly _steps: { what: string; fn: () => Promise<unknown> }[] = [];
  push(what: string, fn: () => Promise<unknown>) {
    this._steps.push({ what, fn });
  }
  clear() {
    this._steps.length = 0;
  }
  async run(log: Logger) {
    for (const step of this._steps.reverse()) {
      try {
        await step.fn();
      } catch (err) {
        log.info(`rollback: could not ${step.what}: ${(err as Error).message}`);
      }
    }
  }
}

/**
 * The node-side veth name, derived from (network, container, ifname) so DEL and GC can find it
 * without the netns: "veth" + 8 hex digits of a 32-bit FNV-1a hash. (A cryptographic hash would
 * do too, but loading node:crypto costs every ADD several milliseconds.)
 */
export function calcHostVethName(network: string, containerId: string, ifname: string): string {
  let h = 0x811c9dc5;
  for (const ch of `${network}/${containerId}/${ifname}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `veth${h.toString(16).padStart(8, '0')}`;
}

/** A random locally administered unicast MAC (first byte: bit 1 set, bit 0 clear). */
export function calcRandomMac(): string {
  const b = Array.from({ length: 6 }, () => Math.floor(Math.random() * 256));
  b[0] = (b[0]! & 0xfe) | 0x02;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export async function loadIpamRange(conf: NetConf, deps: PluginDeps): Promise<IpamRange> {
  let text: string;
  try {
    text = await deps.readFile(conf.ipamFile);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file (each node needs one, naming its pod subnet and gateway)' : e.message;
    throw new CniError(ErrCode.IoFailure, `could not read IPAM file "${conf.ipamFile}": ${why}`);
  }
  const range = parseIpamFile(text, conf.ipamFile);
  if (!cidrContains(conf.subnet, range.subnet)) {
    throw new CniError(
      ErrCode.InvalidConfig,
      `invalid IPAM file "${conf.ipamFile}": node subnet ${range.subnet} is not inside the cluster "subnet" ${conf.subnet}`,
    );
  }
  return range;
}

interface IpLink {
  ifname: string;
  address?: string;
  mtu?: number;
  flags?: string[];
  master?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

const isUp = (l: IpLink) => l.flags?.includes('UP') ?? false;
const hasAddr = (l: IpLink, cidr: string) => (l.addr_info ?? []).some((a) => a.family === 'inet' && `${a.local}/${a.prefixlen}` === cidr);

/** Looks a link up on the node; undefined if it does not exist. */
async function linkByName(host: Host, name: string, netns?: string): Promise<IpLink | undefined> {
  try {
    return (JSON.parse(await host.ip(['-j', '-d', 'addr', 'show', 'dev', name], netns)) as IpLink[])[0];
  } catch (err) {
    if (err instanceof CommandError && err.notFound) return undefined;
    throw err;
  }
}

/**
 * The ip commands that bring the bridge to what ADD needs: present, a bridge, gateway address, up.
 * Empty when it already is. Throws if a non-bridge link holds the name or the bridge serves another subnet.
 */
function calcBridgeFixes(conf: NetConf, br: IpLink | undefined, gwCidr: string, mtu: number, newMac: string): string[][] {
  if (!br) {
    // An explicit MAC keeps the bridge's address stable (otherwise it follows its lowest port's).
    return [
      ['link', 'add', conf.bridge, 'address', newMac, 'mtu', String(mtu), 'type', 'bridge'],
      ['addr', 'add', gwCidr, 'dev', conf.bridge],
      ['link', 'set', conf.bridge, 'up'],
    ];
  }
  const kind = br.linkinfo?.info_kind ?? 'unknown';
  if (kind !== 'bridge') {
    throw new CniError(
      ErrCode.InvalidConfig,
      `"${conf.bridge}" already exists but is not a bridge (it is a ${kind} link); remove it or set another "bridge" in the network config`,
    );
  }
  const fixes: string[][] = [];
  if (!hasAddr(br, gwCidr)) {
    const other = (br.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
    if (other.length > 0) {
      throw new CniError(
        ErrCode.InvalidConfig,
        `bridge "${conf.bridge}" has address ${other.join(', ')} but this node's gateway is ${gwCidr}; the IPAM file and the bridge disagree`,
      );
    }
    fixes.push(['addr', 'replace', gwCidr, 'dev', conf.bridge]);
  }
  if (!isUp(br)) fixes.push(['link', 'set', conf.bridge, 'up']);
  return fixes;
}

/**
 * Creates the bridge if needed and the veth pair in one `ip -batch`: the container end is born
 * inside the pod's netns under its final name, the host end is enslaved to the bridge.
 * Returns the bridge's MAC.
 */
async function setupBridgeAndVeth(
  deps: PluginDeps,
  conf: NetConf,
  args: CniArgs,
  p: { gwCidr: string; hostVeth: string; hostMac: string; podMac: string; mtu: number },
  undo: Undo,
): Promise<string> {
  // @lab 04 begin: the bridge (if missing) and the veth pair, in one ip -batch
  const { host } = deps;
  for (let attempt = 1; ; attempt++) {
    const br = await linkByName(host, conf.bridge);
    const newBridgeMac = calcRandomMac();
    const bridgeLines = calcBridgeFixes(conf, br, p.gwCidr, p.mtu, newBridgeMac);
    const vethLines = [
      ['link', 'add', p.hostVeth, 'mtu', String(p.mtu), 'address', p.hostMac, 'type', 'veth',
        'peer', 'name', args.ifname, 'mtu', String(p.mtu), 'address', p.podMac, 'netns', args.netns],
      ['link', 'set', p.hostVeth, 'master', conf.bridge, 'up'],
    ];
    const vethLine = bridgeLines.length + 1; // 1-based line of the veth "link add"
    try {
      await host.ipBatch([...bridgeLines, ...vethLines]);
      undo.push(`delete veth "${p.hostVeth}"`, () => host.ip(['link', 'del', p.hostVeth]));
      return br?.address ?? newBridgeMac;
    } catch (err) {
      if (!(err instanceof CommandError) || err.batchLine === undefined) throw err;
      if (err.batchLine > vethLine) undo.push(`delete veth "${p.hostVeth}"`, () => host.ip(['link', 'del', p.hostVeth]));
      // Another ADD created the bridge between our look and our "link add": look again.
      if (err.batchLine < vethLine && err.fileExists && attempt < 3) continue;
      if (err.batchLine === vethLine && err.fileExists) throw await diagnoseVethExists(deps, args, p.hostVeth);
      const step = err.batchLine < vethLine ? `set up bridge "${conf.bridge}"` : `create veth pair "${p.hostVeth}" <-> "${args.ifname}"`;
      throw new CniError(ErrCode.KernelCommandFailed, `could not ${step}: ${err.stderr.trim()}`);
    }
  }
  // @lab 04 end
}

/** "File exists" on the veth: say which end clashed. */
async function diagnoseVethExists(deps: PluginDeps, args: CniArgs, hostVeth: string): Promise<CniError> {
  if (await linkByName(deps.host, args.ifname, args.netns)) {
    return new CniError(
      ErrCode.AlreadyAttached,
      `interface "${args.ifname}" already exists in netns "${args.netns}"; ADD must create a new interface (DEL it first or pick another CNI_IFNAME)`,
    );
  }
  return new CniError(
    ErrCode.AlreadyAttached,
    `host interface "${hostVeth}" for container "${args.containerId}" already exists on the node; run DEL for this container first`,
  );
}

/** Inside the pod: loopback up, the interface up with its address, default route via the gateway. */
async function configureContainerIface(host: Host, args: CniArgs, addrCidr: string, gateway: string) {
  // @lab 04 begin: inside the pod: lo up, the interface up, its address, the default route
  try {
    await host.ipBatch(
      [
        ['link', 'set', 'lo', 'up'],
        ['link', 'set', args.ifname, 'up'],
        ['addr', 'add', addrCidr, 'dev', args.ifname],
        ['route', 'add', 'default', 'via', gateway, 'dev', args.ifname],
      ],
      args.netns,
    );
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    throw new CniError(ErrCode.KernelCommandFailed, `could not configure "${args.ifname}" in netns "${args.netns}": ${err.stderr.trim()}`);
  }
  // @lab 04 end
}

/** Pods' packets leave through the node only if the node forwards. */
async function ensureIpForward(host: Host) {
  // @lab 04 begin: the node must forward the pods' packets
  if ((await host.getSysctl('net.ipv4.ip_forward')) !== '1') await host.setSysctl('net.ipv4.ip_forward', '1');
  // @lab 04 end
}

/** The node's masquerade table: one rule for the whole node subnet, replaced atomically (idempotent). */
export function calcMasqueradeScript(nodeSubnet: string, clusterCidr: string): string {
  return [
    'table ip simplecni {}', // create it if missing, so the delete below always succeeds
    'delete table ip simplecni',
    'table ip simplecni {',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    # pods leaving the cluster (${clusterCidr}) take the node's address; pod-to-pod traffic keeps its source`,
    `    ip saddr ${nodeSubnet} ip daddr != ${clusterCidr} masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

async function ensureMasquerade(host: Host, nodeSubnet: string, clusterCidr: string) {
  try {
    await host.nft(calcMasqueradeScript(nodeSubnet, clusterCidr));
  } catch (err) {
    const why = err instanceof CommandError ? err.stderr.trim() : String(err);
    throw new CniError(ErrCode.KernelCommandFailed, `could not set up masquerading for ${nodeSubnet} ("ipMasq": true): ${why}`);
  }
}

async function deleteLinkIfExists(host: Host, name: string, netns?: string): Promise<boolean> {
  try {
    await host.ip(['link', 'del', name], netns);
    return true;
  } catch (err) {
    if (err instanceof CommandError && err.notFound) return false;
    throw new CniError(ErrCode.KernelCommandFailed, `could not delete "${name}": ${err instanceof CommandError ? err.stderr.trim() : String(err)}`);
  }
}

const ownerOf = (args: CniArgs): Owner => ({ containerId: args.containerId, ifname: args.ifname });

// ---------------------------------------------------------------- ADD

export async function cmdAdd(args: CniArgs, conf: NetConf, deps: PluginDeps): Promise<Result> {
  // A path, and only a path: ip would read a bare number as a process ID (and "1" is the machine's own namespace).
  const at = args.netns.startsWith('/') ? await deps.netnsAt(args.netns) : 'missing';
  if (at !== 'netns') {
    const what = at === 'missing' ? 'does not exist' : 'is not a namespace';
    throw new CniError(ErrCode.InvalidEnv, `CNI_NETNS "${args.netns}" ${what}: it must be the path of a network namespace`);
  }
  const range = await loadIpamRange(conf, deps);
  const mtu = podMtu(conf);
  const undo = new Undo();
  try {
    const ip = await allocate(deps.store, range, ownerOf(args));
    undo.push(`release lease ${ip}`, () => deps.store.releaseByOwner(ownerOf(args)));
    deps.log.info(`ADD ${args.containerId}/${args.ifname}: leased ${ip} from ${range.subnet}`);
    await deps.checkpoint('ipam-reserved');

    const hostVeth = calcHostVethName(conf.name, args.containerId, args.ifname);
    const hostMac = calcRandomMac();
    const podMac = calcRandomMac();
    const gwCidr = `${range.gateway}/${range.prefixLength}`;
    const bridgeMac = await setupBridgeAndVeth(deps, conf, args, { gwCidr, hostVeth, hostMac, podMac, mtu }, undo);
    await deps.checkpoint('veth-created');

    const addrCidr = `${ip}/${range.prefixLength}`;
    await configureContainerIface(deps.host, args, addrCidr, range.gateway);
    await deps.checkpoint('addr-configured');
    await ensureIpForward(deps.host);
    if (conf.ipMasq) await ensureMasquerade(deps.host, range.subnet, conf.subnet);

    const result = mergeResult(
      conf.prevResult,
      {
        interfaces: [
          { name: conf.bridge, mac: bridgeMac },
          { name: hostVeth, mac: hostMac, mtu },
          { name: args.ifname, mac: podMac, mtu, sandbox: args.netns },
        ],
        ips: [{ address: addrCidr, gateway: range.gateway, interface: 2 }],
        routes: [{ dst: '0.0.0.0/0', gw: range.gateway }],
        dns: {},
      },
      conf.cniVersion,
    );
    undo.clear();
    return formatResult(result, conf.cniVersion);
  } finally {
    await undo.run(deps.log);
  }
}

// ---------------------------------------------------------------- DEL

/** Idempotent: a missing netns, link or lease is success. The netns may be gone or CNI_NETNS empty. */
export async function cmdDel(args: CniArgs, conf: NetConf, deps: PluginDeps): Promise<void> {
  // @lab 05 begin: free the lease and remove the veth; already gone is success
  // Deleting the host end removes the pair, so this works even when the pod's netns is gone.
  const hostVeth = calcHostVethName(conf.name, args.containerId, args.ifname);
  const deleted = await deleteLinkIfExists(deps.host, hostVeth);
  const freed = await deps.store.releaseByOwner(ownerOf(args));
  deps.log.info(
    `DEL ${args.containerId}/${args.ifname}: ${deleted ? `deleted ${hostVeth}` : 'no veth left'}, ${freed.length ? `freed ${freed.join(', ')}` : 'no lease left'}`,
  );
  // @lab 05 end
}

// ---------------------------------------------------------------- CHECK

export async function cmdCheck(args: CniArgs, conf: NetConf, deps: PluginDeps): Promise<void> {
  // @lab 05 begin: compare the node and the pod with prevResult; name every drift
  const prev = conf.prevResult;
  if (!prev) {
    throw new CniError(ErrCode.InvalidConfig, 'CHECK needs "prevResult": the runtime passes the cached result of ADD');
  }
  const ifaceIndex = (prev.interfaces ?? []).findIndex((i) => i.name === args.ifname && i.sandbox === args.netns);
  if (ifaceIndex < 0) {
    throw new CniError(ErrCode.InvalidConfig, `"prevResult" lists no interface "${args.ifname}" with sandbox "${args.netns}"`);
  }
  const expectedIface = prev.interfaces![ifaceIndex]!;
  const expectedIp = (prev.ips ?? []).find((i) => i.interface === ifaceIndex);
  if (!expectedIp) throw new CniError(ErrCode.InvalidConfig, `"prevResult" lists no address for interface "${args.ifname}"`);

  const range = await loadIpamRange(conf, deps);
  const gwCidr = `${range.gateway}/${range.prefixLength}`;
  const mtu = podMtu(conf);
  const drift: string[] = [];
  const [addr] = expectedIp.address.split('/');

  const leases = await deps.store.list();
  const lease = leases.find((l) => l.containerId === args.containerId && l.ifname === args.ifname);
  if (!lease) drift.push(`no lease recorded for container "${args.containerId}" interface "${args.ifname}" (expected ${addr})`);
  else if (lease.ip !== addr) drift.push(`lease for "${args.containerId}" is ${lease.ip}, but the pod was given ${addr}`);

  const br = await linkByName(deps.host, conf.bridge);
  if (!br) drift.push(`bridge "${conf.bridge}" is missing on the node`);
  else {
    if (br.linkinfo?.info_kind !== 'bridge') drift.push(`"${conf.bridge}" is not a bridge`);
    if (!isUp(br)) drift.push(`bridge "${conf.bridge}" is down`);
    if (!hasAddr(br, gwCidr)) drift.push(`bridge "${conf.bridge}" lacks the gateway address ${gwCidr}`);
  }
  const hostVeth = calcHostVethName(conf.name, args.containerId, args.ifname);
  const veth = await linkByName(deps.host, hostVeth);
  if (!veth) drift.push(`host veth "${hostVeth}" is missing on the node`);
  else {
    if (veth.master !== conf.bridge) drift.push(`host veth "${hostVeth}" is attached to ${veth.master ? `"${veth.master}"` : 'no bridge'}, expected "${conf.bridge}"`);
    if (!isUp(veth)) drift.push(`host veth "${hostVeth}" is down`);
  }

  let pod: IpLink | undefined;
  try {
    pod = await linkByName(deps.host, args.ifname, args.netns);
  } catch (err) {
    throw new CniError(ErrCode.UnknownContainer, `cannot enter netns "${args.netns}": ${err instanceof CommandError ? err.stderr.trim() : String(err)}`);
  }
  if (!pod) drift.push(`interface "${args.ifname}" is missing in netns "${args.netns}"`);
  else {
    if (!isUp(pod)) drift.push(`"${args.ifname}" in the pod is down`);
    if (!hasAddr(pod, expectedIp.address)) drift.push(`"${args.ifname}" in the pod lacks address ${expectedIp.address}`);
    if (expectedIface.mac && pod.address !== expectedIface.mac) drift.push(`"${args.ifname}" has MAC ${pod.address}, ADD gave ${expectedIface.mac}`);
    if (pod.mtu !== mtu) drift.push(`"${args.ifname}" has MTU ${pod.mtu}, expected ${mtu} for mode "${conf.mode}"`);
    const routes = JSON.parse(await deps.host.ip(['-j', 'route', 'show', 'default'], args.netns)) as { gateway?: string; dev?: string }[];
    if (!routes.some((r) => r.gateway === range.gateway && r.dev === args.ifname)) {
      drift.push(`the pod has no default route via ${range.gateway} dev ${args.ifname}`);
    }
  }
  if ((await deps.host.getSysctl('net.ipv4.ip_forward')) !== '1') drift.push('net.ipv4.ip_forward is 0 on the node');

  if (drift.length > 0) {
    throw new CniError(ErrCode.StateDrifted, `CHECK failed for container "${args.containerId}": ${drift.join('; ')}`, drift.join('\n'));
  }
  // @lab 05 end
}

// ---------------------------------------------------------------- STATUS

/** Ready for ADD: the IPAM file is usable and has a free address. 50 otherwise; 51 if existing pods are hurt too. */
export async function cmdStatus(conf: NetConf, deps: PluginDeps): Promise<void> {
  let range: IpamRange;
  try {
    range = await loadIpamRange(conf, deps);
  } catch (err) {
    throw new CniError(ErrCode.NotAvailable, `not ready: ${(err as Error).message}`);
  }
  const leases = await deps.store.list();
  if (leases.length > 0) {
    const br = await linkByName(deps.host, conf.bridge);
    if (!br || !isUp(br)) {
      throw new CniError(
        ErrCode.NotAvailableDegraded,
        `not ready: bridge "${conf.bridge}" is ${br ? 'down' : 'missing'} while ${leases.length} pod(s) hold addresses`,
      );
    }
  }
  if (leases.length >= usableCount(range)) {
    throw new CniError(ErrCode.NotAvailable, `not ready: all ${usableCount(range)} addresses of ${range.subnet} are leased`);
  }
}

// ---------------------------------------------------------------- GC

/** Frees every lease (and its host veth) whose attachment the runtime no longer lists as valid. */
export async function cmdGc(conf: NetConf, deps: PluginDeps): Promise<void> {
  // @lab 05 begin: free leases (and their veths) the runtime no longer lists
  if (!conf.validAttachments) {
    throw new CniError(ErrCode.InvalidConfig, 'GC needs "cni.dev/valid-attachments" (or "cni.dev/attachments") in the config');
  }
  const valid = new Set(conf.validAttachments.map((a) => `${a.containerID}\n${a.ifname}`));
  const errors: string[] = [];
  const swept = await deps.store.sweep();
  let freed = 0;
  for (const lease of await deps.store.list()) {
    if (valid.has(`${lease.containerId}\n${lease.ifname}`)) continue;
    try {
      await deleteLinkIfExists(deps.host, calcHostVethName(conf.name, lease.containerId, lease.ifname));
      freed += (await deps.store.releaseByOwner(lease)).length;
    } catch (err) {
      errors.push(`${lease.ip} (${lease.containerId}/${lease.ifname}): ${(err as Error).message}`); // go on with the rest
    }
  }
  deps.log.info(`GC: freed ${freed} stale lease(s), removed ${swept} temp file(s)`);
  if (errors.length > 0) throw new CniError(ErrCode.IoFailure, `GC could not free ${errors.length} lease(s): ${errors.join('; ')}`);
  // @lab 05 end
}
