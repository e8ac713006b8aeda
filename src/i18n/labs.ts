// A lab's texts for people in a language: title, objectives, check titles and hints. labs.yaml is the
// English source; the other languages give the same fields keyed by lab and check id.
import type { Lab } from '../labs/catalogParse.ts';
import { labsZhCN, type LabTextZh } from './labs.zh-CN.ts';
import type { Lang } from './index.ts';

const LAB_TEXTS: Record<Exclude<Lang, 'en'>, Record<string, LabTextZh>> = { 'zh-CN': labsZhCN };

/** The lab with its human texts in `lang`; ids, order and everything else as they are. */
export function localizeLab<L extends Pick<Lab, 'id' | 'title' | 'objectives' | 'checks'> & { hints?: string[] }>(lab: L, lang: Lang): L {
  if (lang === 'en') return lab;
  const zh = LAB_TEXTS[lang][lab.id];
  if (!zh) return lab; // a lab the catalogue does not know yet (the completeness test names it)
  return {
    ...lab,
    title: zh.title,
    objectives: lab.objectives.map((o, i) => zh.objectives[i] ?? o),
    checks: lab.checks.map((c) => ({ ...c, title: zh.checks[c.id] ?? c.title })),
    ...(lab.hints ? { hints: lab.hints.map((h, i) => zh.hints[i] ?? h) } : {}),
  };
}

/** One hint of a lab in `lang` (by its position in labs.yaml). */
export function localizeHint(labId: string, index: number, english: string, lang: Lang): string {
  return lang === 'en' ? english : (LAB_TEXTS[lang][labId]?.hints[index] ?? english);
}

/** A check's title in `lang`. */
export function checkTitle(labId: string, checkId: string, english: string, lang: Lang): string {
  return lang === 'en' ? english : (LAB_TEXTS[lang][labId]?.checks[checkId] ?? english);
}
