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
    return {
      runs: true,
      text: 'In this tab a command ended with & runs before the next one starts: `nc -lk 6379 &` opens its listening socket and returns, and the socket stays open until you reset the lab (there is no job for kill %1 to end). The simulated kernel carries the TCP handshake only, so nc connects (-z) and listens (-l) but sends no data. Everything else in this lab runs as written.',
    };
  }
  if (lab.id === '03') {
    return {
      runs: true,
      text: 'In this tab, commands ended with & run one after the other, not at the same time: the race of the seed’s counter (the loop with &) cannot show here. Everything else in this lab runs as written; to see the race, use npm start.',
    };
  }
  return undefined;
}
