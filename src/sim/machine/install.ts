// Installing bundles on the machine's workers, apart from the plugin host that runs them (a page
// binds the programs first and loads the host when one first runs).
import type { MachineProgram, SimMachine } from './machine.ts';
import { CNI_PROGRAMS, MACHINE_PATHS } from './nodeFiles.ts';

/** Writes `<binDir>/<name>.cjs` on every worker and binds `<binDir>/<name>` to `program()`. */
export function installBundleFiles(machine: SimMachine, bundles: Partial<Record<(typeof CNI_PROGRAMS)[number], string>>, program: () => MachineProgram) {
  for (const node of machine.topology.nodes.filter((n) => n.role === 'worker').map((n) => n.name)) {
    const fs = machine.syncFs(node);
    fs.mkdirSync(MACHINE_PATHS.binDir, { recursive: true });
    for (const [name, source] of Object.entries(bundles)) if (source !== undefined) fs.writeFileSync(`${MACHINE_PATHS.binDir}/${name}.cjs`, source, { mode: 0o644 });
  }
  for (const name of Object.keys(bundles)) machine.registerProgram(`${MACHINE_PATHS.binDir}/${name}`, program());
  machine.changed();
}
