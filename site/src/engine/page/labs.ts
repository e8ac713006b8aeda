// The course as the page sees it: labs/labs.yaml parsed in the tab, vm/topology.json, and what
// each lab needs that the tab has or lacks.
import labsYaml from '../../../../labs/labs.yaml?raw';
import topologyJson from '../../../../vm/topology.json';
import { parseCatalog, type Lab } from '../../../../src/labs/catalogParse.ts';
import { validateTopology, type Topology } from '../../../../src/cluster/topology.ts';

export const catalog: Lab[] = parseCatalog(labsYaml, 'labs/labs.yaml');
export const topology: Topology = validateTopology(topologyJson as unknown as Topology, 'vm/topology.json');

/**
 * Labs whose steps the tab cannot follow, and why (shown on the lab and by cnilab). The others run
 * entirely in the tab.
 */
export function unsupportedReason(lab: Lab, hasPlugin: boolean): string | undefined {
  if (lab.id === '09') {
    return 'Lab 09 starts real containers with containerd, which only a real node has. Read it here; do its steps on namespaces (npm start) or the VMs.';
  }
  if (lab.id !== '01' && !hasPlugin) {
    return `Lab ${lab.id} runs the CNI plugin on the nodes, which this build of the page cannot run yet: read it here, do its steps with npm start (namespaces) or on the VMs.`;
  }
  return undefined;
}
