// Every check speaks through the message catalogue (src/i18n), so each has its Chinese: a pass() or
// fail() in src/validators/labs/ given English prose as a string literal fails here. Machine text
// (addresses, command output, `key = value`) may still go in as it is.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { msg, list, t } from '../../src/i18n/index.ts';

const DIR = path.resolve(__dirname, '../../src/validators/labs');

/** Two words in a row in a literal's own text: English prose, not machine output. */
const PROSE = /[A-Za-z]{2,} [A-Za-z]{2,}/;

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('\u0000');
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression);
  if (ts.isConditionalExpression(node)) return [literalText(node.whenTrue), literalText(node.whenFalse)].filter((x) => x !== undefined).join('\u0000') || undefined;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return [literalText(node.left), literalText(node.right)].join('\u0000');
  return undefined;
}

/** Raw English given to pass()/fail() in a source: "file:line: text" for each. */
function rawEnglish(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && (node.expression.text === 'pass' || node.expression.text === 'fail')) {
      node.arguments.forEach((arg, i) => {
        const text = literalText(arg);
        const isHint = node.expression.getText() === 'fail' && i === 2;
        // A hint is always prose: it must be a message. Expected and found may be machine text.
        if (text !== undefined && (isHint || PROSE.test(text))) {
          out.push(`${path.basename(file)}:${sf.getLineAndCharacterOfPosition(arg.getStart()).line + 1}: ${arg.getText()}`);
        }
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('validators speak through the message catalogue', () => {
  const files = fs.readdirSync(DIR).filter((f) => /^lab\d+\.ts$/.test(f));

  it('finds every lab validator', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  for (const f of files) {
    it(`${f}: no pass()/fail() is given English prose as a literal`, () => {
      expect(rawEnglish(f, fs.readFileSync(path.join(DIR, f), 'utf8'))).toEqual([]);
    });
  }

  it('the scan catches raw English in expected, found and hint, and lets machine text through', () => {
    const src = [
      "fail('every pod up', found, msg('x'));",
      'fail(expected, `no route to ${dst}`, msg(\'x\'));',
      "fail(expected, found, 'Look at the bridge.');",
      "fail(expected, found, ok ? msg('a') : 'Check the route.');",
      'pass(expected, `net.ipv4.ip_forward = ${v}`);',
      "pass(msg('v.x'), r.stdout.trim());",
    ].join('\n');
    expect(rawEnglish('x.ts', src).map((l) => l.split(':')[1])).toEqual(['1', '2', '3', '4']);
  });

  it('the English the messages make is the English the checks always printed', () => {
    // Samples of the texts labs' pages, tests and graders quote, rebuilt from the catalogue.
    const en = (id: Parameters<typeof msg>[0], params?: Parameters<typeof msg>[1]) => t('en', msg(id, params));
    expect(en('v.byhand-ping.found', { toB: msg('word.answers'), toBridge: msg('word.fails') })).toBe('lab1-a → 172.16.1.3 answers, → 172.16.1.1 fails');
    expect(t('en', list([msg('v.byhand-pods.expected', { ns: 'lab1-a', cidr: '172.16.1.2/24' }), msg('v.byhand-pods.expected', { ns: 'lab1-b', cidr: '172.16.1.3/24' })], 'semi'))).toBe(
      'lab1-a: eth0 up with 172.16.1.2/24; lab1-b: eth0 up with 172.16.1.3/24',
    );
    expect(t('zh-CN', list(['a', 'b'], 'semi'))).toBe('a；b');
    expect(en('v.ipam-concurrent.foundDup', { ok: 12, n: 12, distinct: 11, dup: list(['10.99.1.5/24']) })).toBe('12 of 12 succeeded, 11 distinct; handed out twice: 10.99.1.5/24');
    expect(en('v.del-idempotent.found', { add: 0, add2: 0, del1: 0, del2: 1, noNetns: msg('v.plugin.exitWhy', { code: 7, why: 'no netns' }), left: msg('word.none') })).toBe(
      'ADD 0/0; DEL 0, again 1, without CNI_NETNS 7 (no netns); leases left: none',
    );
    expect(en('v.pods.found', { pods: list([msg('v.pods.item', { node: 'node1', pod: 'web' }), msg('v.pods.item', { node: 'node2', pod: msg('word.noPod') })]) })).toBe('pods: node1 web, node2 none');
    expect(en('v.hostgw-node3.withPing', { route: msg('v.hostgw-node3.noRoute', { dst: '10.244.3.0/24' }), result: msg('word.fails') })).toBe('node1 has no route to 10.244.3.0/24; ping node1→node3 pod fails');
    expect(en('v.mtu-probe.found', { fits: 1422, fitsResult: msg('word.crossed'), over: 1423, overResult: msg('word.refused') })).toBe('1422: crossed; 1423: refused');
    expect(en('v.policy.probe', { from: 'node2/front', to: 'db', port: 6379, result: msg('word.answered') })).toBe('node2/front → db:6379: answered');
    expect(en('v.gc-stale.expected', { ip: '10.99.10.2' })).toBe('only the lease of "keep" (10.99.10.2) is left');
  });
});
