// The course as the page sees it: labs/labs.yaml (parsed when the site is built, by the same
// parseCatalog as the CLI: see site/vite.config.ts), vm/topology.json, and what each lab needs
// that the tab has or lacks.
import labsCatalog from '../../../../labs/labs.yaml?catalog';
import topologyJson from '../../../../vm/topology.json';
import type { Lab } from '../../../../src/labs/catalogParse.ts';
import { validateTopology, type Topology } from '../../../../src/cluster/topology.ts';

export const catalog: Lab[] = labsCatalog;
export const topology: Topology = validateTopology(topologyJson as unknown as Topology, 'vm/topology.json');

/** What the tab cannot do of a lab: `runs` false when the lab cannot be done here at all. */
export function labNote(lab: Lab): { text: string; runs: boolean } | undefined {
  if (lab.id === '09') {
    return { runs: false, text: 'Lab 09 starts real containers with containerd, which only a real node has. Read it here; do its steps on namespaces (npm start) or the VMs.' };
  }
  if (lab.id === '11') {
    return { runs: false, text: 'Lab 11 filters real TCP connections with nftables, which the simulated kernel in this tab does not model yet. Read it here; do its steps on namespaces (npm start) or the VMs.' };
  }
  if (lab.id === '03') {
    return {
      runs: true,
      text: 'In this tab, commands ended with & run one after the other, not at the same time: the race of the seed’s counter (the loop with &) cannot show here. Everything else in this lab runs as written; to see the race, use npm start.',
    };
  }
  return undefined;
}
