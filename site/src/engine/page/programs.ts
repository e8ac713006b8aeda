// The programs the nodes run, loaded after the first prompt: the plugin host (src/host, which runs
// a bundle in the page) and the reference bundles (dist/*.cjs: what a fresh cluster starts with
// and solve deploys). Neither is needed for a node's prompt. They load when a program first runs
// or solve needs them, or else once the page has settled after its first prompt, so that a later
// run needs no network.
import type { Bundles } from '../../../../src/cluster/nodeFiles.ts';
import type { MachineProgram } from '../../../../src/sim/machine/machine.ts';

let refs: Promise<Bundles> | undefined;
/** The reference plugin, its IPAM plugin and the node agent, built from src/ (dist/*.cjs). */
export const referenceBundles = (): Promise<Bundles> =>
  (refs ??= Promise.all([
    import('../../../../dist/simplecni.cjs?raw'),
    import('../../../../dist/simplecni-ipam.cjs?raw'),
    import('../../../../dist/simplecni-node.cjs?raw'),
  ]).then(([plugin, ipam, node]) => ({ simplecni: plugin.default, 'simplecni-ipam': ipam.default, 'simplecni-node': node.default })));

let host: Promise<typeof import('../../../../src/sim/machine/hosted.ts')> | undefined;
const loadHost = () => (host ??= import('../../../../src/sim/machine/hosted.ts'));

let want: () => void = () => undefined;
/** Resolves once the programs are wanted (a run, or the page settled after its first prompt). */
export const programsWanted = new Promise<void>((r) => (want = r));
void programsWanted.then(() => Promise.all([referenceBundles(), loadHost()])).catch(() => undefined);

/** A bundle at a node's path, run by the plugin host once `before()` settles. */
export function hostedProgram(before: () => Promise<unknown>): MachineProgram {
  return async (ctx) => {
    want();
    await before();
    return (await loadHost()).hostedBundle()(ctx);
  };
}

let scheduled = false;
/** After the first prompt: the programs load once the page has settled (a second, then idle). */
export function loadProgramsSoon(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => want(), { timeout: 2000 }) : want()), 1000);
}
