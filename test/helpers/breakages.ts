// Breakages: for each lab check, a state it exists to catch (a route missing, a wrong MTU, a leaked
// lease or veth, an unplugged cable…), or for the plugin-contract labs a broken plugin: the
// reference built with one region altered the way a student plausibly gets it wrong, installed on
// every node as `cnilab deploy` does. Run from the solution bot's end state (vxlan, a pod "web" on
// every node, lab 01 built by hand) on the real kernel and on the simulated one; a lab whose
// checks do not all pass there (06, 07: other modes) is solved first.
//
// The table is plain data over a LabEnv (a node driver and a backend), so any backend can run it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Plugin } from 'esbuild';
import type { Backend } from '../../src/cluster/driver.ts';
import type { NetnsBackend } from '../../src/cluster/netns/netnsBackend.ts';
import { referenceBundles } from '../../src/cluster/nodeFiles.ts';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import type { SshBackend } from '../../src/cluster/ssh/sshBackend.ts';
import type { SimNetns } from '../../src/sim/core/model.ts';
import { updateWorld } from '../../src/sim/host/store.ts';
import { calcMasqueradeScript } from '../../src/plugin/plugin.ts';
import { checkContext, solveLab, type LabEnv } from '../../src/labs/actions.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { ENTRIES } from '../../src/labs/workspace.ts';
import { repoRoot } from '../../src/shared/paths.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { policyFilePath } from '../../src/cluster/policySync.ts';
import { Pods } from '../../src/runtime/pods.ts';
import type { CheckResult } from '../../src/validators/types.ts';

export interface Breakage {
  lab: string;
  /** The check this breakage exists to kill. */
  check: string;
  what: string;
  /** The failing check's `found` must match: it names what the breakage changed. */
  found: RegExp;
  /** Other checks of the lab that fail too, each with why; every check not listed must still pass. */
  alsoFails?: Record<string, string>;
  /** What the node must have for this breakage to run at all. */
  needs?: 'ipip' | 'containerd';
  breakIt(e: LabEnv): Promise<unknown>;
  mendIt(e: LabEnv): Promise<unknown>;
}

const bin = (e: LabEnv, name: string) => path.join(e.driver.paths('node2').binDir, name);
const run = (node: string, ...argv: string[]) => (e: LabEnv) => e.driver.exec(node, argv);
const inPod = (node: string, pod: string, ...argv: string[]) => (e: LabEnv) => e.driver.execPod(node, pod, argv);

/** A state breakage: one change on the nodes, and its undo. */
function state(lab: string, check: string, what: string, found: RegExp, breakIt: Breakage['breakIt'], mendIt: Breakage['mendIt'], more: Partial<Breakage> = {}): Breakage {
  return { lab, check, what, found, breakIt, mendIt, ...more };
}

// ---------------------------------------------------------------- broken plugins

type Executable = keyof typeof ENTRIES;

/** One region of the reference altered: `from` must occur exactly once in `file`. */
interface Patch {
  exe: Executable;
  file: string;
  from: string;
  to: string;
}

/** Bundles the reference executable with one source file patched in memory (the same esbuild settings as `cnilab deploy`). */
export async function buildBrokenBundle(p: Patch, outDir: string): Promise<string> {
  const { build } = await import('esbuild');
  const target = path.join(repoRoot(), p.file);
  const text = fs.readFileSync(target, 'utf8');
  const at = text.indexOf(p.from);
  if (at < 0 || text.indexOf(p.from, at + 1) >= 0) throw new Error(`broken plugin: "${p.from}" must occur exactly once in ${p.file} (the reference changed: update the breakage)`);
  const patchOne: Plugin = {
    name: 'patch-one-region',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => (args.path === target ? { contents: text.replace(p.from, p.to), loader: 'ts' } : undefined));
    },
  };
  const outfile = path.join(outDir, `${p.exe}.cjs`);
  await build({
    entryPoints: [path.join(repoRoot(), ENTRIES[p.exe])],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    minify: true,
    logLevel: 'silent',
    plugins: [patchOne],
  });
  return outfile;
}

