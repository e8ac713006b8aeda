// The labs on real VMs: the cluster that `cnilab cluster up --backend vagrant` made (vm/test-vm.sh
// runs this inside the VMs' network namespace, with SIMPLECNI_STATE_HOME pointing at its state).
// The same lab actions and the same checks as on the netns backend, through the ssh driver, on
// Debian's own kernel, which has IPIP: so lab 07 runs for real here.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterBackend } from '../../src/cluster/backend.ts';
import { makeBackend } from '../../src/cluster/backends.ts';
import { renderClusterFile, renderConflist, renderIpamFile, VM_PATHS, CONF_FILE_NAME } from '../../src/cluster/nodeConfig.ts';
import { collectStatus } from '../../src/cluster/status.ts';
import { loadTopology, workers } from '../../src/cluster/topology.ts';
import type { SshBackend } from '../../src/cluster/ssh/sshBackend.ts';
import { checkContext, resetLabNodes, setMode, solveLab, type LabEnv } from '../../src/labs/actions.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { referenceBundles } from '../../src/cluster/nodeFiles.ts';
import { Pods } from '../../src/runtime/pods.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { kernelHasIpip } from '../../src/validators/labs/lab07.ts';
import WebSocket from 'ws';
import { breakagesFor, logOutcome, problemsOf, runBreakages } from '../helpers/breakages.ts';
import { capture } from '../helpers/capture.ts';
import { expectStarterFailsThenSolved } from '../helpers/starters.ts';
import { startServeProcess } from '../helpers/serve.ts';

const topology = loadTopology();
const backend = makeBackend('vagrant', topology, 'lab') as ClusterBackend & SshBackend;
const env: LabEnv = { topology, backend, driver: backend.driver };
const pods = new Pods(backend.driver);
const CLI = path.resolve('bin/cnilab');
const cli = (args: string[]) => execCommand([CLI, ...args], { env: { NO_COLOR: '1', FORCE_COLOR: '0' } });

const timings: string[] = [];
async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings.push(`${what.padEnd(44)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s`);
  }
}
afterAll(() => console.log(`\nVM suite timings:\n  ${timings.join('\n  ')}\n`));

describe('the cluster `cnilab cluster up --backend vagrant` made', () => {
  it('is recorded as a complete vagrant cluster, every node reached over ssh as root', async () => {
    const state = backend.readState();
    expect(state).toMatchObject({ backend: 'vagrant', complete: true });
    expect(Object.keys(state!.ssh!.nodes).sort()).toEqual(topology.nodes.map((n) => n.name).sort());
    for (const n of topology.nodes) {
      const r = await backend.driver.exec(n.name, ['id', '-un']);
      expect(r.stdout.trim(), `${n.name}: ${r.stderr}`).toBe('root');
    }
  });

  it('has a healthy underlay: every worker reaches every node (node3 through the router)', async () => {
    const st = await collectStatus(backend.driver);
    expect(st.nodes.filter((n) => !n.reachable || n.underlay.some((u) => !u.up)).map((n) => n.name)).toEqual([]);
    expect(st.underlay.filter((p) => !p.ok).map((p) => `${p.from}→${p.to}`)).toEqual([]);
  });

  it('gave every worker the same CNI files the netns backend renders, at the standard paths', async () => {
    const mode = backend.readState()!.mode as 'host-gw';
    for (const w of workers(topology)) {
      const cat = async (f: string) => (await backend.driver.exec(w.name, ['cat', f])).stdout;
      expect(await cat(`${VM_PATHS.confDir}/${CONF_FILE_NAME}`)).toBe(renderConflist(topology, VM_PATHS, mode));
      expect(await cat(VM_PATHS.ipamFile)).toBe(renderIpamFile(w));
      expect(await cat(VM_PATHS.clusterFile)).toBe(renderClusterFile(topology, mode));
      const r = await backend.driver.exec(w.name, [`${VM_PATHS.binDir}/simplecni`], { env: { CNI_COMMAND: 'VERSION' }, input: '{"cniVersion":"1.0.0"}' });
      expect(JSON.parse(r.stdout).supportedVersions, r.stderr).toContain('1.1.0');
    }
  });

  it('answers the CLI: pod add, pod list, exec into the pod, pod del', async () => {
    const add = await cli(['pod', 'add', 'node2', 'vmcli', '--json']);
    expect(add.code, add.stderr).toBe(0);
    const address = (JSON.parse(add.stdout) as { address: string }).address;
    expect(address).toMatch(/^10\.244\.2\.\d+\/24$/);
    const list = JSON.parse((await cli(['pod', 'list', 'node2', '--json'])).stdout) as { name: string; address: string }[];
    expect(list).toContainEqual(expect.objectContaining({ name: 'vmcli', address }));
    const ex = await cli(['exec', 'node2/vmcli', '--', 'ip', '-j', 'addr', 'show', 'dev', 'eth0']);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toContain(address.split('/')[0]);
    const dup = await cli(['pod', 'add', 'node2', 'vmcli']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/already exists on node2/);
    expect((await cli(['pod', 'del', 'node2', 'vmcli'])).code).toBe(0);
    expect((await pods.list('node2')).map((p) => p.name)).not.toContain('vmcli');
  });
});

