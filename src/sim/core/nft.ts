// nft(8) on the simulated kernel, printing what nftables 1.0.6 prints. Scripts (`nft -f -`, one
// transaction: all or nothing) and the same commands on the command line (nft joins its words into
// one line of script): `[add|create] table`, `delete|destroy table`, `flush table|ruleset|chain|set`,
// `add|create chain`, `add|insert rule`, `delete rule … handle N`, `add set`, `add|delete element`;
// `list ruleset|tables|table|chain|set`, with `-a` the handles. Tables hold named sets (ipv4_addr,
// `flags interval`) and chains (type filter|nat, hook, priority, policy); rules are nftRules.ts's.
// Handles are numbered per table as the kernel does: chains of a batch first, then its sets, then
// its rules (an anonymous set takes one before its rule).
//
// Filter chains on the ip and inet families' prerouting-less hooks (input, forward, output) are
// applied by the packet walk (`nftHook`); nat chains only for masquerade (SimMasquerade). Not
// modelled: the ip6, arp, bridge and netdev families' hooks (their tables load and list, nothing
// more), chains of type route, flowtables, stateful objects, `nft monitor`, JSON output (`-j`).
import { currentNs, fail, ok, type Command } from './command.ts';
import type { SimMasquerade, SimNetns } from './model.ts';
import { anonSets, elementsText, ipRange, ipRangeText, matchOne, mergeRanges, NftRuleError, parseRule, ruleText, ruleWords, type HookPacket, type NftRule, type Range } from './nftRules.ts';

interface NftSet {
  name: string;
  handle: number;
  type: string;
  flags: string[];
  elements: string[];
}
interface Chain {
  name: string;
  handle: number;
  /** `type filter hook forward priority filter` */
  type?: string;
  hook?: string;
  priority?: number;
  policy?: 'accept' | 'drop';
  rules: NftRule[];
}
interface Table {
  family: string;
  name: string;
  handle: number;
  nextHandle: number;
  sets: NftSet[];
  chains: Chain[];
}

class NftError extends Error {}

const FAMILIES = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];
const PRIORITY_NAMES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

function priorityText(c: Chain): string {
  const p = c.priority ?? 0;
  if (c.type === 'nat' && c.hook === 'postrouting' && p === 100) return 'srcnat';
  if (c.type === 'nat' && c.hook === 'prerouting' && p === -100) return 'dstnat';
  const named = Object.entries(PRIORITY_NAMES).find(([n, v]) => v === p && n !== 'srcnat' && n !== 'dstnat');
  return named ? named[0] : String(p);
}

// ------------------------------------------------------------------ storage

interface Store {
  tables: Map<string, Table>;
  tableSeq: number;
}

function load(ns: SimNetns): Store {
  const tables = new Map<string, Table>();
  for (const [k, v] of Object.entries(ns.nft.tables)) {
    try {
      const t = JSON.parse(v) as Table & { chains: (Chain & { rules: (NftRule | string)[]; spec?: string })[] };
      // A table saved before sets and handles: rules were text.
      t.sets ??= [];
      t.handle ??= 0;
      t.nextHandle ??= 1;
      for (const c of t.chains) {
        c.handle ??= t.nextHandle++;
        c.rules = c.rules.map((r) => (typeof r === 'string' ? { handle: t.nextHandle++, text: r } : r));
        if (c.spec && !c.hook) Object.assign(c, chainSpec(c.spec.split(/\s+/)));
        delete c.spec;
      }
      tables.set(k, t);
    } catch {
      /* a table stored by something else: skip */
    }
  }
  return { tables, tableSeq: ns.nft.tableSeq ?? tables.size };
}

function save(ns: SimNetns, s: Store) {
  ns.nft.tables = Object.fromEntries([...s.tables].map(([k, t]) => [k, JSON.stringify(t)]));
  ns.nft.tableSeq = s.tableSeq;
  ns.nft.masquerade = [...s.tables.values()].flatMap((t) =>
    t.chains.flatMap((c) => c.rules.map((r) => (r.text !== undefined ? masqueradeOf(t.name, r.text) : undefined)).filter((x): x is SimMasquerade => !!x)),
  );
}

