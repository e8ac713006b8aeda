// Choosing a cluster's backend: the one asked for, else the one the cluster was made with, else
// netns where this machine can run it (Linux, root) and the simulated kernel where it can't.
import { BackendUnavailableError, type ClusterBackend } from './backend.ts';
import { BACKENDS, type Backend } from './driver.ts';
import { NetnsBackend } from './netns/netnsBackend.ts';
import { SimBackend } from './sim/simBackend.ts';
import { SshBackend } from './ssh/sshBackend.ts';
import type { Topology } from './topology.ts';
import { VagrantBackend } from './vagrant/vagrantBackend.ts';
import { msg, TextError, type Text } from '../i18n/text.ts';

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
  if (!(BACKENDS as readonly string[]).includes(name)) throw new TextError(msg('err.backend.unknown', { name, choices: BACKENDS.join(', ') }));
  return name as Backend;
}

export interface BackendChoice {
  backend: ClusterBackend;
  /** Why it was chosen when nobody asked: told to the user when it is the sim. */
  fallback?: string;
}

/** A cluster name is one cluster on a machine: the name is taken, by another backend or by several. */
export class ClusterNameError extends TextError {
  constructor(
    message: Text,
    /** The exact command(s) that free the name. */
    readonly hint: Text,
  ) {
    super(message);
    this.name = 'ClusterNameError';
  }
}

/** The backends that hold a cluster of this name on this machine (their state says so). */
export function clusterHolders(topology: Topology, cluster: string, opts: BackendOptions = {}): ClusterBackend[] {
  return BACKENDS.map((b) => makeBackend(b, topology, cluster, opts)).filter((b) => b.readState() !== undefined);
}

const downCommand = (cluster: string, backend: Backend) => `cnilab cluster down --cluster ${cluster} --backend ${backend}`;

export async function chooseBackend(topology: Topology, cluster: string, asked?: string, opts: BackendOptions = {}): Promise<BackendChoice> {
  // An inventory means machines over ssh.
  const wanted = asked ?? (opts.inventory ? 'ssh' : undefined);
  const holders = clusterHolders(topology, cluster, opts);
  if (wanted) {
    const backend = parseBackend(wanted);
    // Asking for the backend that holds the name picks it, also among several (how `down` frees a doubly used name).
    const held = holders.find((b) => b.name === backend);
    if (held) return { backend: held };
    const other = holders[0];
    if (other) {
      throw new ClusterNameError(
        msg('err.cluster.nameTaken', { cluster, backend: other.name }),
        msg('err.cluster.nameTakenHint', { command: downCommand(cluster, other.name) }),
      );
    }
    return { backend: makeBackend(backend, topology, cluster, opts) };
  }
  if (holders.length > 1) {
    throw new ClusterNameError(
      msg('err.cluster.nameHeld', { cluster, n: holders.length, backends: holders.map((b) => b.name).join(' and ') }),
      msg('err.cluster.nameHeldHint', { commands: holders.map((b) => downCommand(cluster, b.name)).join('  or  ') }),
    );
  }
  if (holders[0]) return { backend: holders[0] };
  const netns = makeBackend('netns', topology, cluster);
  try {
    await netns.requireSupport();
    return { backend: netns };
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    return { backend: makeBackend('sim', topology, cluster), fallback: err.message };
  }
}