describe('cnilab serve on the VMs', () => {
  it('serves the live topology, a lab\'s checks, and a root shell on a VM in the browser\'s terminal', async () => {
    const serve = await startServeProcess('lab');
    try {
      const url = new URL(serve.url);
      const token = url.hash.replace('#token=', '');
      const auth = { Authorization: `Bearer ${token}` };
      const topo = (await (await fetch(`${url.origin}/api/topology`, { headers: auth })).json()) as { nodes: { name: string }[] };
      expect(topo.nodes.map((n) => n.name)).toEqual(expect.arrayContaining(['node1', 'node2', 'node3', 'router']));
      const lines = (await (await fetch(`${url.origin}/api/labs/00/check`, { method: 'POST', headers: auth })).text()).trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.at(-1)).toMatchObject({ type: 'done', lab: '00', passed: true });

      const ws = new WebSocket(`${url.origin.replace('http', 'ws')}/api/term?node=node3`, [`cnilab.${token}`], { origin: url.origin });
      let out = '';
      ws.on('message', (m) => {
        const msg = JSON.parse(m.toString()) as { type: string; data?: string };
        if (msg.type === 'output') out += msg.data;
      });
      await new Promise((r) => ws.on('open', r));
      ws.send(JSON.stringify({ type: 'input', data: 'echo "who:$(id -un)@$(hostname)"; ip -br addr show eth1\r' }));
      for (let i = 0; i < 600 && !/192\.168\.57\.13\/24/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      ws.close();
      expect(out).toContain('who:root@node3');
      expect(out).toContain('192.168.57.13/24');
    } finally {
      await serve.stop();
    }
  });
});

const catalog = loadCatalog();

// Every lab, solved by the reference solution and checked, starting from each of the three modes:
// labs 01–05 are checked on a cluster in that mode, 06/07/08/10 switch to their own (07: IPIP).
describe.each(['host-gw', 'ipip', 'vxlan'] as const)('solution bot, starting in mode %s', (mode) => {
  beforeAll(async () => {
    await timed(`mode ${mode}`, () => setMode(env, mode));
  });

  it(`the reference solution passes every check of every lab (09: the VMs' own containerd${mode === 'host-gw' ? '' : ', in mode host-gw only'})`, async () => {
    expect(await kernelHasIpip(checkContext(env)), 'the VM kernel has IPIP').toBe(true);
    for (const lab of catalog) {
      // Lab 09's containers do not depend on the mode the cluster started in, and a solve and a
      // reset take minutes on emulated CPUs: once, from host-gw, keeps the tier inside CI's time.
      if (lab.id === '09' && mode !== 'host-gw') continue;
      await timed(`${mode}: solve lab ${lab.id}`, () => solveLab(env, lab));
      const r = await timed(`${mode}: check lab ${lab.id}`, () => runLabChecks(lab, checkContext(env)));
      expect(r.checks.filter((x) => !x.passed).map((x) => `${lab.id}/${x.id}: expected ${x.expected}; found ${x.found}`)).toEqual([]);
      if (lab.id === '09') {
        // The containers ran on each VM's containerd, in the kit's namespace; reset ends them and frees their leases.
        const listed = await backend.driver.exec('node1', ['ctr', '--namespace', 'cnilab', 'task', 'ls', '-q']);
        expect(listed.stdout.split('\n')).toContain('web1');
        await timed(`${mode}: reset lab 09`, () => resetLabNodes(env, lab, referenceBundles()));
        for (const w of workers(topology)) {
          expect((await backend.driver.exec(w.name, ['ctr', '--namespace', 'cnilab', 'container', 'ls', '-q'])).stdout.trim(), `${w.name}: no container of the kit left`).toBe('');
        }
        expect((await runLabChecks(lab, checkContext(env))).checks.find((x) => x.id === 'ctr-lease')?.passed).toBe(false);
      }
    }
  });
});

