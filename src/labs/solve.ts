// What `solve` does to the nodes, lab by lab (the reference solution's end state: an instructor's
// "everyone catch up to lab 6", and the solution bot's step), and the parts of `reset` that need
// no disk: platform-free, so the lab server, the CLI and the page engine run the same steps. The
// bundles to deploy are passed in (read from dist/ on a machine, shipped with the static site in
// the tab).
import { applyDataplane, type NodeApply } from '../cluster/dataplane.ts';
import type { LabEnv } from '../cluster/backend.ts';
import type { Bundles } from '../cluster/nodeFiles.ts';
import { workers } from '../cluster/topologyModel.ts';
import { MODE_OVERHEAD, type Mode } from '../shared/cniSpec.ts';
import { Pods } from '../runtime/pods.ts';
import { kernelHasIpip } from '../validators/labs/lab07.ts';
import { LAB11_PODS, LAB11_POLICY } from '../validators/labs/lab11.ts';
import { PolicySyncError, syncPolicies } from '../cluster/policySync.ts';
import type { CheckContext } from '../validators/types.ts';
import type { Lab } from './catalogParse.ts';
import { buildByHand, LabActionError } from './byHand.ts';
import { msg, type Msg } from '../i18n/index.ts';
import { errorText } from '../i18n/text.ts';

export function checkContext(env: LabEnv): CheckContext {
  const pods = new Pods(env.driver);
  return {
    driver: env.driver,
    runtime: pods.runtime,
    pods,
    mode: env.backend.readState()?.mode ?? 'host-gw',
  };
}

/** Switches every node to a mode and records it, as `cnilab cluster mode` does; what each node's agent did. */
export async function setMode(env: LabEnv, mode: Mode): Promise<NodeApply[]> {
  const applied = await applyDataplane(env.driver, { mode });
  for (const n of workers(env.topology)) await env.backend.installNodeFiles(n, mode);
  env.backend.writeState({ ...env.backend.readState()!, mode });
  return applied;
}

export async function deploy(env: LabEnv, bundles: Bundles) {
  await env.backend.installBundles(bundles);
}

/** A pod named `pod` on `node`, re-created if its MTU is not `mtu`. */
export async function ensurePod(env: LabEnv, node: string, pod: string, mtu?: number) {
  const pods = new Pods(env.driver);
  const existing = (await pods.list(node)).find((p) => p.name === pod);
  if (existing?.address && mtu !== undefined) {
    const r = await env.driver.execPod(node, pod, ['ip', '-j', 'link', 'show', 'dev', 'eth0']);
    if (r.code === 0 && (JSON.parse(r.stdout) as { mtu: number }[])[0]?.mtu === mtu) return;
  } else if (existing?.address) return;
  if (existing) await pods.del(node, pod);
  await pods.add(node, pod);
}

/** Pods with exactly these labels (re-created where the labels differ). */
export async function ensureLabelledPods(env: LabEnv, want: readonly [string, string, Record<string, string>][]) {
  const pods = new Pods(env.driver);
  const have = await pods.list();
  for (const [node, pod, labels] of want) {
    const p = have.find((x) => x.node === node && x.name === pod);
    const same = p?.address && JSON.stringify(Object.entries(p.labels ?? {}).sort()) === JSON.stringify(Object.entries(labels).sort());
    if (same) continue;
    if (p) await pods.del(node, pod);
    await pods.add(node, pod, labels);
  }
}

/** Every pod at the mode's MTU, and a pod `web` on every worker. */
export async function ensurePodsEverywhere(env: LabEnv, mode: Mode) {
  const mtu = env.topology.mtu - MODE_OVERHEAD[mode];
  for (const p of await new Pods(env.driver).list()) await ensurePod(env, p.node, p.name, mtu);
  for (const w of workers(env.topology)) await ensurePod(env, w.name, 'web', mtu);
}

export async function removeAllPods(env: LabEnv) {
  const pods = new Pods(env.driver);
  for (const p of await pods.list()) await pods.del(p.node, p.name);
}

/**
 * What solve and reset did, a step each, as catalogue messages: each caller shows them in its
 * language (the CLI's, the page's), and the lab server sends both the English and the messages.
 */
export type DoneSteps = Msg[];