/** Installs the reference with one executable replaced by a broken build; the build's temp dir is gone once installed. */
async function deployBroken(e: LabEnv, p: Patch) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-broken-'));
  try {
    await e.backend.installBundles({ ...referenceBundles(), [p.exe]: await buildBrokenBundle(p, dir) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function plugin(lab: string, check: string, what: string, found: RegExp, p: Patch, more: Partial<Breakage> = {}): Breakage {
  return { lab, check, what: `broken plugin: ${what}`, found, breakIt: (e) => deployBroken(e, p), mendIt: (e) => e.backend.installBundles(referenceBundles()), ...more };
}

const PLUGIN = (file: string, from: string, to: string): Patch => ({ exe: 'simplecni', file, from, to });
const IPAM = (file: string, from: string, to: string): Patch => ({ exe: 'simplecni-ipam', file, from, to });

const ALL_ERRORS = 'every error goes through the same output, so every check that reads an error object sees it too';

export function breakagesFor(backend: Backend): Breakage[] {
  let unplugged: string[] = [];
  let savedResult: string | undefined;
  const all: Breakage[] = [
    // 00 · setup
    state('00', 'underlay', 'the router stops forwarding', /node3/, run('router', 'sysctl', '-qw', 'net.ipv4.ip_forward=0'), run('router', 'sysctl', '-qw', 'net.ipv4.ip_forward=1')),
    state('00', 'plugin-installed', "node2's plugin removed", /node2/, (e) => e.driver.exec('node2', ['mv', bin(e, 'simplecni'), bin(e, 'simplecni.away')]), (e) => e.driver.exec('node2', ['mv', bin(e, 'simplecni.away'), bin(e, 'simplecni')])),

    // 01 · by hand
    state('01', 'byhand-bridge', 'lab1br down', /lab1br.*down|DOWN|down/, run('node1', 'ip', 'link', 'set', 'lab1br', 'down'), run('node1', 'ip', 'link', 'set', 'lab1br', 'up'), {
      alsoFails: { 'byhand-ping': 'a bridge that is down forwards nothing' },
    }),
    state('01', 'byhand-pods', "lab1-b's address removed", /lab1-b/, (e) => e.driver.exec('node1', ['ip', '-n', 'lab1-b', 'addr', 'flush', 'dev', 'eth0']), (e) => e.driver.exec('node1', ['ip', '-n', 'lab1-b', 'addr', 'add', '172.16.1.3/24', 'dev', 'eth0']), {
      alsoFails: { 'byhand-ping': 'lab1-b without its address cannot answer' },
    }),
    state('01', 'byhand-wired', "lab1-a's cable unplugged from lab1br", /lab1-a/, run('node1', 'ip', 'link', 'set', 'veth-lab1a', 'nomaster'), run('node1', 'ip', 'link', 'set', 'veth-lab1a', 'master', 'lab1br'), {
      alsoFails: { 'byhand-ping': 'an unplugged cable carries nothing to the bridge' },
    }),
    state('01', 'byhand-ping', "lab1-b's eth0 down", /lab1-b|172\.16\.1\.3/, (e) => e.driver.exec('node1', ['ip', '-n', 'lab1-b', 'link', 'set', 'eth0', 'down']), (e) => e.driver.exec('node1', ['ip', '-n', 'lab1-b', 'link', 'set', 'eth0', 'up']), {
      alsoFails: { 'byhand-pods': 'it also checks that each eth0 is up' },
    }),

    // 02 · the CNI contract: broken plugins
    plugin('02', 'contract-version', 'VERSION answers in its own version, not the one asked', /"cniVersion":"1\.1\.0"/, PLUGIN('src/plugin/main.ts', 'return JSON.stringify({ cniVersion, supportedVersions: SUPPORTED_VERSIONS });', "return JSON.stringify({ cniVersion: '1.1.0', supportedVersions: SUPPORTED_VERSIONS });")),
    plugin('02', 'contract-errors-stdout', 'log lines written to stdout', /stdout simplecni: error/, PLUGIN('src/plugin/log.ts', 'process.stderr.write(`${line}\\n`);', 'process.stdout.write(`${line}\\n`);'), {
      alsoFails: { 'contract-env': ALL_ERRORS, 'contract-decode': ALL_ERRORS },
    }),
    plugin('02', 'contract-errors-stdout', 'exit 0 on an error', /exit 0/, PLUGIN('src/plugin/main.ts', 'return { stdout: JSON.stringify({ cniVersion, code: e.code, msg: e.message, details }), code: 1 };', 'return { stdout: JSON.stringify({ cniVersion, code: e.code, msg: e.message, details }), code: 0 };'), {
      alsoFails: { 'contract-env': ALL_ERRORS, 'contract-decode': ALL_ERRORS },
    }),
    plugin('02', 'contract-env', 'a missing CNI_CONTAINERID reported as a config error (7)', /without CNI_CONTAINERID: exit 1, stdout .*"code":7/, PLUGIN('src/plugin/env.ts', "throw new CniError(ErrCode.InvalidEnv, 'required env variable CNI_CONTAINERID is missing');", "throw new CniError(ErrCode.InvalidConfig, 'required env variable CNI_CONTAINERID is missing');")),
    plugin('02', 'contract-env', 'a missing CNI_IFNAME reported without naming it', /without CNI_IFNAME/, PLUGIN('src/plugin/env.ts', "'required env variable CNI_IFNAME is missing'", "'a required env variable is missing'")),
    plugin('02', 'contract-decode', 'a config that is not JSON reported as a config error (7)', /not JSON → 7/, PLUGIN('src/plugin/config.ts', 'throw new CniError(ErrCode.DecodeFailure, `could not decode network config on stdin: ${(err as Error).message}`);', 'throw new CniError(ErrCode.InvalidConfig, `could not decode network config on stdin: ${(err as Error).message}`);')),
    plugin('02', 'contract-decode', 'an unsupported cniVersion accepted', /cniVersion 0\.2\.0 → 4/, PLUGIN('src/plugin/config.ts', 'if (!isSupportedVersion(cniVersion)) {', 'if (!isSupportedVersion(cniVersion) && cniVersion.startsWith("9")) {')),

    // 03 · IPAM: broken simplecni-ipam builds
    plugin('03', 'ipam-reserved', 'the broadcast address handed out', /6th ADD got 10\.99\.0\.7/, IPAM('src/plugin/ipam/allocator.ts', 'const last = ipToInt(range.broadcast) - 1;', 'const last = ipToInt(range.broadcast);')),
    plugin('03', 'ipam-reserved', 'the network address handed out', /10\.99\.0\.0\/29/, IPAM('src/plugin/ipam/allocator.ts', 'const first = ipToInt(range.network) + 1;', 'const first = ipToInt(range.network);')),
    plugin('03', 'ipam-concurrent', "every ADD starts from the IPAM file's counter and takes its address even when leased", /handed out twice: 10\.99\.1\.2\/24/, IPAM('src/plugin/ipam/allocator.ts', 'for (const ip of candidateAddresses(range, await store.lastReserved())) {\n    if (await store.reserve(ip, owner)) {', 'for (const ip of candidateAddresses(range, undefined)) {\n    if ((await store.reserve(ip, owner)) || true) {'), {
      alsoFails: { 'ipam-reserved': 'five ADDs one after another get the same address too, and a full subnet is never refused' },
    }),
    plugin('03', 'ipam-release', 'DEL keeps the lease file', /after DEL: 10\.99\.2\.\d+/, IPAM('src/plugin/ipam/diskStore.ts', 'fs.rmSync(path.join(this.dir, lease.ip), { force: true })', 'undefined')),
    plugin('03', 'ipam-file-errors', 'an IPAM file error that does not name the file', /invalid IPAM file: not valid JSON/, IPAM('src/plugin/ipam/ipamFile.ts', '`invalid IPAM file "${file}": ${why}`', '`invalid IPAM file: ${why}`')),

    // 04 · first pod
    state('04', 'pod-bridge', "node1's bridge down", /down/, run('node1', 'ip', 'link', 'set', 'simplecni0', 'down'), run('node1', 'ip', 'link', 'set', 'simplecni0', 'up'), {
      alsoFails: { 'pod-ping': 'a bridge that is down carries no ping to its own address' },
    }),
    state('04', 'pod-wired', "the pod's veth unplugged from the bridge", /no bridge|nomaster|not .*simplecni0|master/, async (e) => {
      const ports = JSON.parse((await e.driver.exec('node1', ['ip', '-j', 'link', 'show', 'master', 'simplecni0'])).stdout) as { ifname: string }[];
      unplugged = ports.map((p) => p.ifname);
      for (const p of unplugged) await e.driver.exec('node1', ['ip', 'link', 'set', p, 'nomaster']);
    }, async (e) => {
      for (const p of unplugged) await e.driver.exec('node1', ['ip', 'link', 'set', p, 'master', 'simplecni0']);
    }, { alsoFails: { 'pod-ping': 'an unplugged cable carries no ping to the bridge' } }),
    state('04', 'pod-route', "the pod's default route deleted", /^(?!.*default)10\.244\.1\.0\/24 dev eth0/, inPod('node1', 'web', 'ip', 'route', 'del', 'default'), inPod('node1', 'web', 'ip', 'route', 'add', 'default', 'via', '10.244.1.1')),
    state('04', 'pod-forward', 'ip_forward off on node1', /ip_forward = 0/, run('node1', 'sysctl', '-qw', 'net.ipv4.ip_forward=0'), run('node1', 'sysctl', '-qw', 'net.ipv4.ip_forward=1')),
    state('04', 'pod-result', 'the cached result without the sandbox', /, eth0\]/, async (e) => {
      // Through the node's own files (a VM's cache is on the VM), the original kept here to put back.
      const f = `${e.driver.paths('node1').cacheDir}/simplecni-web-eth0`;
      savedResult = await e.driver.files.read('node1', f);
      if (savedResult === undefined) throw new Error(`node1 has no cached result ${f}`);
      const entry = JSON.parse(savedResult);
      delete entry.result.interfaces[2].sandbox;
      await e.driver.files.write('node1', f, JSON.stringify(entry));
    }, async (e) => {
      await e.driver.files.write('node1', `${e.driver.paths('node1').cacheDir}/simplecni-web-eth0`, savedResult!);
    }),
    state('04', 'pod-ping', "the gateway address removed from node1's bridge", /unreachable|100% packet loss|Network is unreachable|no answer/i, run('node1', 'ip', 'addr', 'flush', 'dev', 'simplecni0'), run('node1', 'ip', 'addr', 'add', '10.244.1.1/24', 'dev', 'simplecni0'), {
      alsoFails: { 'pod-bridge': 'it also checks the gateway address on the bridge' },
    }),

    // 05 · DEL, CHECK, GC: broken plugins, and leaks on the nodes
    plugin('05', 'del-idempotent', 'DEL demands the pod netns, as ADD does', /without CNI_NETNS [1-9]\d* \(CNI_NETNS "" does not exist/, PLUGIN('src/plugin/plugin.ts', 'const hostVeth = calcHostVethName(conf.name, args.containerId, args.ifname);\n  const deleted', 'if ((await deps.netnsAt(args.netns)) !== "netns") throw new CniError(ErrCode.InvalidEnv, `CNI_NETNS "${args.netns}" does not exist`);\n  const hostVeth = calcHostVethName(conf.name, args.containerId, args.ifname);\n  const deleted')),
    plugin('05', 'del-idempotent', 'DEL fails when the veth is already gone', /again [1-9]/, PLUGIN('src/plugin/plugin.ts', 'const deleted = await deleteLinkIfExists(deps.host, hostVeth);', "const deleted = await deps.host.ip(['link', 'del', hostVeth]).then(() => true);")),
    plugin('05', 'check-drift', 'CHECK ignores a drifted address', /address removed: exit (?!.*lacks address)/, PLUGIN('src/plugin/plugin.ts', 'if (!hasAddr(pod, expectedIp.address)) drift.push', 'if (false) drift.push')),
    plugin('05', 'check-drift', 'CHECK never reports drift', /address removed: exit 0/, PLUGIN('src/plugin/plugin.ts', 'if (drift.length > 0) {', 'if (drift.length > 99) {')),
    plugin('05', 'gc-stale', 'GC frees live leases too', /leases left: none/, PLUGIN('src/plugin/plugin.ts', 'if (valid.has(`${lease.containerId}\\n${lease.ifname}`)) continue;', 'if (valid.has(`${lease.containerId}/${lease.ifname}`)) continue;')),
    plugin('05', 'gc-stale', 'GC removes the veths but keeps the leases', /leases left: 10\.99\.10\.\d+, 10\.99\.10\.\d+/, PLUGIN('src/plugin/plugin.ts', 'freed += (await deps.store.releaseByOwner(lease)).length;', 'freed += 0;')),
    state('05', 'no-leaks', 'a lease with no pod on node2', /node2: lease 10\.244\.2\.200/, (e) => e.driver.exec('node2', ['sh', '-c', `printf 'ghost\\r\\neth0' > ${e.driver.paths('node2').dataDir}/simplecni/10.244.2.200`]), (e) => e.driver.exec('node2', ['rm', '-f', `${e.driver.paths('node2').dataDir}/simplecni/10.244.2.200`])),
    state('05', 'no-leaks', 'a veth on the bridge with no lease on node3', /node3: 2 pod veths on the bridge but 1 leases/, run('node3', 'sh', '-c', 'ip link add vethleak0 type veth peer name vethleak1 && ip link set vethleak0 master simplecni0'), run('node3', 'ip', 'link', 'del', 'vethleak0')),

    // 06 · host-gw (solved first: the end state is vxlan)
    state('06', 'hostgw-routes', "node1's route to node2's pods deleted", /node1: no route to 10\.244\.2/, run('node1', 'ip', 'route', 'del', '10.244.2.0/24'), run('node1', 'ip', 'route', 'add', '10.244.2.0/24', 'via', '192.168.56.12'), {
      alsoFails: { 'hostgw-ping': 'without the route node1 cannot reach node2’s pod' },
    }),
    state('06', 'hostgw-ping', "node1 masquerades its pods' packets to node2", /never sees 10\.244\.1\.\d+ as the source/, (e) => e.driver.exec('node1', ['nft', '-f', '-'], { input: calcMasqueradeScript('10.244.1.0/24', '10.99.0.0/16') }), (e) => e.driver.exec('node1', ['nft', '-f', '-'], { input: 'table ip simplecni {}\ndelete table ip simplecni\n' })),
    state('06', 'hostgw-node3', 'a route that pretends to reach node3', /node1 has a route to 10\.244\.3\.0\/24/, run('node1', 'ip', 'route', 'add', '10.244.3.0/24', 'via', '192.168.56.254'), run('node1', 'ip', 'route', 'del', '10.244.3.0/24')),

    // 07 · IP-in-IP (solved first; only where the kernel has IP-in-IP)
    state('07', 'ipip-device', "node2's tunl0 at MTU 1400", /node2: tunl0 mtu 1400/, run('node2', 'ip', 'link', 'set', 'tunl0', 'mtu', '1400'), run('node2', 'ip', 'link', 'set', 'tunl0', 'mtu', '1480'), { needs: 'ipip' }),
    state('07', 'ipip-routes', "node1 routes node2's pods over the underlay instead of tunl0", /node1 → 10\.244\.2\.0\/24: via 192\.168\.56\.12 dev eth1/, run('node1', 'ip', 'route', 'replace', '10.244.2.0/24', 'via', '192.168.56.12', 'dev', 'eth1'), run('node1', 'ip', 'route', 'replace', '10.244.2.0/24', 'via', '192.168.56.12', 'dev', 'tunl0', 'onlink'), { needs: 'ipip' }),
    state('07', 'ipip-ping', "node3's pod without its default route", /node3→node1 fails/, inPod('node3', 'web', 'ip', 'route', 'del', 'default'), inPod('node3', 'web', 'ip', 'route', 'add', 'default', 'via', '10.244.3.1'), { needs: 'ipip' }),

    // 08 · VXLAN
    state('08', 'vxlan-device', 'flannel.1 MTU 1400 on node2', /node2.*1400/, run('node2', 'ip', 'link', 'set', 'flannel.1', 'mtu', '1400'), run('node2', 'ip', 'link', 'set', 'flannel.1', 'mtu', '1450')),
    state('08', 'vxlan-peers', "node1's neighbour entry for node3 deleted", /node1.*10\.244\.3\.0/, run('node1', 'ip', 'neigh', 'del', '10.244.3.0', 'dev', 'flannel.1'), run('node1', 'ip', 'neigh', 'replace', '10.244.3.0', 'lladdr', '0e:53:c0:a8:39:0d', 'dev', 'flannel.1', 'nud', 'permanent'), {
      alsoFails: { 'vxlan-ping': 'node1 cannot resolve node3’s VTEP without it' },
    }),
    state('08', 'vxlan-ping', "node3's fdb entry for node1 deleted", /node3/, run('node3', 'bridge', 'fdb', 'del', '0e:53:c0:a8:38:0b', 'dev', 'flannel.1', 'dst', '192.168.56.11', 'self'), run('node3', 'bridge', 'fdb', 'replace', '0e:53:c0:a8:38:0b', 'dev', 'flannel.1', 'dst', '192.168.56.11', 'self', 'permanent'), {
      alsoFails: { 'vxlan-peers': 'the fdb entry is one of the three entries per peer it checks' },
    }),
    state('08', 'vxlan-mtu', 'a pod left at MTU 1500', /1500/, inPod('node2', 'web', 'ip', 'link', 'set', 'eth0', 'mtu', '1500'), inPod('node2', 'web', 'ip', 'link', 'set', 'eth0', 'mtu', '1450')),

    // 09 · containers (where containerd runs: test/integration/containerd.test.ts, with a container running)
    state('09', 'ctr-lease', "the container's lease file gone from node1", /only cnilab pods hold leases/, ctrLeases('hide'), ctrLeases('restore'), {
      needs: 'containerd',
      alsoFails: { 'ctr-wired': 'it finds the container through its lease' },
    }),
    state('09', 'ctr-wired', "node1's bridge down under the running container", /do not answer/, run('node1', 'ip', 'link', 'set', 'simplecni0', 'down'), run('node1', 'ip', 'link', 'set', 'simplecni0', 'up'), { needs: 'containerd' }),

    // 10 · MTU
    state('10', 'mtu-consistent', 'a pod left at MTU 1500', /1500/, inPod('node3', 'web', 'ip', 'link', 'set', 'eth0', 'mtu', '1500'), inPod('node3', 'web', 'ip', 'link', 'set', 'eth0', 'mtu', '1450')),
    state('10', 'mtu-probe', "node1's flannel.1 shrunk below the pods' MTU", /1422: lost/, run('node1', 'ip', 'link', 'set', 'flannel.1', 'mtu', '1400'), async (e) => {
      await e.driver.exec('node1', ['ip', 'link', 'set', 'flannel.1', 'mtu', '1450']);
      // The probing pod (node1's first, whichever it is) learned the smaller path MTU from node1's
      // "frag needed": every pod of node1 forgets it, as its expiry would.
      await e.driver.exec('node1', ['ip', 'route', 'flush', 'cache']);
      for (const { pod } of await e.driver.listPodNetns('node1')) await e.driver.execPod('node1', pod, ['ip', 'route', 'flush', 'cache']);
    }),
  ];
  all.push(...lab11Breakages());
  if (backend === 'netns') {
    // A node whose mount namespace is gone: only a real node has one to lose.
    all.unshift(state('00', 'cluster-up', 'node3 unreachable (its mount namespace gone)', /node3/, (e) => execCommand(['umount', '-l', (e.backend as NetnsBackend).layout.nodeMntNs('node3')]), (e) => e.backend.up({ mode: e.backend.readState()!.mode as 'vxlan' }), {
      alsoFails: { 'plugin-installed': 'nothing can run in node3 without its mount namespace' },
    }));
  } else if (backend === 'sim') {
    // A simulated node whose namespace is gone from the world (put back as it was).
    let saved: SimNetns | undefined;
    const file = (e: LabEnv) => (e.backend as SimBackend).layout.kernelFile;
    all.unshift(state('00', 'cluster-up', "node3's namespace gone from the simulated kernel", /node3/, (e) => updateWorld(file(e), (w) => {
      saved = w.namespaces.node3;
      delete w.namespaces.node3;
    }), (e) => updateWorld(file(e), (w) => {
      w.namespaces.node3 = saved!;
    }), { alsoFails: { underlay: 'node1 cannot reach a node that is gone' } }));
  } else {
    // A machine reached over ssh that no longer answers there: node3's Host entry in the cluster's
    // ssh config points at a port where nothing listens (first value wins in an ssh config).
    let saved = '';
    const file = (e: LabEnv) => (e.backend as SshBackend).layout.sshConfig;
    all.unshift(state('00', 'cluster-up', "node3 unreachable (its ssh port wrong in the cluster's ssh config)", /node3/, async (e) => {
      saved = fs.readFileSync(file(e), 'utf8');
      if (!/^Host node3$/m.test(saved)) throw new Error(`no "Host node3" in ${file(e)}`);
      fs.writeFileSync(file(e), saved.replace(/^Host node3$/m, 'Host node3\n  Port 9'));
    }, async (e) => fs.writeFileSync(file(e), saved), {
      alsoFails: { 'plugin-installed': 'nothing can run on node3 when ssh cannot reach it' },
    }));
  }
  return all;
}

// 11 · NetworkPolicy: changes to node1's table inet simplecni-policy; mended by its agent rendering it again.
function lab11Breakages(): Breakage[] {
  const T = ['inet', 'simplecni-policy'];
  const nft = (...args: string[]) => (e: LabEnv) => e.driver.exec('node1', ['nft', ...args]);
  const rerender = (e: LabEnv) =>
    e.driver.exec('node1', [path.join(e.driver.paths('node1').binDir, 'simplecni-node'), 'policy', '--node', 'node1', '--policy-file', policyFilePath(e.driver, 'node1')]);
  const web1 = async (e: LabEnv) => (await new Pods(e.driver).list('node1')).find((p) => p.name === 'web')!.address!.split('/')[0]!;
  return [
    state('11', 'policy-ruleset', 'a rule in the wrong place: a counter before the replies’ accept', /begins with "ip daddr @isolated counter/, nft('insert', 'rule', ...T, 'forward', 'ip', 'daddr', '@isolated', 'counter'), rerender),
    state('11', 'policy-allowed', "front's address missing from the policy's peer set", /node2\/front → db:6379: timeout/, nft('flush', 'set', ...T, 'peers_db-from-frontend_0_0'), rerender),
    state('11', 'policy-denied', 'an accept for everyone before the drop', /let in/, nft('insert', 'rule', ...T, 'ingress', 'accept'), rerender),
    state(
      '11',
      'policy-replies',
      'the replies’ accept removed: the policy also blocks db’s own answers',
      /db → node2\/front:80: timeout/,
      (e) => e.driver.exec('node1', ['sh', '-c', `h=$(nft -a list chain ${T.join(' ')} forward | sed -n 's/.*ct state established,related accept.*# handle \\([0-9]*\\).*/\\1/p'); nft delete rule ${T.join(' ')} forward handle "$h"`]),
      rerender,
      { alsoFails: { 'policy-ruleset': 'the forward chain no longer begins with the replies’ accept' } },
    ),
    state('11', 'policy-open', 'web on node1 put in the isolated set: selected by no policy, yet closed', /node1\/web|timeout/, async (e) => nft('add', 'element', ...T, 'isolated', `{ ${await web1(e)} }`)(e), rerender),
  ];
}

/** Hides (or puts back) node1's leases held by containerd containers ("<namespace>-<id>" owners). */
function ctrLeases(how: 'hide' | 'restore') {
  return async (e: LabEnv) => {
    const dir = `${e.driver.paths('node1').dataDir}/simplecni`;
    const script =
      how === 'hide'
        ? 'cd "$0" && for f in [0-9]*; do head -n1 "$f" | grep -q -- - && mv "$f" ".away-$f"; done; true'
        : 'cd "$0" && for f in .away-*; do [ -f "$f" ] && mv "$f" "${f#.away-}"; done; true';
    return e.driver.exec('node1', ['sh', '-c', script, dir]);
  };
}

// ---------------------------------------------------------------- running the table

export const COULD_NOT_RUN = /the check could not run/;

/** What one breakage did: which checks of its lab failed, and what is wrong with that (empty: as it should be). */
export interface BreakageOutcome {
  breakage: Breakage;
  failed: string[];
  problems: string[];
}

async function labResults(env: LabEnv, id: string): Promise<Record<string, CheckResult>> {
  const r = await runLabChecks(findLab(loadCatalog(), id), checkContext(env));
  return Object.fromEntries(r.checks.map((c) => [c.id, c]));
}

const failing = (r: Record<string, CheckResult>) => Object.values(r).filter((c) => !c.passed);
const describeFailing = (r: Record<string, CheckResult>) => failing(r).map((c) => `${c.id}: ${c.found}`);

/** The solution bot's end state, whatever came before: every lab solved in order (those `skip` names aside). */
export async function solveAll(env: LabEnv, skip: string[] = []) {
  const unsupported = ['09'];
  for (const l of loadCatalog()) if (!unsupported.includes(l.id) && !skip.includes(l.id)) await solveLab(env, l);
}

/**
 * Runs breakages lab by lab: the lab passes first (solved if it does not), then each breakage is
 * applied, the lab checked, and the breakage mended. Every outcome is judged: its check failed and
 * ran, `found` names the change, and exactly the checks it lists fail besides.
 */
export async function runBreakages(env: LabEnv, breakages: Breakage[], onOutcome?: (o: BreakageOutcome) => void): Promise<BreakageOutcome[]> {
  const catalog = loadCatalog();
  const outcomes: BreakageOutcome[] = [];
  const labs = [...new Set(breakages.map((b) => b.lab))];
  for (const id of labs) {
    let before = await labResults(env, id);
    if (failing(before).length > 0) {
      await solveLab(env, findLab(catalog, id));
      before = await labResults(env, id);
    }
    for (const b of breakages.filter((x) => x.lab === id)) {
      const problems: string[] = [];
      const was = describeFailing(before);
      if (was.length > 0) problems.push(`the lab did not pass before the breakage: ${was.join('; ')}`);
      let failed: string[] = [];
      await b.breakIt(env);
      try {
        const r = await labResults(env, id);
        failed = failing(r).map((c) => c.id);
        const mine = r[b.check];
        if (!mine) problems.push(`lab ${id} has no check ${b.check}`);
        else if (mine.passed) problems.push(`${b.check} passed (found: ${mine.found})`);
        else {
          if (!b.found.test(mine.found)) problems.push(`${b.check}'s found does not name the change: "${mine.found}" !~ ${b.found}`);
          if (mine.hint.length <= 20) problems.push(`${b.check} has no real hint: "${mine.hint}"`);
          if (mine.found === mine.expected) problems.push(`${b.check}: found is the same text as expected`);
        }
        for (const c of Object.values(r)) if (COULD_NOT_RUN.test(c.found)) problems.push(`${c.id} did not run: ${c.found}`);
        const also = b.alsoFails ?? {};
        for (const c of failing(r)) if (c.id !== b.check && !(c.id in also)) problems.push(`${c.id} failed too, unlisted: ${c.found}`);
        for (const c of Object.keys(also)) if (r[c]?.passed) problems.push(`${c} is listed as failing too (${also[c]}) but passed`);
      } finally {
        await b.mendIt(env);
      }
      before = await labResults(env, id);
      const after = describeFailing(before);
      if (after.length > 0) problems.push(`the lab does not pass again once mended: ${after.join('; ')}`);
      const o = { breakage: b, failed, problems };
      onOutcome?.(o);
      outcomes.push(o);
    }
  }
  return outcomes;
}

/** Prints each outcome as it comes (a long run shows its progress, and what went wrong where). */
export const logOutcome = (backend: string) => (o: BreakageOutcome) =>
  console.log(`[${backend}] ${o.problems.length ? '✗' : '✓'} ${o.breakage.lab}/${o.breakage.check} · ${o.breakage.what} → failed: ${o.failed.join(', ') || 'none'}${o.problems.map((p) => `\n    ${p}`).join('')}`);

/** Every breakage kills its check and only what it lists: the problems of all of them, at once. */
export function problemsOf(outcomes: BreakageOutcome[]): string[] {
  return outcomes.flatMap((o) => o.problems.map((p) => `${o.breakage.lab}/${o.breakage.check} · ${o.breakage.what}: ${p}`));
}

/** Check ids of labs.yaml without a breakage in `table` (those of `exempt` labs aside). */
export function checksWithoutBreakage(table: Breakage[], exemptLabs: string[] = []): string[] {
  const have = new Set(table.map((b) => `${b.lab}/${b.check}`));
  return loadCatalog()
    .filter((l) => !exemptLabs.includes(l.id))
    .flatMap((l) => l.checks.map((c) => `${l.id}/${c.id}`))
    .filter((k) => !have.has(k));
}

/** How many breakages killed a check: it failed under them, and ran (a check that threw killed nothing). */
export function killsOf(outcomes: BreakageOutcome[], lab: string, check: string): number {
  return outcomes.filter((o) => o.breakage.lab === lab && o.failed.includes(check) && !o.problems.some((p) => p.startsWith(`${check} did not run`))).length;
}