// The proof that the overlays are overlays: what node1's underlay NIC carries while node1's pod
// pings node3's (across the router).
describe.each([
  ['ipip', 'ip proto 4', /proto IPIP \(4\)/],
  // tcpdump decodes UDP 8472 by the port's registered name, OTV (the same header: flags I, instance = VNI).
  ['vxlan', 'udp port 8472', /\.8472: (OTV|VXLAN), flags \[I\] \(0x08\), (overlay 0, instance|vni) 1\n/],
] as const)('encapsulation in mode %s', (mode, filter, seen) => {
  it(`tcpdump on node1's eth1 sees the pod's ping inside ${mode}`, async () => {
    await setMode(env, mode);
    const ip = async (node: string) => {
      const p = (await pods.list(node)).find((x) => x.name === `cap-${mode}`) ?? (await pods.add(node, `cap-${mode}`));
      return p.address!.split('/')[0]!;
    };
    await ip('node1');
    const target = await ip('node3');
    const ssh = [...backend.connections.sshArgv(), 'node1', 'timeout', '60'];
    const out = await capture(ssh, 'eth1', filter, () => backend.driver.execPod('node1', `cap-${mode}`, ['ping', '-c2', '-W3', target]), 4, 30_000, 60_000);
    expect(out).toMatch(seen);
    expect(out).toContain(`> ${target}: ICMP echo request`);
    // `cnilab trace` reads these VMs' state into the model and walks the same ping: it crosses the router encapsulated.
    const tr = await cli(['trace', `node1/cap-${mode}`, `node3/cap-${mode}`, '--json']);
    expect(tr.code, tr.stderr).toBe(0);
    const t = JSON.parse(tr.stdout) as { ok: boolean; hops: { step: string; where: string }[] };
    expect(t.ok).toBe(true);
    expect(t.hops.filter((h) => h.step === 'encap').map((h) => h.where)).toContain('node1');
    for (const n of ['node1', 'node3']) await pods.del(n, `cap-${mode}`);
  });
});

// An instructor grading a student's machines: the same VMs, named in an inventory, reached as the
// `vagrant` user (so through sudo), graded with `cnilab check`. Last: its `down` removes the pods.
describe('the ssh backend on the same VMs', () => {
  it('cluster up --backend ssh --inventory, check, status, down (which leaves the machines)', async () => {
    const cfg = fs.readFileSync(backend.layout.sshConfig, 'utf8');
    const field = (host: string, key: string) => new RegExp(`^Host ${host}\\n(?:\\s+.*\\n)*?\\s+${key} (.+)$`, 'm').exec(cfg)?.[1]?.replace(/^"|"$/g, '');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnilab-inventory-'));
    try {
      const inventory = path.join(dir, 'student.yaml');
      const nodes = topology.nodes.map((n) => `  ${n.name}: { host: ${field(n.name, 'HostName')}, port: ${field(n.name, 'Port')}, identityFile: ${field(n.name, 'IdentityFile')} }`);
      fs.writeFileSync(inventory, ['defaults: { user: vagrant, options: { StrictHostKeyChecking: "no" } }', 'nodes:', ...nodes, ''].join('\n'));
      const mode = backend.readState()!.mode;
      const up = await cli(['--cluster', 'student', 'cluster', 'up', '--backend', 'ssh', '--inventory', inventory, '--mode', mode]);
      expect(up.code, up.stdout + up.stderr).toBe(0);
      expect(up.stdout).toContain('backend ssh');
      const who = await makeBackend('ssh', topology, 'student').driver.exec('node1', ['id', '-un']);
      expect(who.stdout.trim(), 'commands run through sudo as root').toBe('root');
      const lab = mode === 'vxlan' ? '10' : '06';
      const check = await cli(['--cluster', 'student', 'check', lab, '--json']);
      expect(check.code, check.stdout + check.stderr).toBe(0);
      const status = await cli(['--cluster', 'student', 'cluster', 'status', '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ backend: 'ssh', healthy: true });
      const down = await cli(['--cluster', 'student', 'cluster', 'down']);
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toMatch(/pods; the machines stay/);
      expect(makeBackend('ssh', topology, 'student').readState()).toBeUndefined();
      expect((await backend.driver.exec('node1', ['true'])).code, 'the machines are still there').toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Lab 07 where IP-in-IP is real: its checks each killed by a breakage of the shared table (the sim,
// which models IP-in-IP, runs the same; namespaces here lack the module), and its starter failing
// them until the lab's TODOs are solved. Last, as it changes the plugin and the pods: the reference
// goes back on the nodes afterwards.
describe('lab 07 on a kernel with IP-in-IP', () => {
  const lab07 = findLab(catalog, '07');
  let work: string;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cnilab-vm-starters-'));
    // From whatever came before (lab 11's policy perhaps): no policy, lab 07 solved.
    await resetLabNodes(env, findLab(catalog, '11'), referenceBundles());
    await solveLab(env, lab07);
  });
  afterAll(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    await resetLabNodes(env, lab07, referenceBundles());
  });

  it('every check of lab 07 fails on its breakage, named in found; the others pass', async () => {
    const table = breakagesFor('vagrant').filter((b) => b.lab === '07');
    expect(table.map((b) => b.check).sort()).toEqual(lab07.checks.map((c) => c.id).sort());
    const outcomes = await timed('lab 07 breakages', () => runBreakages(env, table, logOutcome('vagrant')));
    expect(problemsOf(outcomes)).toEqual([]);
  });

  it('its starter fails its checks; with its TODOs solved it passes them', async () => {
    await timed('lab 07 starter, then solved', () => expectStarterFailsThenSolved(env, '07', work));
  });
});
