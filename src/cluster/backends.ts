// Choosing a cluster's backend: the one asked for, else the one the cluster was made with, else
// netns where this machine can run it (Linux, root) and the simulated kernel where it can't.
import { BackendUnavailableError, type ClusterBackend } from './backend.ts';
import { BACKENDS, type Backend } from './driver.ts';
import { NetnsBackend } from './netns/netnsBackend.ts';
import { SimBackend } from './sim/simBackend.ts';
import type { Topology } from './topology.ts';

export function makeBackend(name: Backend, topology: Topology, cluster: string): ClusterBackend {
  return name === 'sim' ? new SimBackend(topology, cluster) : new NetnsBackend(topology, cluster);
}

export function parseBackend(name: string): Backend {
  if (!(BACKENDS as readonly string[]).includes(name)) throw new Error(`unknown backend "${name}": choose ${BACKENDS.join(' or ')}`);
  return name as Backend;
}

export interface BackendChoice {
  backend: ClusterBackend;
  /** Why it was chosen when nobody asked: told to the user when it is the sim. */
  fallback?: string;
}

export async function chooseBackend(topology: Topology, cluster: string, asked?: string): Promise<BackendChoice> {
  if (asked) return { backend: makeBackend(parseBackend(asked), topology, cluster) };
  const existing = BACKENDS.map((b) => makeBackend(b, topology, cluster)).find((b) => b.readState());
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
