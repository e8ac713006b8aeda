// The Chinese lab pages kept in step with the English ones: both have the same headings with the
// same explicit anchors (`## Objectives {#objectives}`), the same code blocks byte for byte, and the
// Chinese page records the SHA-256 of the English lab.mdx it translates
// (`export const translation = { source: 'lab.mdx', sha256: '…' }`, MDX's own front matter).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HEADING_ID, mapOutsideCode } from './headingId.ts';

export { escapeHeadingIds, HEADING_ID } from './headingId.ts';

export const ZH_PAGE = 'lab.zh-CN.mdx';

export interface Heading {
  level: number;
  anchor: string | undefined;
  text: string;
  line: number;
}

/** Headings outside code blocks, with their explicit anchors. */
export function headingsOf(source: string): Heading[] {
  const out: Heading[] = [];
  mapOutsideCode(source, (line, i) => {
    const m = /^(#{1,6})\s+(.*)$/.exec(line);
    if (m) out.push({ level: m[1]!.length, anchor: HEADING_ID.exec(m[2]!)?.[1], text: m[2]!.replace(HEADING_ID, ''), line: i + 1 });
    return line;
  });
  return out;
}

/** Every fenced code block, fences included, exactly as written. */
export function codeBlocksOf(source: string): string[] {
  const blocks: string[] = [];
  let cur: string[] | null = null;
  let fence = '';
  for (const line of source.split('\n')) {
    if (!cur) {
      const m = /^(\s*)(`{3,}|~{3,})/.exec(line);
      if (m) {
        cur = [line];
        fence = m[2]!;
      }
    } else {
      cur.push(line);
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') {
        blocks.push(cur.join('\n'));
        cur = null;
      }
    }
  }
  return blocks;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The English page's hash a Chinese page says it translates, or undefined when it says none. */
export function translatedHash(zhSource: string): string | undefined {
  return /^export const translation = \{[^}]*sha256: '([0-9a-f]{64})'/m.exec(zhSource)?.[1];
}

export interface PageStatus {
  dir: string;
  /** none: no Chinese page; current: translates this English text; stale: the English changed since. */
  state: 'none' | 'current' | 'stale';
}

export function pageStatus(labsDir: string, dir: string): PageStatus {
  const zh = path.join(labsDir, dir, ZH_PAGE);
  if (!fs.existsSync(zh)) return { dir, state: 'none' };
  const en = fs.readFileSync(path.join(labsDir, dir, 'lab.mdx'), 'utf8');
  return { dir, state: translatedHash(fs.readFileSync(zh, 'utf8')) === sha256(en) ? 'current' : 'stale' };
}

/** What differs between an English page and its translation: headings, anchors, code blocks. */
export function pageMismatches(en: string, zh: string): string[] {
  const problems: string[] = [];
  const he = headingsOf(en);
  const hz = headingsOf(zh);
  if (he.length !== hz.length) problems.push(`${he.length} headings in English, ${hz.length} in Chinese`);
  he.forEach((h, i) => {
    const z = hz[i];
    if (!z) return;
    if (h.level !== z.level) problems.push(`heading ${i + 1} ("${h.text}"): level ${h.level} in English, ${z.level} in Chinese (line ${z.line})`);
    if (h.level > 1 && !h.anchor) problems.push(`heading "${h.text}" (line ${h.line}) has no explicit anchor {#…} in English`);
    if (h.anchor !== z.anchor) problems.push(`heading ${i + 1} ("${h.text}"): anchor ${h.anchor ?? 'none'} in English, ${z.anchor ?? 'none'} in Chinese (line ${z.line})`);
  });
  const ce = codeBlocksOf(en);
  const cz = codeBlocksOf(zh);
  if (ce.length !== cz.length) problems.push(`${ce.length} code blocks in English, ${cz.length} in Chinese`);
  ce.forEach((c, i) => {
    if (cz[i] !== undefined && cz[i] !== c) problems.push(`code block ${i + 1} differs:\n--- English\n${c}\n--- Chinese\n${cz[i]}`);
  });
  return problems;
}
