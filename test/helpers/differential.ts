// A differential test's bookkeeping: the same thing done on a real-kernel cluster and on a sim
// cluster, each pair of answers recorded, and the corpus summed up at the end (the README quotes it).
import type { NodeDriver } from '../../src/cluster/driver.ts';

export interface Comparison {
  scenario: string;
  what: string;
  real: unknown;
  sim: unknown;
}

export class Differential {
  readonly compared: Comparison[] = [];

  /** `sides`: the real cluster's driver and the sim's, asked when a comparison runs (after they are up). */
  constructor(private readonly _sides: () => readonly [NodeDriver, NodeDriver]) {}

  /** Runs the same thing on both clusters and records the two answers. */
  async compare(scenario: string, what: string, f: (d: NodeDriver) => Promise<unknown>) {
    const [realDriver, simDriver] = this._sides();
    const [real, sim] = [await f(realDriver), await f(simDriver)];
    this.compared.push({ scenario, what, real, sim });
    return { real, sim };
  }

  /** Does the same on both, recording nothing (setting a scenario up). */
  async onBoth(f: (d: NodeDriver) => Promise<unknown>) {
    for (const d of this._sides()) await f(d);
  }

  /** "S scenarios, N comparisons, A agree (P%)". */
  summary(): string {
    const agree = this.compared.filter((c) => JSON.stringify(c.real) === JSON.stringify(c.sim)).length;
    const scenarios = new Set(this.compared.map((c) => c.scenario)).size;
    return `${scenarios} scenarios, ${this.compared.length} comparisons, ${agree} agree (${((100 * agree) / Math.max(1, this.compared.length)).toFixed(1)}%)`;
  }
}
