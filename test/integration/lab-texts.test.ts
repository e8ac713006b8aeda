// The lab texts, tested like code (test/helpers/labTextWalk.ts): every lab's `console` blocks typed
// in lab order on one fresh cluster per backend, netns then the simulated kernel. The VMs' walk is
// the VM tier's phase `texts` (test/vm/texts.test.ts). A text that drifts from the kit fails here.
import { expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCatalog } from '../../src/labs/catalog.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { describeLabTextWalk, hasIpip, ipipLoaded } from '../helpers/labTextWalk.ts';
import { uniqueName } from '../helpers/names.ts';

const LABS = loadCatalog().map((l) => l.id);

/**
 * Lab 09 is not typed by this runner, on either backend, and the walk says so: its text acts on the
 * machine itself (apt-get install, a containerd daemon under /run/ctr-lab, a shim in /opt/cni/bin,
 * `kill`), which a test must not do as printed. What covers it: test/integration/containerd.test.ts
 * (a private containerd, `ctr run --cni` on a netns node, the lab's checks on that state). On the
 * sim there is no containerd at all: lab 09 needs a real kernel.
 */
const LAB09_WHY =
  'its text installs packages and runs a containerd daemon on this machine (apt-get, /run/ctr-lab, /opt/cni/bin); a test does not type that. Covered by test/integration/containerd.test.ts on netns; the sim has no containerd (lab 09 needs a real kernel).';
const coveredByContainerdTest = () => expect(fs.readFileSync('test/integration/containerd.test.ts', 'utf8')).toMatch(/ctr run --cni/);

const machineIpip = await hasIpip();

for (const backend of ['netns', 'sim'] as const) {
  const cluster = uniqueName();
  const simRoot = path.join(os.tmpdir(), `sct-texts-${cluster}`, 'sim');
  // On the sim, the cluster's state directory reads as what a node sees there
  // (src/cluster/sim/nodeView.ts): /run/simplecni-lab; a node's /etc/cni, which the node's view
  // mounts there, reads as /etc/cni.
  const simAliases = Object.fromEntries([
    ...['node1', 'node2', 'node3'].map((n) => [path.join(simRoot, cluster, 'nodes', n, 'etc', 'cni'), '/etc/cni']),
    [simRoot, '/run/simplecni-lab'],
  ]);
  describeLabTextWalk(`lab texts as printed, labs ${LABS[0]}–${LABS.at(-1)} in order on one fresh ${backend} cluster`, {
    backend,
    cluster,
    ownsCluster: true,
    labs: LABS,
    // The cluster's name reads as the texts' default, "lab".
    aliases: { ...(backend === 'sim' ? simAliases : {}), [`${cluster}-`]: '', [cluster]: 'lab' },
    // The texts assume the default cluster "lab": a path such as /run/simplecni-lab/lab/ is typed with the cluster's own name.
    commandAliases: { '/run/simplecni-lab/lab/': `/run/simplecni-lab/${cluster}/` },
    // The nodes' kernel: the simulated kernel models IP-in-IP; a netns node has this machine's.
    // What the machine's own kernel has decides the commands typed on the machine itself.
    // A node of either sees this machine's files (lab 02 runs the cnitool built here where it is).
    // The sim loads its IP-in-IP on first use; a netns node shares this machine's loaded modules.
    features: {
      ipip: backend === 'sim' || machineIpip,
      'ipip-loaded': backend === 'netns' && (await ipipLoaded()),
      'machine-ipip': machineIpip,
      'shared-files': true,
    },
    env: { SIMPLECNI_SIM_ROOT: simRoot },
    notTyped: {
      '09': {
        why: LAB09_WHY,
        instead: async (shells) => {
          coveredByContainerdTest();
          if (backend === 'sim') {
            // On the sim the kit says so itself: no ctr on a simulated node, and the check tells where lab 09 runs.
            const check = await shells.run({ kind: 'workstation' }, 'cnilab check 09');
            expect(check.output).toMatch(/ctr: not modelled by the simulated kernel.*containerd needs a real kernel/);
            expect(check.output).toMatch(/do it on a real node/);
          }
        },
      },
    },
    known: {},
    more: (shells, env) => {
      it("a node's shell starts in the node's home (the texts' node1:~#); tools the sim does not model say so", async () => {
        const shell = await execCommand(['cnilab', 'shell', 'node1'], { env, input: 'pwd\nexit\n' });
        expect(shell.stdout.split('\n')).toContain(env.HOME);
        const ifconfig = await shells.run({ kind: 'node', node: 'node1', cwd: '~' }, 'ifconfig');
        if (backend === 'sim') {
          expect(ifconfig.code).toBe(127);
          expect(ifconfig.output).toMatch(/ifconfig: not modelled by the simulated kernel .*use ip addr/);
        }
        // Whatever answers, it is never the machine's own network.
        expect(ifconfig.output).not.toMatch(/\b(?:docker0|wlan0|enp\d)/);
      });
    },
  });
}
