// The lab starters in the page, derived by the same code as `cnilab start` from the same reference
// sources, which Vite bundles as text. Imported lazily (with the editor), never on the first prompt.
import { deriveStarter, type Starter } from '../../../src/labs/starterCore.ts';

const raw = import.meta.glob(['../../../src/plugin/**/*.ts', '../../../src/node/**/*.ts', '../../../src/shared/cniSpec.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** The reference sources by workspace path ("src/plugin/plugin.ts"). */
export const referenceSources: Record<string, string> = Object.fromEntries(
  Object.entries(raw).map(([k, text]) => [k.replace(/^(\.\.\/)+/, ''), text]),
);

/** The starter of lab `labId` ("solution": the reference with its markers removed). */
export const starterOf = (labId: string): Starter => deriveStarter(referenceSources, labId);
