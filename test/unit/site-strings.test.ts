// Every text the site shows a person comes from the message catalogue (src/i18n/en.ts), so the
// Chinese site is whole. This parses each .tsx under site/src with the TypeScript compiler and fails
// on JSX text, and on string literals in props a person reads (title, aria-label, placeholder, alt),
// that contain an English word.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SITE = path.resolve(__dirname, '../../site/src');
// `label` and `message` are the site's own components' props that end up as such text.
const READ_PROPS = new Set(['title', 'aria-label', 'placeholder', 'alt', 'aria-description', 'aria-roledescription', 'aria-valuetext', 'label', 'message']);

/**
 * Texts that stay as they are in every language: command names and product names a person types or
 * recognises in English. Each is a whole trimmed text, matched exactly.
 */
const ALLOWED = new Set([
  'SimpleCNI Lab', // the product's name
  'npx cnilab cluster up', // a command, shown in <code>
]);

/** Props whose English value is a contract (tests and scripts select by it): `prop= text`. */
const CONTRACTS = new Set([
  'aria-label= Labs', // nav[aria-label="Labs"] finds the lab list (see the README's site contract)
]);

/** An English word: two or more Latin letters. Symbols, numbers and units like "×" or "s" pass. */
const ENGLISH_WORD = /[A-Za-z]{2,}/;

export interface Finding {
  file: string;
  line: number;
  text: string;
  where: string;
}

/** The hard-coded English texts a person would see in one .tsx source. */
export function findEnglish(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: Finding[] = [];
  const report = (node: ts.Node, text: string, where: string) => {
    const trimmed = text.replace(/\s+/g, ' ').trim();
    if (!trimmed || !ENGLISH_WORD.test(trimmed) || ALLOWED.has(trimmed) || CONTRACTS.has(`${where} ${trimmed}`)) return;
    out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: trimmed, where });
  };
  // The literals an expression evaluates to: `title={x ? 'Open' : 'Close'}`, `{busy && 'Saving'}`,
  // `{'a' + b}`; not those it only compares or passes on (`state === 'idle'`, `fmt('2-digit')`).
  const literalsIn = (n: ts.Node, where: string): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) report(n, n.text, where);
    else if (ts.isTemplateExpression(n)) {
      report(n.head, n.head.text, where);
      for (const span of n.templateSpans) {
        report(span.literal, span.literal.text, where);
        literalsIn(span.expression, where);
      }
    } else if (ts.isJsxExpression(n)) {
      if (n.expression) literalsIn(n.expression, where);
    } else if (ts.isParenthesizedExpression(n) || ts.isAsExpression(n)) literalsIn(n.expression, where);
    else if (ts.isConditionalExpression(n)) {
      literalsIn(n.whenTrue, where);
      literalsIn(n.whenFalse, where);
    } else if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) literalsIn(n.right, where);
      else if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.PlusToken) {
        literalsIn(n.left, where);
        literalsIn(n.right, where);
      } else visit(n);
    } else if (ts.isArrayLiteralExpression(n)) n.elements.forEach((e) => literalsIn(e, where));
    else visit(n); // JSX inside, arrow functions in a .map(), calls: looked at as code
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) report(node, node.text, 'JSX text');
    else if (ts.isJsxAttribute(node) && node.initializer) {
      const name = node.name.getText(sf);
      if (READ_PROPS.has(name)) literalsIn(node.initializer, `${name}=`);
    } else if (ts.isJsxExpression(node) && node.expression && isJsxChild(node)) {
      // {'Copy'} or {done ? 'Copied' : 'Copy'} as a child: text a person reads too.
      literalsIn(node.expression, 'JSX text');
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const isJsxChild = (node: ts.JsxExpression) => ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent);

function tsxFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsxFiles(p);
    return e.name.endsWith('.tsx') ? [p] : [];
  });
}

describe('site strings', () => {
  it('finds hard-coded English in JSX text, in read props and inside conditional expressions', () => {
    const src = `const A = () => (<div title="Copy command" aria-label={ok ? 'Copied' : tr('code.copy')}>
      Resetting… <code>npx cnilab cluster up</code> {busy ? 'Try again' : null} {tr('lab.check')} ·
      <span placeholder={\`Search \${n}\`} data-x="not read" className="some class">{'x'}</span></div>);`;
    const found = findEnglish('a.tsx', src).map((f) => `${f.where} ${f.text}`);
    expect(found).toEqual(['title= Copy command', 'aria-label= Copied', 'JSX text Resetting…', 'JSX text Try again', 'placeholder= Search']);
  });

  it('no .tsx under site/src shows a person hard-coded English text', () => {
    const files = tsxFiles(SITE);
    expect(files.length).toBeGreaterThan(20);
    const findings = files.flatMap((f) => findEnglish(path.relative(SITE, f), fs.readFileSync(f, 'utf8')));
    // Each line names where a text is; move it into src/i18n/en.ts (and zh-CN.ts) and use tr()/tx().
    expect(findings.map((f) => `${f.file}:${f.line} ${f.where} "${f.text}"`)).toEqual([]);
  });
});
