// What `solve` and `reset` do to the nodes, lab by lab, on a machine with the kit on disk: the
// reference solution's end state (the steps themselves are platform-free, in solve.ts, which the
// page engine runs too), and each lab's starting point with the lab's starter built from disk.
import type { LabEnv } from '../cluster/backend.ts';
import { referenceBundles, type Bundles } from '../cluster/nodeFiles.ts';
import { workers } from '../cluster/topology.ts';
import type { Lab } from './catalog.ts';
import { solutionOf } from './starters.ts';
import { buildWorkspace, scaffold } from './workspace.ts';
import { LabActionError, removeByHand } from './byHand.ts';
import { syncPolicies } from '../cluster/policySync.ts';
import { checkContext, clearDataplane, deploy, removeAllPods, solveLab as solveLabWith, stopContainers, type DoneSteps } from './solve.ts';
import { msg } from '../i18n/index.ts';
import { errorText } from '../i18n/text.ts';

export { buildByHand, LabActionError, removeByHand } from './byHand.ts';
export { checkContext, clearDataplane, deploy, ensurePod, ensurePodsEverywhere, setMode, type DoneSteps } from './solve.ts';

export type { LabEnv } from '../cluster/backend.ts';

/** Brings the nodes to the state a lab's checks want, with the reference solution (or other bundles: a starter's, in tests). */
export async function solveLab(env: LabEnv, lab: Lab, bundles: Bundles = referenceBundles()): Promise<DoneSteps> {
  return solveLabWith(env, lab, bundles);
}

/** A lab's starting point on the nodes: what the lab builds is removed, the mode is the one it starts from. */
export async function resetLabNodes(env: LabEnv, lab: Lab, bundles: Bundles): Promise<DoneSteps> {
  const done: DoneSteps = [];
  const ctx = checkContext(env);
  if (env.backend.containers) {
    // Lab 09's containers go first, their leases freed with the reference plugin.
    await deploy(env, referenceBundles());
    const stopped = await stopContainers(env);
    if (stopped) done.push(stopped);
  }
  if (lab.id === '01') {
    await removeByHand(env, ctx);
    done.push(msg('reset.lab01'));
  }
  if (lab.id >= '04') {
    // Pods are taken down with the reference plugin: the student's DEL may be a TODO still.
    await deploy(env, referenceBundles());
    await removeAllPods(env);
    done.push(msg('reset.pods'));
  }
  if (lab.id === '11') {
    // The lab renders policies: it starts from none (the reference agent removes every node's table).
    await syncPolicies(env.driver, []);
    done.push(msg('reset.policies'));
  }
  if (lab.id === '04') {
    // A fresh node does not forward: lab 04's ADD is what turns it on.
    for (const w of workers(env.topology)) await env.driver.exec(w.name, ['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
    done.push(msg('reset.ipForward'));
  }
  await deploy(env, bundles);
  if (lab.id >= '06') {
    // The lab builds the cross-node data plane: start it from none.
    done.push(await clearDataplane(env));
  }
  done.push(msg('step.pluginDeployed'));
  return done;
}

/**
 * `reset`: the lab's starter in the workspace again (for a lab with code), built and deployed,
 * and the nodes as the lab starts. A starter that does not build is a LabActionError.
 */
export async function resetLab(env: LabEnv, lab: Lab, workspaceDir: string): Promise<DoneSteps> {
  let bundles = referenceBundles();
  if (solutionOf(lab.id).length > 0) {
    scaffold(lab, workspaceDir);
    try {
      bundles = await buildWorkspace(workspaceDir);
    } catch (err) {
      throw new LabActionError(msg('step.err.starterBuild', { id: lab.id, error: errorText(err) }));
    }
  }
  return resetLabNodes(env, lab, bundles);
}
