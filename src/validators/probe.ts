// Reading node state for checks: JSON from ip/bridge, files, pings, and the plugin run with
// crafted input in a scratch corner (its own namespace and lease dir) that is removed afterwards.
import type { NodeDriver } from '../cluster/driver.ts';
import type { CheckContext } from './types.ts';
import { list, msg, type Text } from '../i18n/index.ts';

export interface IpLink {
  ifname: string;
  ifindex?: number;
  link_index?: number;
  mtu?: number;
  address?: string;
  flags?: string[];
  operstate?: string;
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export async function ipJson<T = IpLink[]>(driver: NodeDriver, node: string, args: string[], pod?: string): Promise<T | undefined> {
  const argv = ['ip', '-j', ...args];
  const r = await runOn(driver, node, argv, pod);
  if (r.code !== 0 || !r.stdout.trim()) return undefined;
  return JSON.parse(r.stdout) as T;
}

export async function runOn(driver: NodeDriver, node: string, argv: string[], pod?: string) {
  return pod ? driver.execPod(node, pod, argv) : driver.exec(node, argv);
}

export async function ping(driver: NodeDriver, node: string, target: string, opts: { pod?: string; extra?: string[]; waitSeconds?: number } = {}) {
  const r = await runOn(driver, node, ['ping', '-c1', `-W${opts.waitSeconds ?? 1}`, ...(opts.extra ?? []), target], opts.pod);
  return { ok: r.code === 0, out: (r.stdout + r.stderr).trim() };
}

export const isUp = (l?: IpLink) => l?.flags?.includes('UP') ?? false;
export const addrs = (l?: IpLink) => (l?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
export const describeAddrs = (l?: IpLink): Text => (addrs(l).length ? addrs(l).join(', ') : msg('word.noIPv4'));

/** The first pod on a node (by name), or undefined. */
export async function firstPod(ctx: CheckContext, node: string) {
  return (await ctx.pods.list(node)).find((p) => p.address);
}

/** Which pod each node has, for a check that needs pods there: "pods: node1 web, node2 none". */
export const podsFound = (pods: [node: string, pod: string | undefined][]): Text =>
  msg('v.pods.found', { pods: list(pods.map(([node, pod]) => msg('v.pods.item', { node, pod: pod ?? msg('word.noPod') }))) });

/** A pod whose eth0 has the wrong MTU: "node1/web: 1500", or "node1/web: no eth0". */
export const mtuItem = (pod: string, mtu: number | undefined): Text => msg('v.mtu.item', { pod, mtu: mtu ?? msg('word.noEth0') });

export interface Scratch {
  dir: string;
  conf: Record<string, unknown>;
  netns(name: string): Promise<string>;
  leases(): Promise<string[]>;
  /** Removes the scratch pods, the dir, and the scratch links named (e.g. a bridge of its own). */
  close(links?: readonly string[]): Promise<void>;
}

/**
 * A scratch corner on a node for running the plugin with crafted input: a temp dir (IPAM file and
 * lease dir of its own) and throwaway pod namespaces. Nothing of it outlives `close`.
 */
export async function openScratch(ctx: CheckContext, node: string, ipam: object, over: Record<string, unknown> = {}): Promise<Scratch> {
  const d = ctx.driver;
  // The dir and its IPAM file are made while the node's config is read.
  const [dir, list] = await Promise.all([
    d.files.makeTempDir(node, '/tmp/cnilab-check-').then(async (dir) => (await d.files.write(node, `${dir}/ipam.config`, JSON.stringify(ipam)), dir)),
    ctx.runtime.loadNetwork(node),
  ]);
  const base = { ...list.plugins[0]!, name: 'cnilabcheck', cniVersion: '1.1.0' };
  const conf = { ...base, ipamFile: `${dir}/ipam.config`, dataDir: `${dir}/leases`, ...over };
  const made: string[] = [];
  return {
    dir,
    conf,
    async netns(name: string) {
      const pod = `chk-${name}-${Math.random().toString(36).slice(2, 6)}`;
      made.push(pod);
      return d.createPodNetns(node, pod);
    },
    async leases() {
      return leaseNames(await d.files.list(node, `${dir}/leases/cnilabcheck`));
    },
    async close(links: readonly string[] = []) {
      // Each link by its own `ip` call, not inside a shell: a node's `ip` answers without one.
      await Promise.all([
        ...made.map((p) => d.deletePodNetns(node, p)),
        ...links.map((l) => d.exec(node, ['ip', 'link', 'del', l])),
        d.files.remove(node, dir),
      ]);
    },
  };
}

/** The lease files among a lease dir's names (an address each: `10.99.8.2`), sorted; none when the dir is missing. */
export const leaseNames = (names: readonly string[] | undefined): string[] => (names ?? []).filter((n) => /^[0-9]+\./.test(n)).sort();

export interface PluginCall {
  code: number;
  stdout: string;
  stderr: string;
  json?: any;
}

/** Runs a plugin on a node with explicit CNI_* env and a config (or raw stdin). */
export async function callPlugin(ctx: CheckContext, node: string, conf: Record<string, unknown>, env: Record<string, string>, raw?: string): Promise<PluginCall> {
  return withJson(await ctx.runtime.exec(node, conf, env, raw));
}

/** A plugin run's result with its stdout parsed, when it is JSON (CNI results and errors are). */
export function withJson<T extends { stdout: string }>(r: T): T & { json: any } {
  try {
    return { ...r, json: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
  } catch {
    return { ...r, json: undefined };
  }
}

export const short = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s) || '(nothing)';

/**
 * Does a pod see packets from `src`? tcpdump inside the pod (bounded by `timeout`) while `trigger`
 * sends them: proof of the source address on arrival, i.e. that nothing NATed it on the way.
 */
export async function podSeesSource(driver: NodeDriver, node: string, pod: string, src: string, trigger: () => Promise<unknown>): Promise<boolean> {
  let done = false;
  const listening = driver.execPod(node, pod, ['timeout', '5', 'tcpdump', '-l', '-n', '-c', '1', '-i', 'eth0', `icmp and src host ${src}`]).finally(() => {
    done = true;
  });
  // tcpdump needs a moment to open the capture, longer on a busy machine: send from the start and
  // keep sending until it has seen one (or gives up); a fixed head start would only add waiting.
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 12 && !done; i++) {
    await trigger();
    await Promise.race([listening, new Promise((r) => setTimeout(r, 100))]);
  }
  const r = await listening;
  return r.code === 0 && r.stdout.includes(`${src} >`);
}
