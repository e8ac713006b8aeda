// The cluster's shape, read from vm/topology.json (the one source of truth) and checked once here.
import * as fs from 'node:fs';
import { topologyFile } from '../shared/paths.ts';
import { TopologyError, validateTopology, type Topology } from './topologyModel.ts';

export * from './topologyModel.ts';

export function loadTopology(file = topologyFile()): Topology {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TopologyError(file, (err as Error).message);
  }
  return validateTopology(raw as Topology, file);
}

