// Choosing a cluster's backend: the one asked for, else the one the cluster was made with, else
// netns where this machine can run it (Linux, root) and the simulated kernel where it can't.
import { BackendUnavailableError, type ClusterBackend } from './backend.ts';
import { BACKENDS, type Backend } from './driver.ts';
import { NetnsBackend } from './netns/netnsBackend.ts';
import { SimBackend } from './sim/simBackend.ts';
import { SshBackend } from './ssh/sshBackend.ts';
import type { Topology } from './topology.ts';
import { VagrantBackend } from './vagrant/vagrantBackend.ts';

export interface BackendOptions {
  /** ssh: the inventory of machines (needed by `up`; later commands read it from the cluster's state). */
  inventory?: string;
}

export function makeBackend(name: Backend, topology: Topology, cluster: string, opts: BackendOptions = {}): ClusterBackend {
  switch (name) {
    case 'sim':
      return new SimBackend(topology, cluster);
    case 'vagrant':
      return new VagrantBackend(topology, cluster);
    case 'ssh':
      return new SshBackend(topology, cluster, opts.inventory);
    case 'netns':
      return new NetnsBackend(topology, cluster);
  }
}

export function parseBackend(name: string): Backend {
  if (!(BACKENDS as readonly string[]).includes(name)) throw new Error(`unknown backend "${name}": choose ${BACKENDS.join(', ')}`);
  return name as Backend;
}

export interface BackendChoice {
  backend: ClusterBackend;
  /** Why it was chosen when nobody asked: told to the user when it is the sim. */
  fallback?: string;
}

export async function chooseBackend(topology: Topology, cluster: string, asked?: string, opts: BackendOptions = {}): Promise<BackendChoice> {
  // An inventory means machines over ssh.
  const wanted = asked ?? (opts.inventory ? 'ssh' : undefined);
  if (wanted) return { backend: makeBackend(parseBackend(wanted), topology, cluster, opts) };
  const existing = BACKENDS.map((b) => makeBackend(b, topology, cluster, opts)).find((b) => b.readState());
  if (existing) return { backend: existing };
  const netns = makeBackend('netns', topology, cluster);
  try {
    await netns.requireSupport();
    return { backend: netns };
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    return { backend: makeBackend('sim', topology, cluster), fallback: err.message };
  }
}
