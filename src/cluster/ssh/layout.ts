// Where a cluster of machines reached over ssh keeps its state on this machine. Unlike a netns
// cluster (gone at reboot, so its state is in /run), VMs outlive a reboot: the state is on disk.
import * as os from 'node:os';
import * as path from 'node:path';
import { validateClusterName } from '../netns/layout.ts';

/** $SIMPLECNI_STATE_HOME, else the XDG state dir (~/.local/state/simplecni-lab). */
export function stateHome(): string {
  if (process.env.SIMPLECNI_STATE_HOME) return process.env.SIMPLECNI_STATE_HOME;
  return path.join(process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'simplecni-lab');
}

export class SshLayout {
  constructor(
    readonly backend: 'vagrant' | 'ssh',
    readonly cluster: string,
  ) {
    validateClusterName(cluster);
  }
  get stateDir() {
    return path.join(stateHome(), this.backend, this.cluster);
  }
  get stateFile() {
    return path.join(this.stateDir, 'cluster.json');
  }
  /** One Host entry per node: what every ssh of the kit reads (`ssh -F <it> node1` works for a person too). */
  get sshConfig() {
    return path.join(this.stateDir, 'ssh_config');
  }
  get knownHosts() {
    return path.join(this.stateDir, 'known_hosts');
  }
}
