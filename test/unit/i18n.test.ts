// The Chinese edition stays complete and in step: every message and lab text has its Chinese, and
// every Chinese lab page compiles and has the English page's headings, anchors and code blocks.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from '@mdx-js/mdx';
import { en } from '../../src/i18n/en.ts';
import { zhCN } from '../../src/i18n/zh-CN.ts';
import { labsZhCN } from '../../src/i18n/labs.zh-CN.ts';
import { list, matchLang, msg, resolveLang, t, type Lang } from '../../src/i18n/index.ts';
import { localizeCheck } from '../../src/i18n/checks.ts';
import { escapeHeadingIds, pageMismatches, pageStatus, translatedHash, sha256, ZH_PAGE } from '../../src/i18n/labPages.ts';
import { shownLang, translationNote } from '../../src/i18n/labPageChoice.ts';
import * as os from 'node:os';
import { loadCatalog, labsDir } from '../../src/labs/catalog.ts';
import { fail } from '../../src/validators/types.ts';

const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogue', () => {
  it('has every English key in Chinese, non-empty, with the same {parameters}', () => {
    for (const [id, text] of Object.entries(en)) {
      const zh = (zhCN as Record<string, string>)[id];
      expect(zh, id).toBeTruthy();
      expect(params(zh!), id).toEqual(params(text));
    }
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('writes 你, never 您, and full-width punctuation between Chinese characters', () => {
    const all = [...Object.values(zhCN), ...Object.values(labsZhCN).flatMap((l) => [l.title, ...l.objectives, ...Object.values(l.checks), ...l.hints])];
    for (const s of all) {
      expect(s, s).not.toContain('您');
      expect(s, s).not.toMatch(/[\u4e00-\u9fff][,;:?!]\s*[\u4e00-\u9fff]/);
    }
  });

  it('interpolates parameters, nested messages and lists in the language asked for', () => {
    const found = msg('v.underlay.found', { results: list([msg('v.underlay.answers', { node: 'node2' }), msg('v.underlay.noAnswer', { node: 'node3' })]), how: msg('v.underlay.noGateway') });
    expect(t('en', found)).toBe('node2 answers, node3 does not answer; node1 reaches node3 without a gateway');
    expect(t('zh-CN', found)).toBe('node2 有应答，node3 没有应答；node1 到 node3 没有经过网关');
    expect(t('zh-CN', 'ip -j link')).toBe('ip -j link'); // literal text stays as it is
  });

  it('a check keeps English strings, gives messages for other languages, and localizes to the JSON shape', () => {
    const v = fail(msg('v.pod-ping.expected', { pod: 'web', gw: '10.244.1.1' }), '1 packets transmitted, 0 received', msg('v.pod-ping.hint'));
    expect(v.expected).toBe('web pings 10.244.1.1');
    const r = { id: 'pod-ping', title: 'Pod web pings its gateway', ...v };
    const zh = localizeCheck('04', r, 'zh-CN');
    expect(zh).toEqual({ id: 'pod-ping', title: 'Pod web 能 ping 通它的网关', passed: false, expected: 'web 能 ping 通 10.244.1.1', found: '1 packets transmitted, 0 received', hint: zhCN['v.pod-ping.hint'] });
    expect(Object.keys(localizeCheck('04', r, 'en')).sort()).toEqual(Object.keys(zh).sort());
  });

  it('picks the language: --lang, then LC_ALL, then LANG', () => {
    expect(resolveLang(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(resolveLang(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(resolveLang('en', { LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(resolveLang(undefined, {})).toBe('en');
    expect(() => resolveLang('fr', {})).toThrow('unknown language "fr": use en or zh-CN');
    expect(['zh', 'zh-CN', 'zh-Hans-CN', 'zh_CN.UTF-8', 'en-GB', 'fr-FR', 'C'].map(matchLang)).toEqual(['zh-CN', 'zh-CN', 'zh-CN', 'zh-CN', 'en', undefined, undefined]);
  });
});

describe('lab texts (labs.yaml) in Chinese', () => {
  it('every lab has its title, objectives, check titles and hints, by id and in order', () => {
    for (const lab of loadCatalog()) {
      const zh = labsZhCN[lab.id];
      expect(zh, `lab ${lab.id} has no entry in src/i18n/labs.zh-CN.ts`).toBeDefined();
      expect(zh!.title, lab.id).toBeTruthy();
      expect(zh!.objectives.length, `lab ${lab.id} objectives`).toBe(lab.objectives.length);
      expect(zh!.hints.length, `lab ${lab.id} hints`).toBe(lab.hints.length);
      expect(Object.keys(zh!.checks).sort(), `lab ${lab.id} checks`).toEqual(lab.checks.map((c) => c.id).sort());
    }
    expect(Object.keys(labsZhCN).sort()).toEqual(loadCatalog().map((l) => l.id).sort());
  });
});

describe('Chinese lab pages', () => {
  const dirs = fs.readdirSync(labsDir()).filter((d) => fs.existsSync(path.join(labsDir(), d, ZH_PAGE)));

  it('at least lab 00 is translated', () => {
    expect(dirs).toContain('00-setup');
  });

  for (const dir of dirs) {
    it(`${dir}: same headings, anchors and code blocks as the English page; compiles as MDX; names the English text it translates`, async () => {
      const en = fs.readFileSync(path.join(labsDir(), dir, 'lab.mdx'), 'utf8');
      const zh = fs.readFileSync(path.join(labsDir(), dir, ZH_PAGE), 'utf8');
      expect(pageMismatches(en, zh)).toEqual([]);
      expect(translatedHash(zh), 'export const translation = { source: \'lab.mdx\', sha256: \'…\' }').toMatch(/^[0-9a-f]{64}$/);
      await expect(compile(escapeHeadingIds(zh), { jsxImportSource: 'preact' })).resolves.toBeDefined();
      await expect(compile(escapeHeadingIds(en), { jsxImportSource: 'preact' })).resolves.toBeDefined();
      expect(zh).not.toContain('您');
    });
  }

  it('i18n:status: a page whose English changed since its translation is stale', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-i18n-status-'));
    try {
      fs.mkdirSync(path.join(dir, '99-x'));
      fs.writeFileSync(path.join(dir, '99-x', 'lab.mdx'), '# 99\n');
      expect(pageStatus(dir, '99-x').state).toBe('none');
      fs.writeFileSync(path.join(dir, '99-x', ZH_PAGE), `export const translation = { source: 'lab.mdx', sha256: '${sha256('# 99\n')}' };\n\n# 99\n`);
      expect(pageStatus(dir, '99-x').state).toBe('current');
      fs.writeFileSync(path.join(dir, '99-x', 'lab.mdx'), '# 99 · changed\n');
      expect(pageStatus(dir, '99-x').state).toBe('stale');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the page a reader sees: a lab without a Chinese page shows its English text with the "missing" note; a translated one its own, noted only when stale', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-i18n-choice-'));
    const lab = path.join(dir, '99-x');
    const hasPage = (l: Lang) => fs.existsSync(path.join(lab, l === 'en' ? 'lab.mdx' : ZH_PAGE));
    const shown = (l: Lang) => {
      const s = shownLang(l, hasPage);
      const zh = hasPage('zh-CN') ? fs.readFileSync(path.join(lab, ZH_PAGE), 'utf8') : undefined;
      const english = sha256(fs.readFileSync(path.join(lab, 'lab.mdx'), 'utf8'));
      return { shown: s, note: translationNote(l, s, s === 'en' || zh === undefined ? undefined : translatedHash(zh), english) };
    };
    try {
      fs.mkdirSync(lab);
      fs.writeFileSync(path.join(lab, 'lab.mdx'), '# 99\n');
      expect(shown('zh-CN')).toEqual({ shown: 'en', note: 'missing' });
      expect(shown('en')).toEqual({ shown: 'en', note: undefined });
      fs.writeFileSync(path.join(lab, ZH_PAGE), `export const translation = { source: 'lab.mdx', sha256: '${sha256('# 99\n')}' };\n\n# 99\n`);
      expect(shown('zh-CN')).toEqual({ shown: 'zh-CN', note: undefined });
      fs.writeFileSync(path.join(lab, 'lab.mdx'), '# 99 · changed\n');
      expect(shown('zh-CN')).toEqual({ shown: 'zh-CN', note: 'stale' });
      expect(shown('en')).toEqual({ shown: 'en', note: undefined });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a changed command, a lost anchor or a missing heading is reported', () => {
    const en = '# T\n\n## One {#one}\n\n```console\n$ ip link\n```\n\n## Two {#two}\n';
    expect(pageMismatches(en, '# T\n\n## 一 {#one}\n\n```console\n$ ip link\n```\n\n## 二 {#two}\n')).toEqual([]);
    expect(pageMismatches(en, '# T\n\n## 一 {#one}\n\n```console\n$ ip link show\n```\n\n## 二 {#two}\n').join()).toContain('code block 1 differs');
    expect(pageMismatches(en, '# T\n\n## 一 {#uno}\n\n```console\n$ ip link\n```\n\n## 二 {#two}\n').join()).toContain('anchor one in English, uno in Chinese');
    expect(pageMismatches(en, '# T\n\n## 一 {#one}\n\n```console\n$ ip link\n```\n').join()).toContain('3 headings in English, 2 in Chinese');
    expect(sha256('a')).toHaveLength(64);
  });
});
