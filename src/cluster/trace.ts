// `cnilab trace` and GET /api/trace: one ping followed hop by hop. The simulated kernel can say
// what it decided at every hop: on a sim cluster it walks the cluster's own state; on a real one,
// a snapshot of the nodes' state read into the model (nothing is sent on the real network).
// Endpoints are named as the student names them: "node1/web" (a pod), "node2", or an address.
import type { LabEnv } from '../labs/actions.ts';
import { Pods } from '../runtime/pods.ts';
import type { ApiTrace } from '../server/api.ts';
import { readWorld } from '../sim/host/store.ts';
import { SimBackend } from './sim/simBackend.ts';
import { snapshotWorld } from './snapshot.ts';
import { traceInWorld } from './traceWorld.ts';

export { TraceError, traceInWorld } from './traceWorld.ts';

export async function traceBetween(env: LabEnv, from: string, to: string, opts: { size?: number } = {}): Promise<ApiTrace> {
  const backend = env.backend;
  const pods = await new Pods(env.driver).list();
  // On the sim the world is the cluster itself; on a real kernel, a snapshot of the nodes' state read into the model.
  const world = backend instanceof SimBackend ? readWorld(backend.layout.kernelFile) : await snapshotWorld(env, pods);
  return traceInWorld(world, env.topology, pods, from, to, opts);
}