/** Brings the nodes to the state a lab's checks want, with `bundles` (the reference solution, or a starter's in tests). */
export async function solveLab(env: LabEnv, lab: Lab, bundles: Bundles): Promise<DoneSteps> {
  const done: DoneSteps = [];
  const ctx = checkContext(env);
  if (!env.backend.readState()?.complete) {
    await env.backend.up({ mode: 'host-gw' });
    await applyDataplane(env.driver, { mode: 'host-gw' });
    done.push(msg('step.clusterUp'));
  }
  if (lab.id >= '02') {
    await deploy(env, bundles);
    done.push(msg('step.referenceDeployed'));
  }
  switch (lab.id) {
    case '01':
      await buildByHand(env, ctx);
      done.push(msg('step.byHandBuilt'));
      break;
    case '04':
    case '05':
      await ensurePod(env, 'node1', 'web');
      done.push(msg('step.podWeb'));
      break;
    case '06':
      await setMode(env, 'host-gw');
      await ensurePodsEverywhere(env, 'host-gw');
      done.push(msg('step.modePods', { mode: 'host-gw' }));
      break;
    case '07':
      if (!(await kernelHasIpip(ctx))) throw new LabActionError(msg('v.ipip.noKernel'));
      await setMode(env, 'ipip');
      await ensurePodsEverywhere(env, 'ipip');
      done.push(msg('step.modePods', { mode: 'ipip' }));
      break;
    case '08':
    case '10':
      await setMode(env, 'vxlan');
      await ensurePodsEverywhere(env, 'vxlan');
      done.push(msg('step.modeMtuPods', { mode: 'vxlan', mtu: env.topology.mtu - MODE_OVERHEAD.vxlan }));
      break;
    case '11':
      await setMode(env, 'vxlan');
      await ensurePodsEverywhere(env, 'vxlan');
      await ensureLabelledPods(env, LAB11_PODS);
      try {
        await syncPolicies(env.driver, [LAB11_POLICY]);
      } catch (err) {
        if (err instanceof PolicySyncError) throw new LabActionError(msg('step.err.policy', { error: errorText(err) }));
        throw err;
      }
      done.push(msg('step.lab11'));
      break;
    case '09':
      done.push(...(await runContainers(env)));
      break;
  }
  return done;
}

/** Lab 09's end state: a pod web on node1, and a containerd container on every worker's SimpleCNI network that the pod reaches. */
async function runContainers(env: LabEnv): Promise<DoneSteps> {
  const host = env.backend.containers;
  if (!host) {
    throw new LabActionError(msg('step.err.noSolve09', { backend: env.driver.backend }));
  }
  await ensurePod(env, 'node1', 'web');
  const done: DoneSteps = [msg('step.podWeb')];
  try {
    for (const w of workers(env.topology)) {
      const c = await host.runOnNetwork(w.name, 'web1');
      done.push(msg('step.containerRuns', { node: w.name, address: c.address, id: c.cniContainerId }));
      if (w.name !== 'node1') continue;
      const r = await env.driver.execPod('node1', 'web', ['ping', '-c1', '-W2', c.address]);
      if (r.code !== 0) throw new LabActionError(msg('step.err.containerUnreachable', { address: c.address, output: (r.stdout + r.stderr).trim() }));
    }
  } catch (err) {
    // Nothing half-made stays: the daemons end, the leases their containers held are freed.
    await stopContainers(env).catch(() => {});
    throw err instanceof LabActionError ? err : new LabActionError(errorText(err));
  }
  return done;
}

/**
 * Ends the containerds a solve started and their containers, and frees their leases with a DEL
 * (ctr run -d never calls one), as the runtime would: empty CNI_NETNS, the namespace is gone.
 * Uses whatever plugin is deployed: call it with the reference in place.
 */
export async function stopContainers(env: LabEnv): Promise<Msg | undefined> {
  const host = env.backend.containers;
  if (!host) return undefined;
  const gone = await host.stopAll();
  const runtime = new Pods(env.driver).runtime;
  for (const c of gone) await runtime.del(c.node, { containerId: c.cniContainerId, netns: '', ifname: 'eth0' }).catch(() => {});
  return gone.length > 0 ? msg(gone.length === 1 ? 'step.containersStopped.one' : 'step.containersStopped.many', { n: gone.length }) : undefined;
}

/**
 * The cross-node data plane back to none, for the labs that build it (06 on): tunnels and the
 * routes to other nodes' pod subnets removed (the node agent owns these), and the nodes' files
 * and the cluster's state at mode host-gw, not yet applied.
 */
export async function clearDataplane(env: LabEnv): Promise<Msg> {
  for (const w of workers(env.topology)) {
    await env.driver.exec(w.name, [
      'sh',
      '-c',
      `ip link del flannel.1 2>/dev/null; ip addr flush dev tunl0 2>/dev/null; ip link set tunl0 down 2>/dev/null; ` +
        `ip route show root ${env.topology.clusterCidr} | grep -v "proto kernel" | while read dst rest; do ip route del "$dst"; done; true`,
    ]);
  }
  for (const n of workers(env.topology)) await env.backend.installNodeFiles(n, 'host-gw');
  env.backend.writeState({ ...env.backend.readState()!, mode: 'host-gw' });
  return msg('step.dataplaneCleared');
}
