// labs.yaml → the lab list, from its text: no file access, so the site's page engine parses the
// same file the CLI reads (catalog.ts reads it from disk).
import { parse } from 'yaml';

export interface LabCheckMeta {
  id: string;
  title: string;
}

export interface Lab {
  id: string;
  dir: string;
  title: string;
  minutes: number;
  requires: string[];
  /** Kernel features the lab needs on the nodes (e.g. "ipip"). */
  kernel: string[];
  objectives: string[];
  checks: LabCheckMeta[];
  hints: string[];
}

export class CatalogError extends Error {}

/** Parses and checks labs.yaml's text (`file` names it in errors). */
export function parseCatalog(text: string, file = 'labs.yaml'): Lab[] {
  const fail = (msg: string): never => {
    throw new CatalogError(`${file}: ${msg}`);
  };
  let raw: any;
  try {
    raw = parse(text);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (raw?.format !== 1 || !Array.isArray(raw.labs)) fail('expected "format: 1" and a "labs" list');
  const seenLabs = new Set<string>();
  const seenChecks = new Set<string>();
  return raw.labs.map((l: any, i: number): Lab => {
    const where = `labs[${i}]`;
    if (typeof l.id !== 'string' || !/^\d\d$/.test(l.id)) fail(`${where}: "id" must be two digits in quotes, such as "04"`);
    if (seenLabs.has(l.id)) fail(`${where}: lab id "${l.id}" is listed twice`);
    seenLabs.add(l.id);
    if (typeof l.dir !== 'string' || !l.dir.startsWith(`${l.id}-`)) fail(`lab ${l.id}: "dir" must start with "${l.id}-"`);
    for (const key of ['title']) if (typeof l[key] !== 'string' || !l[key]) fail(`lab ${l.id}: "${key}" is missing`);
    if (!Number.isInteger(l.minutes)) fail(`lab ${l.id}: "minutes" must be a whole number`);
    const strings = (key: string, v: unknown = l[key] ?? []) => {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`lab ${l.id}: "${key}" must be a list of strings`);
      return v as string[];
    };
    for (const r of strings('requires')) if (!seenLabs.has(r)) fail(`lab ${l.id}: requires "${r}", which is not an earlier lab`);
    if (!Array.isArray(l.checks) || l.checks.length === 0) fail(`lab ${l.id}: "checks" must list at least one check`);
    for (const c of l.checks) {
      if (typeof c?.id !== 'string' || typeof c?.title !== 'string') fail(`lab ${l.id}: every check needs an "id" and a "title"`);
      if (seenChecks.has(c.id)) fail(`lab ${l.id}: check id "${c.id}" is used twice`);
      seenChecks.add(c.id);
    }
    return {
      id: l.id,
      dir: l.dir,
      title: l.title,
      minutes: l.minutes,
      requires: strings('requires'),
      kernel: strings('kernel'),
      objectives: strings('objectives'),
      checks: l.checks.map((c: LabCheckMeta) => ({ id: c.id, title: c.title })),
      hints: strings('hints'),
    };
  });
}

export function findLab(catalog: Lab[], id: string): Lab {
  const norm = /^\d$/.test(id) ? `0${id}` : id;
  const lab = catalog.find((l) => l.id === norm || l.dir === id);
  if (!lab) throw new CatalogError(`no lab "${id}"; labs are ${catalog.map((l) => l.id).join(', ')}`);
  return lab;
}
