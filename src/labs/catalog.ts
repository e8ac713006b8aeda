// The lab list, read from labs/labs.yaml (the one source of truth) and checked once here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../shared/paths.ts';
import { CatalogError, parseCatalog, type Lab } from './catalogParse.ts';

export { CatalogError, findLab, parseCatalog, type Lab, type LabCheckMeta } from './catalogParse.ts';

export const labsDir = () => path.join(repoRoot(), 'labs');

export function loadCatalog(file = path.join(labsDir(), 'labs.yaml')): Lab[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CatalogError(`${file}: ${(err as Error).message}`);
  }
  return parseCatalog(text, file);
}
