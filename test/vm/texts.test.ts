// The VM tier's phase `texts` (SIMPLECNI_VM_PHASES=texts; not in the default phases): the lab texts
// typed in lab order on the VMs the tier brought up, as a workshop student types them there
// (test/helpers/labTextWalk.ts; netns and the sim walk in test/integration/lab-texts.test.ts).
// Typed on a fresh cluster: run it right after `cluster up`, before the other phases.
//
// Every path a text types works on a VM as printed: the ssh backend links the texts' paths (the
// namespace backend's) to the standard places it keeps the files in. What a VM prints back are the
// standard places; read here as the texts' paths, which is what the texts say a VM shows.
import { expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCatalog } from '../../src/labs/catalog.ts';
import { NetnsLayout } from '../../src/cluster/netns/layout.ts';
import { VM_PATHS } from '../../src/cluster/nodeConfig.ts';
import { podNetnsDir } from '../../src/cluster/ssh/sshDriver.ts';
import { loadTopology, workers } from '../../src/cluster/topology.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { describeLabTextWalk, hasIpip, ipipLoaded } from '../helpers/labTextWalk.ts';

const CLUSTER = 'lab';
const LABS = loadCatalog().map((l) => l.id);
const text = new NetnsLayout(CLUSTER);
const nodes = workers(loadTopology()).map((n) => n.name);
const onNode1 = (argv: string[]) => execCommand([path.resolve('bin/cnilab'), 'exec', 'node1', '--', ...argv], { env: { SIMPLECNI_CLUSTER: CLUSTER, SIMPLECNI_BACKEND: 'vagrant' } });

describeLabTextWalk(`lab texts as printed, labs ${LABS[0]}–${LABS.at(-1)} in order on the VMs`, {
  backend: 'vagrant',
  cluster: CLUSTER,
  ownsCluster: false,
  labs: LABS,
  aliases: Object.fromEntries([
    // A pod's namespace file, per node.
    ...nodes.map((n) => [`${podNetnsDir(n)}/`, `${text.podNetnsDir(n)}/`]),
    // Leases and cached results: the texts print node1's.
    [VM_PATHS.dataDir, text.nodePaths('node1').dataDir],
    [VM_PATHS.cacheDir, text.nodePaths('node1').cacheDir],
    [VM_PATHS.binDir, text.nodePaths('node1').binDir],
  ]),
  // A VM has files of its own: lab 02 copies the cnitool built here onto node1 first.
  // The VMs load ipip at boot (vm/provision.sh): lab 07's plan starts at tunl0's address there.
  features: { ipip: await hasIpip(onNode1), 'ipip-loaded': await ipipLoaded(onNode1), 'machine-ipip': await hasIpip(), 'shared-files': false },
  notTyped: {
    '09': {
      why: "its text installs packages and runs a containerd daemon on this machine (apt-get, /run/ctr-lab, /opt/cni/bin); a test does not type that. On the VMs the suite solves lab 09 with each node's own containerd and checks it (test/vm/vagrant.test.ts).",
      instead: async () => expect(fs.readFileSync('test/vm/vagrant.test.ts', 'utf8')).toMatch(/lab\.id === '09'/),
    },
  },
  // What a VM shows differently, which the text says in prose next to the block.
  known: {
    'vagrant 00:44': 'the tier brought the VMs up before the walk: typed again, `cluster up` prints "was already up" (lab 00 says so for VMs)',
    'vagrant 00:69': "a VM's interfaces: eth0 (Vagrant's management network), eth1 a NIC without @if3 (lab 00 says so)",
    'vagrant 01:55': 'varies: a bridge with no port reads UNKNOWN, then DOWN a moment later (lab 01 says so); on emulated CPUs the moment has often passed',
    'vagrant 06:200': "node2's eth1 is a VM's NIC, not a veth: no @ifN (lab 00 says so)",
  },
  // A check on emulated CPUs takes up to two minutes; `cluster up` over ssh longer.
  commandTimeoutMs: 900_000,
  labTimeoutMs: 3_600_000,
});