/** `ip saddr 10.244.1.0/24 ip daddr != 10.244.0.0/16 masquerade` → a SimMasquerade. */
export function masqueradeOf(table: string, rule: string): SimMasquerade | undefined {
  const t = rule.split(/\s+/);
  if (t[t.length - 1] !== 'masquerade') return undefined;
  const m: SimMasquerade = { table };
  for (let i = 0; i < t.length - 1; ) {
    if (t[i] === 'ip' && t[i + 1] === 'saddr' && t[i + 2] !== '!=') {
      m.saddr = t[i + 2];
      i += 3;
    } else if (t[i] === 'ip' && t[i + 1] === 'daddr' && t[i + 2] === '!=') {
      m.daddrNot = t[i + 3];
      i += 4;
    } else if (t[i] === 'oifname' && t[i + 1] !== '!=') {
      m.oifname = t[i + 1]!.replace(/"/g, '');
      i += 2;
    } else return undefined; // a match the walk cannot apply: leave the rule out rather than apply it wrongly
  }
  return m;
}

// ------------------------------------------------------------------ listing

const setRangesOf = (s: NftSet): Range[] => mergeRanges(s.elements.map(ipRange));

function setLines(s: NftSet, handles: boolean): string[] {
  const out = [`\tset ${s.name} {${handles ? ` # handle ${s.handle}` : ''}`, `\t\ttype ${s.type}`];
  if (s.flags.length) out.push(`\t\tflags ${s.flags.join(',')}`);
  const items = s.flags.includes('interval') ? setRangesOf(s).map(ipRangeText) : [...new Set(s.elements)].sort((a, b) => ipRange(a)[0] - ipRange(b)[0]);
  if (items.length) out.push(`\t\telements = ${elementsText(items, '\t\t\t     ')}`);
  out.push('\t}');
  return out;
}

function chainLines(c: Chain, handles: boolean): string[] {
  const out = [`\tchain ${c.name} {${handles ? ` # handle ${c.handle}` : ''}`];
  if (c.hook) out.push(`\t\ttype ${c.type} hook ${c.hook} priority ${priorityText(c)}; policy ${c.policy ?? 'accept'};`);
  for (const r of c.rules) out.push(`\t\t${ruleText(r)}${handles ? ` # handle ${r.handle}` : ''}`);
  out.push('\t}');
  return out;
}

function render(t: Table, handles: boolean, only?: { set?: string; chain?: string }): string {
  const blocks: string[][] = [];
  for (const s of t.sets) if (!only || only.set === s.name) blocks.push(setLines(s, handles));
  for (const c of t.chains) if (!only || only.chain === c.name) blocks.push(chainLines(c, handles));
  const head = `table ${t.family} ${t.name} {${handles && !only ? ` # handle ${t.handle}` : ''}`;
  return `${[head, blocks.map((b) => b.join('\n')).join('\n\n'), '}'].filter((x) => x !== '').join('\n')}\n`;
}

// ------------------------------------------------------------------ scripts

interface Tok {
  tok: string;
  line: number;
}

/** Tokens of a script: words, quoted strings, braces, and statement ends (newline, ;). */
function tokenize(script: string): Tok[] {
  const out: Tok[] = [];
  script.split('\n').forEach((raw, n) => {
    const re = /"[^"]*"|#.*$|[{};]|[^\s{};"#]+/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(raw)) !== null) if (!m[0].startsWith('#')) out.push({ tok: m[0], line: n + 1 });
    out.push({ tok: '\n', line: n + 1 });
  });
  return out;
}

function chainSpec(words: string[]): Partial<Chain> {
  const c: Partial<Chain> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === 'type') c.type = words[++i];
    else if (w === 'hook') c.hook = words[++i];
    else if (w === 'priority') {
      const v = words[++i] ?? '';
      const n = v in PRIORITY_NAMES ? PRIORITY_NAMES[v]! : Number(v);
      if (!Number.isInteger(n)) throw new NftError(`Error: priority "${v}" is not a number or a standard priority name`);
      c.priority = n;
    } else if (w === 'policy') {
      const p = words[++i];
      if (p !== 'accept' && p !== 'drop') throw new NftError(`Error: policy must be accept or drop, got "${p ?? ''}"`);
      c.policy = p;
    } else if (w === 'device') i++;
    else if (w !== undefined) throw new NftError(`Error: syntax error, unexpected ${w} in a chain's type line`);
  }
  if (c.type !== undefined && !['filter', 'nat', 'route'].includes(c.type)) throw new NftError(`Error: Could not process rule: No such file or directory (chain type "${c.type}")`);
  return c;
}

/** A batch: what it defines gets handles as the kernel gives them (chains, then sets, then rules). */
class Batch {
  private chains: [Table, Chain][] = [];
  private sets: [Table, NftSet][] = [];
  private rules: [Table, NftRule][] = [];
  constructor(readonly store: Store) {}
  chain(t: Table, c: Chain) {
    this.chains.push([t, c]);
  }
  set(t: Table, s: NftSet) {
    this.sets.push([t, s]);
  }
  rule(t: Table, r: NftRule) {
    this.rules.push([t, r]);
  }
  /** Handles, then references checked (jump targets and @sets exist). */
  commit() {
    for (const [t, c] of this.chains) c.handle = t.nextHandle++;
    for (const [t, s] of this.sets) s.handle = t.nextHandle++;
    for (const [t, r] of this.rules) {
      t.nextHandle += anonSets(r);
      r.handle = t.nextHandle++;
    }
    for (const t of this.store.tables.values()) {
      for (const c of t.chains) {
        for (const r of c.rules) {
          const v = r.verdict;
          if (v && (v.v === 'jump' || v.v === 'goto') && !t.chains.some((x) => x.name === v.chain)) throw new NftError(`Error: Could not process rule: No such file or directory\n(chain ${c.name} jumps to ${v.chain}, which table ${t.family} ${t.name} does not have)`);
          for (const m of r.matches ?? []) {
            if (m.k === 'addr' && m.set !== undefined && !t.sets.some((s) => s.name === m.set)) throw new NftError(`Error: No such file or directory; did you mean set ‘${m.set}’ in table ${t.family} ‘${t.name}’?\n(a rule in chain ${c.name} names @${m.set}, which the table does not have)`);
          }
        }
      }
    }
  }
}

function runScript(store: Store, script: string, lines: string[]) {
  const toks = tokenize(script);
  const batch = new Batch(store);
  let i = 0;
  const peek = () => toks[i]?.tok;
  const lineOf = () => toks[Math.min(i, toks.length - 1)]?.line ?? 1;
  const syntax = (what: string): never => {
    const ln = lineOf();
    const text = lines[ln - 1] ?? '';
    throw new NftError(`/dev/stdin:${ln}:1-${Math.max(1, text.length)}: Error: syntax error, ${what}\n${text}\n${'^'.repeat(Math.max(1, text.length))}`);
  };
  /** The kernel's ENOENT, the line quoted and the missing name marked under it. */
  const notFound = (what: string): never => {
    const text = lines[lineOf() - 1] ?? what;
    const name = what.split(' ').pop() ?? '';
    const at = name ? text.lastIndexOf(name) : -1;
    const marks = at >= 0 ? `${' '.repeat(at)}${'^'.repeat(name.length)}` : '^'.repeat(Math.max(1, text.length));
    throw new NftError(`Error: Could not process rule: No such file or directory\n${text}\n${marks}`);
  };
  const word = (): string => {
    const t = toks[i]?.tok;
    if (t === undefined || t === '\n' || t === '{' || t === '}' || t === ';') return syntax(`unexpected ${t === '\n' || t === undefined ? 'newline' : t}, expecting string`);
    i++;
    return t;
  };
  const skipEnds = () => {
    while (peek() === '\n' || peek() === ';') i++;
  };
  /** The rest of a statement, braces kept together (`ip saddr != { a, b }`). */
  const statement = (): string[] => {
    const out: string[] = [];
    let depth = 0;
    while (peek() !== undefined && (depth > 0 || (peek() !== '\n' && peek() !== ';' && peek() !== '}'))) {
      const t = toks[i++]!.tok;
      if (t === '{') depth++;
      if (t === '}') depth--;
      if (t !== '\n') out.push(t);
    }
    return out;
  };
  const tableRef = (): [string, string] => {
    let fam = word();
    let name: string;
    if (FAMILIES.includes(fam)) name = word();
    else {
      name = fam;
      fam = 'ip';
    }
    return [fam, name];
  };
  const getTable = (fam: string, name: string): Table => store.tables.get(`${fam} ${name}`) ?? notFound(`table ${fam} ${name}`);
  const newRule = (t: Table, c: Chain, words: string[]): NftRule => {
    const text = words.join(' ');
    if (c.type === 'nat' || words.includes('masquerade')) return { handle: 0, text };
    try {
      return parseRule(ruleWords(text), 0);
    } catch (e) {
      if (e instanceof NftRuleError) throw new NftError(`${e.message}\n${text}`);
      throw e;
    }
  };
  const ensureChain = (t: Table, name: string): Chain => {
    let c = t.chains.find((x) => x.name === name);
    if (!c) {
      t.chains.push((c = { name, handle: 0, rules: [] }));
      batch.chain(t, c);
    }
    return c;
  };
  const chainBody = (t: Table, c: Chain) => {
    for (;;) {
      skipEnds();
      if (peek() === '}') {
        i++;
        return;
      }
      if (peek() === undefined) syntax('unexpected end of file');
      const stmt = statement();
      if (stmt[0] === 'type') Object.assign(c, chainSpec(stmt));
      else if (stmt[0] === 'policy') Object.assign(c, chainSpec(stmt));
      else if (stmt[0] === 'comment') continue;
      else {
        const r = newRule(t, c, stmt);
        c.rules.push(r);
        batch.rule(t, r);
      }
    }
  };
  const elementList = (): string[] => {
    const st = statement().filter((x) => x !== '{' && x !== '}');
    return st.join(' ').split(/[\s,]+/).filter(Boolean);
  };
  const setBody = (s: NftSet) => {
    for (;;) {
      skipEnds();
      if (peek() === '}') {
        i++;
        return;
      }
      if (peek() === undefined) syntax('unexpected end of file');
      const w = word();
      if (w === 'type') {
        s.type = word();
        if (s.type !== 'ipv4_addr') throw new NftError(`Error: set ${s.name}: the simulated kernel's sets hold ipv4_addr, not ${s.type}`);
      } else if (w === 'flags') s.flags = statement().join('').split(',').filter(Boolean);
      else if (w === 'elements') {
        if (word() !== '=') syntax('expecting =');
        s.elements.push(...checkElements(elementList()));
      } else if (w === 'comment') statement();
      else syntax(`unexpected ${w}`);
    }
  };
  const ensureSet = (t: Table, name: string): NftSet => {
    let s = t.sets.find((x) => x.name === name);
    if (!s) {
      t.sets.push((s = { name, handle: 0, type: 'ipv4_addr', flags: [], elements: [] }));
      batch.set(t, s);
    }
    return s;
  };
  const tableBody = (t: Table) => {
    for (;;) {
      skipEnds();
      if (peek() === '}') {
        i++;
        return;
      }
      if (peek() === undefined) syntax('unexpected end of file');
      const w = word();
      if (w === 'chain') {
        const c = ensureChain(t, word());
        skipEnds();
        if (peek() === '{') {
          i++;
          chainBody(t, c);
        }
      } else if (w === 'set') {
        const s = ensureSet(t, word());
        skipEnds();
        if (peek() === '{') {
          i++;
          setBody(s);
        }
      } else syntax(`unexpected ${w}`);
    }
  };
  for (;;) {
    skipEnds();
    if (peek() === undefined) break;
    let cmd = word();
    const adding = cmd === 'add' || cmd === 'create';
    if (adding) cmd = word();
    if (cmd === 'table') {
      const [fam, name] = tableRef();
      const key = `${fam} ${name}`;
      let t = store.tables.get(key);
      if (!t) store.tables.set(key, (t = { family: fam, name, handle: ++store.tableSeq, nextHandle: 1, sets: [], chains: [] }));
      if (peek() === '{') {
        i++;
        tableBody(t);
      }
    } else if (cmd === 'chain' && adding) {
      const [fam, name] = tableRef();
      const c = ensureChain(getTable(fam, name), word());
      if (peek() === '{') {
        i++;
        chainBody(getTable(fam, name), c);
      }
    } else if (cmd === 'set' && adding) {
      const [fam, name] = tableRef();
      const s = ensureSet(getTable(fam, name), word());
      if (peek() === '{') {
        i++;
        setBody(s);
      }
    } else if ((cmd === 'rule' && adding) || cmd === 'insert') {
      if (cmd === 'insert' && word() !== 'rule') syntax('expecting rule');
      const [fam, name] = tableRef();
      const t = getTable(fam, name);
      const chainName = word();
      const c = t.chains.find((x) => x.name === chainName) ?? notFound(`chain ${chainName}`);
      const r = newRule(t, c, statement());
      if (cmd === 'insert') c.rules.unshift(r);
      else c.rules.push(r);
      batch.rule(t, r);
    } else if (cmd === 'element' && adding) {
      const [fam, name] = tableRef();
      const setName = word();
      const s = getTable(fam, name).sets.find((x) => x.name === setName) ?? notFound(`set ${setName}`);
      s.elements.push(...checkElements(elementList()));
    } else if (cmd === 'delete' || cmd === 'destroy') {
      const what = word();
      const [fam, name] = tableRef();
      const key = `${fam} ${name}`;
      if (what === 'table') {
        if (!store.tables.delete(key) && cmd === 'delete') {
          throw new NftError(`Error: Could not process rule: No such file or directory\ndelete table ${fam} ${name}\n${' '.repeat(`delete table ${fam} `.length)}${'^'.repeat(name.length)}`);
        }
      } else if (what === 'rule') {
        const t = getTable(fam, name);
        const chainName = word();
        const c = t.chains.find((x) => x.name === chainName) ?? notFound(`chain ${chainName}`);
        if (word() !== 'handle') syntax('expecting handle');
        const h = Number(word());
        const at = c.rules.findIndex((r) => r.handle === h);
        if (at < 0) notFound(`handle ${h}`);
        c.rules.splice(at, 1);
      } else if (what === 'element') {
        const t = getTable(fam, name);
        const setName = word();
        const s = t.sets.find((x) => x.name === setName) ?? notFound(`set ${setName}`);
        for (const e of checkElements(elementList())) {
          const at = s.elements.indexOf(e);
          if (at < 0) notFound(`element ${e}`);
          s.elements.splice(at, 1);
        }
      } else if (what === 'chain' || what === 'set') {
        const t = getTable(fam, name);
        const n = word();
        const list = what === 'chain' ? t.chains : t.sets;
        const at = list.findIndex((x) => x.name === n);
        if (at < 0) notFound(`${what} ${n}`);
        list.splice(at, 1);
      } else syntax(`unexpected ${what}`);
    } else if (cmd === 'flush') {
      const what = word();
      if (what === 'ruleset') store.tables.clear();
      else {
        const [fam, name] = tableRef();
        const t = getTable(fam, name);
        if (what === 'table') for (const c of t.chains) c.rules = [];
        else if (what === 'chain') (t.chains.find((x) => x.name === peek()) ?? notFound(`chain ${peek()}`)).rules = [];
        else if (what === 'set') (t.sets.find((x) => x.name === peek()) ?? notFound(`set ${peek()}`)).elements = [];
        else syntax(`unexpected ${what}`);
        if (what !== 'table') i++;
      }
    } else syntax(`unexpected ${cmd}`);
  }
  batch.commit();
}

function checkElements(items: string[]): string[] {
  for (const e of items) {
    try {
      ipRange(e);
    } catch (err) {
      if (err instanceof NftRuleError) throw new NftError(err.message);
      throw err;
    }
  }
  return items;
}

function runAll(ns: SimNetns, script: string) {
  const store = load(ns);
  try {
    runScript(store, script, script.split('\n'));
  } catch (e) {
    if (e instanceof NftError) return fail(e.message);
    throw e;
  }
  save(ns, store);
  return ok();
}

export const nft: Command = (ctx, args) => {
  const ns = currentNs(ctx);
  const handles = args.includes('-a') || args.includes('--handle');
  const a = args.filter((x) => x !== '-a' && x !== '--handle' && x !== '-n' && x !== '-nn' && x !== '-s');
  if (a[0] === '-f' || a[0] === '--file') {
    if (a[1] !== '-') return fail(`Error: Could not process rule: No such file or directory\n${a[1] ?? ''}\n(the simulated kernel reads scripts from stdin: nft -f -)`);
    return runAll(ns, ctx.stdin ?? '');
  }
  const [verb, what, ...rest] = a;
  if (verb !== 'list') return runAll(ns, a.join(' '));
  const { tables } = load(ns);
  if (what === 'ruleset') return ok([...tables.values()].map((t) => render(t, handles)).join(''));
  if (what === 'tables') return ok([...tables.values()].map((t) => `table ${t.family} ${t.name}\n`).join(''));
  if (what === 'table' || what === 'chain' || what === 'set') {
    const words = what === 'table' ? rest : rest.slice(0, -1);
    const fam = words.length > 1 ? words[0]! : 'ip';
    const name = words.length > 1 ? words[1] : words[0];
    const line = a.join(' ');
    if (!name || (what !== 'table' && rest.length < 2)) return fail(`Error: syntax error, unexpected end of file, expecting string\n${line}\n${' '.repeat(line.length)}^`);
    const caret = (word: string) => `${line}\n${' '.repeat(line.length - word.length)}${'^'.repeat(word.length)}`;
    const t = tables.get(`${fam} ${name}`);
    if (!t) return fail(`Error: No such file or directory\n${caret(what === 'table' ? name : rest[rest.length - 1]!)}`);
    if (what === 'table') return ok(render(t, handles));
    const obj = rest[rest.length - 1]!;
    if (!(what === 'chain' ? t.chains : t.sets).some((x) => x.name === obj)) return fail(`Error: No such file or directory\n${caret(obj)}`);
    return ok(render(t, handles, what === 'chain' ? { chain: obj } : { set: obj }));
  }
  return fail(`Error: syntax error, unexpected ${what ?? 'end of file'}\n${a.join(' ')}\n^`);
};

// ------------------------------------------------------------------ the hooks

export interface HookResult {
  verdict: 'accept' | 'drop';
  /** What decided, for a trace: `table inet t chain forward: <rule>` or the chain's policy. */
  by?: string;
}

/** Is any filter chain on this hook (so the walk need not look up conntrack for nothing)? */
export function hasHook(ns: SimNetns, hook: string): boolean {
  return Object.values(ns.nft.tables).some((v) => v.includes(`"hook":"${hook}"`));
}

/**
 * A packet at an ip-family hook: every filter chain on it (tables of family ip and inet), by
 * priority; a drop anywhere drops, an accept ends only its own chain (the next base chain still
 * sees the packet), as in the kernel. Counters count. Saves the tables if a counter moved.
 */
export function nftHook(ns: SimNetns, hook: 'input' | 'forward' | 'output', p: HookPacket): HookResult {
  if (!hasHook(ns, hook)) return { verdict: 'accept' };
  const store = load(ns);
  const bases: [Table, Chain][] = [];
  for (const t of store.tables.values()) {
    if (t.family !== 'ip' && t.family !== 'inet') continue;
    for (const c of t.chains) if (c.type === 'filter' && c.hook === hook) bases.push([t, c]);
  }
  bases.sort((a, b) => (a[1].priority ?? 0) - (b[1].priority ?? 0));
  let moved = false;
  let result: HookResult = { verdict: 'accept' };
  for (const [t, base] of bases) {
    const sets = new Map(t.sets.map((s) => [s.name, setRangesOf(s)]));
    const setRanges = (n: string) => sets.get(n) ?? [];
    const stack: { chain: Chain; at: number }[] = [{ chain: base, at: 0 }];
    let decided: HookResult | undefined;
    while (stack.length > 0 && !decided) {
      const top = stack[stack.length - 1]!;
      const r = top.chain.rules[top.at++];
      if (!r) {
        stack.pop();
        continue;
      }
      if (r.text !== undefined || !(r.matches ?? []).every((m) => matchOne(m, p, setRanges))) continue;
      if (r.counter) {
        r.counter.packets++;
        r.counter.bytes += p.len;
        moved = true;
      }
      const v = r.verdict;
      const by = `table ${t.family} ${t.name} chain ${top.chain.name}: ${ruleText(r)}`;
      if (!v || v.v === 'continue') continue;
      if (v.v === 'accept' || v.v === 'drop') decided = { verdict: v.v, by };
      else if (v.v === 'return') stack.pop();
      else {
        const to = 'chain' in v ? v.chain : '';
        const target = t.chains.find((c) => c.name === to);
        if (!target) continue;
        if (v.v === 'goto') stack.pop();
        if (stack.length > 16) {
          decided = { verdict: 'drop', by: `${by} (jumps nested too deep)` };
          break;
        }
        stack.push({ chain: target, at: 0 });
      }
    }
    decided ??= { verdict: base.policy ?? 'accept', by: `table ${t.family} ${t.name} chain ${base.name}: policy ${base.policy ?? 'accept'}` };
    if (decided.verdict === 'drop') {
      result = decided;
      break;
    }
    result = decided;
  }
  if (moved) save(ns, store);
  return result;
}
