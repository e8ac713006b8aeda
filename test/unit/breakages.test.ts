// The breakage table covers labs.yaml: every check id has at least one breakage, on every backend
// (lab 09's need containerd, so they run where containerd does: the real kernel, the VMs).
import { describe, expect, it } from 'vitest';
import { breakagesFor, checksWithoutBreakage } from '../helpers/breakages.ts';
import { loadCatalog } from '../../src/labs/catalog.ts';

describe('breakage table', () => {
  it('has a breakage for every check id of labs.yaml on the real kernel', () => {
    expect(checksWithoutBreakage(breakagesFor('netns'))).toEqual([]);
  });

  it('has a breakage for every check id on the simulated kernel, except containerd’s lab 09', () => {
    expect(checksWithoutBreakage(breakagesFor('sim').filter((b) => b.needs !== 'containerd'), ['09'])).toEqual([]);
  });

  it('has a breakage for every check id on the VMs and on machines reached over ssh, lab 09 included', () => {
    expect(checksWithoutBreakage(breakagesFor('vagrant'))).toEqual([]);
    expect(checksWithoutBreakage(breakagesFor('ssh'))).toEqual([]);
  });

  it('names only checks that exist, and gives every other check it expects to fail a reason', () => {
    const ids = new Map(loadCatalog().map((l) => [l.id, new Set(l.checks.map((c) => c.id))]));
    for (const b of [...breakagesFor('netns'), ...breakagesFor('sim'), ...breakagesFor('vagrant')]) {
      expect(ids.get(b.lab)?.has(b.check), `${b.lab}/${b.check}`).toBe(true);
      for (const [other, why] of Object.entries(b.alsoFails ?? {})) {
        expect(ids.get(b.lab)?.has(other), `${b.lab}/${b.check} lists ${other}`).toBe(true);
        expect(why.length, `${b.lab}/${b.check}: why ${other} fails too`).toBeGreaterThan(10);
      }
    }
  });

  it('counts its checks from labs.yaml', () => {
    const n = loadCatalog().reduce((s, l) => s + l.checks.length, 0);
    console.log(`labs.yaml: ${n} check ids, ${breakagesFor('netns').length} breakages on netns, ${breakagesFor('sim').length} on sim`);
    expect(n).toBeGreaterThan(0);
  });
});
