// Names and paths of one simulated cluster. It needs no root: everything is files under one
// directory — the kernel's state, the programs' shims, each node's /etc/cni and leases.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NodePaths } from '../nodeConfig.ts';
import { validateClusterName } from '../netns/layout.ts';

/** Root of every simulated cluster on this machine (SIMPLECNI_SIM_ROOT overrides). */
export function simRoot(): string {
  if (process.env.SIMPLECNI_SIM_ROOT) return path.resolve(process.env.SIMPLECNI_SIM_ROOT);
  const uid = process.getuid?.();
  // /run where root can write it (a tmpfs, gone at reboot); else, or where there is no /run (a
  // WebContainer), the temp dir — by what the machine has, not by its name.
  return uid === 0 && writable('/run') ? '/run/simplecni-lab-sim' : path.join(os.tmpdir(), `simplecni-lab-sim-${uid ?? os.userInfo().username}`);
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export class SimLayout {
  constructor(
    readonly cluster: string,
    readonly root = simRoot(),
  ) {
    validateClusterName(cluster);
  }

  get stateDir() {
    return path.join(this.root, this.cluster);
  }
  get stateFile() {
    return path.join(this.stateDir, 'cluster.json');
  }
  /** The simulated kernel's state: every namespace, link, route… of the cluster. */
  get kernelFile() {
    return path.join(this.stateDir, 'kernel.json');
  }
  /** Shims named ip, bridge, ping… put first on a sim node's PATH. */
  get binDir() {
    return path.join(this.stateDir, 'bin');
  }
  nodeDir(node: string) {
    return path.join(this.stateDir, 'nodes', node);
  }
  /** The node's /etc/cni. A sim node has no file system of its own: this is where its files are. */
  etcDir(node: string) {
    return path.join(this.nodeDir(node), 'etc', 'cni');
  }
  podNetnsDir(node: string) {
    return path.join(this.nodeDir(node), 'netns');
  }
  podNetnsPath(node: string, pod: string) {
    return path.join(this.podNetnsDir(node), pod);
  }
  /** What a node's shell exports besides the driver's environment (its bashrc says the same). */
  shellVars(node: string): Record<string, string> {
    const paths = this.nodePaths(node);
    return { SIMPLECNI_CLUSTER_FILE: paths.clusterFile, CNI_PATH: paths.binDir };
  }
  nodePaths(node: string): NodePaths {
    const etc = this.etcDir(node);
    return {
      binDir: path.join(etc, 'bin'),
      confDir: path.join(etc, 'net.d'),
      ipamFile: path.join(etc, 'ipam.config'),
      dataDir: path.join(this.nodeDir(node), 'ipam'),
      cacheDir: path.join(this.nodeDir(node), 'results'),
      clusterFile: path.join(etc, 'simplecni-cluster.json'),
    };
  }
}
