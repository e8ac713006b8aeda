// The course as the page sees it: labs/labs.yaml (parsed when the site is built, by the same
// parseCatalog as the CLI: see site/vite.config.ts), vm/topology.json, and what each lab needs
// that the tab has or lacks.
import labsCatalog from '../../../../labs/labs.yaml?catalog';
import topologyJson from '../../../../vm/topology.json';
import type { Lab } from '../../../../src/labs/catalogParse.ts';
import { validateTopology, type Topology } from '../../../../src/cluster/topology.ts';
import { tx } from '../../lib/lang.ts';
import { msg } from '../../../../src/i18n/index.ts';
import type { Progress } from '../../../../src/labs/progressCore.ts';
import { toApiLab } from '../../../../src/server/api.ts';
import type { Engine, EngineLabs, TerminalConnection, TerminalSink } from '../types.ts';

export const catalog: Lab[] = labsCatalog;
export const topology: Topology = validateTopology(topologyJson as unknown as Topology, 'vm/topology.json');

/** What the page engine says of itself (the engine chip). */
export const pageEngineInfo = (): Engine['info'] => ({
  kind: 'page',
  label: msg('engine.page.label'),
  kernel: msg('engine.simKernel'),
  description: msg('engine.page.description'),
});

/** The lab list and the terminals, from the saved progress (none yet: a first visit). */
export function pageLabs(progress: Progress | undefined): EngineLabs {
  const current = progress?.current;
  return {
    labs: catalog.map((l) => toApiLab(l, l.id in (progress?.passed ?? {}))),
    ...(current ? { current } : {}),
    nodes: topology.nodes.map((n) => n.name),
    cluster: tx('engine.page.clusterName'),
    backend: 'sim',
    terminals: topology.nodes.map((n) => ({ id: n.name, label: n.name, kind: 'node' })),
  };
}

/** A node terminal's greeting, in the page's language. */
export function terminalBanner(node: Topology['nodes'][number]): string {
  return `${tx('term.pageBanner', { node: node.name, role: msg(node.role === 'router' ? 'term.role.router' : 'term.role.worker') })}\n`;
}

/** A terminal for a node the cluster does not have: it says so. */
export function unknownNode(id: string, sink: TerminalSink): TerminalConnection {
  queueMicrotask(() => sink.state({ status: 'failed', message: tx('engine.noNode', { id }) }));
  return { input() {}, resize() {}, retryNow() {}, restart() {}, close() {} };
}

/** What the tab cannot do of a lab: `runs` false when the lab cannot be done here at all (in the page's language, asked each time it is shown). */
export function labNote(lab: Lab): { text: string; runs: boolean } | undefined {
  if (lab.id === '09') {
    return { runs: false, text: tx('page.note.lab09') };
  }
  if (lab.id === '11') {
    return { runs: true, text: tx('page.note.lab11') };
  }
  if (lab.id === '03') {
    return { runs: true, text: tx('page.note.lab03') };
  }
  return undefined;
}
