// nft(8) on the simulated kernel: `nft -f -` with tables, chains and rules (one transaction: all
// or nothing), `nft list ruleset`, `nft list table ip NAME`, `nft delete table ip NAME`,
// `nft flush ruleset`. Tables are kept per namespace; masquerade rules
// (`[ip saddr S] [ip daddr != D] [oifname "X"] masquerade`) become SimMasquerade for the walk.
import { currentNs, fail, ok, type Command } from './command.ts';
import type { SimMasquerade, SimNetns } from './model.ts';

interface Chain {
  name: string;
  spec?: string;
  policy?: string;
  rules: string[];
}
interface Table {
  family: string;
  name: string;
  chains: Chain[];
}

class NftError extends Error {}

const FAMILIES = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];

function loadTables(ns: SimNetns): Map<string, Table> {
  const m = new Map<string, Table>();
  for (const [k, v] of Object.entries(ns.nft.tables)) {
    try {
      m.set(k, JSON.parse(v) as Table);
    } catch {
      /* a table stored by something else: skip */
    }
  }
  return m;
}

function saveTables(ns: SimNetns, tables: Map<string, Table>) {
  ns.nft.tables = Object.fromEntries([...tables].map(([k, t]) => [k, JSON.stringify(t)]));
  ns.nft.masquerade = [...tables.values()].flatMap((t) => t.chains.flatMap((c) => c.rules.map((r) => masqueradeOf(t.name, r)).filter((x): x is SimMasquerade => !!x)));
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

function render(t: Table): string {
  let s = `table ${t.family} ${t.name} {\n`;
  t.chains.forEach((c, i) => {
    if (i > 0) s += '\n';
    s += `\tchain ${c.name} {\n`;
    if (c.spec) s += `\t\t${c.spec};${c.policy ? ` policy ${c.policy};` : ''}\n`;
    for (const r of c.rules) s += `\t\t${r}\n`;
    s += '\t}\n';
  });
  return `${s}}\n`;
}

/** Tokens of a script: words, quoted strings, braces, and statement ends (newline, ;). */
function tokenize(script: string): { tok: string; line: number }[] {
  const out: { tok: string; line: number }[] = [];
  script.split('\n').forEach((raw, n) => {
    const line = raw.replace(/#.*$/, '');
    const re = /"[^"]*"|[{};]|[^\s{};]+/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null) out.push({ tok: m[0], line: n + 1 });
    out.push({ tok: '\n', line: n + 1 });
  });
  return out;
}

function runScript(tables: Map<string, Table>, script: string, lines: string[]) {
  const toks = tokenize(script);
  let i = 0;
  const peek = () => toks[i]?.tok;
  const syntax = (what: string): never => {
    const t = toks[Math.min(i, toks.length - 1)];
    const ln = t?.line ?? 1;
    const text = lines[ln - 1] ?? '';
    throw new NftError(`/dev/stdin:${ln}:1-${Math.max(1, text.length)}: Error: syntax error, ${what}\n${text}\n${'^'.repeat(Math.max(1, text.length))}`);
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
  const chainBody = (c: Chain) => {
    for (;;) {
      skipEnds();
      if (peek() === '}') {
        i++;
        return;
      }
      if (peek() === undefined) syntax('unexpected end of file');
      const stmt: string[] = [];
      while (peek() !== undefined && peek() !== '\n' && peek() !== ';' && peek() !== '}') stmt.push(toks[i++]!.tok);
      if (stmt[0] === 'type') c.spec = stmt.join(' ');
      else if (stmt[0] === 'policy') c.policy = stmt[1];
      else c.rules.push(stmt.join(' '));
    }
  };
  const tableBody = (t: Table) => {
    for (;;) {
      skipEnds();
      if (peek() === '}') {
        i++;
        return;
      }
      const w = word();
      if (w !== 'chain') syntax(`unexpected ${w}`);
      const name = word();
      let c = t.chains.find((x) => x.name === name);
      if (!c) t.chains.push((c = { name, rules: [] }));
      skipEnds();
      if (peek() === '{') {
        i++;
        chainBody(c);
      }
    }
  };
  for (;;) {
    skipEnds();
    if (peek() === undefined) return;
    let cmd = word();
    if (cmd === 'add' || cmd === 'create') cmd = word();
    if (cmd === 'table') {
      const [fam, name] = tableRef();
      const key = `${fam} ${name}`;
      let t = tables.get(key);
      if (!t) tables.set(key, (t = { family: fam, name, chains: [] }));
      if (peek() === '{') {
        i++;
        tableBody(t);
      }
    } else if (cmd === 'delete' || cmd === 'destroy') {
      const what = word();
      if (what !== 'table') syntax(`unexpected ${what}`);
      const [fam, name] = tableRef();
      if (!tables.delete(`${fam} ${name}`) && cmd === 'delete') {
        throw new NftError(`Error: Could not process rule: No such file or directory\ndelete table ${fam} ${name}\n${' '.repeat(`delete table ${fam} `.length)}${'^'.repeat(name.length)}`);
      }
    } else if (cmd === 'flush') {
      const what = word();
      if (what === 'ruleset') tables.clear();
      else if (what === 'table') {
        const [fam, name] = tableRef();
        const t = tables.get(`${fam} ${name}`);
        if (t) for (const c of t.chains) c.rules = [];
      } else syntax(`unexpected ${what}`);
    } else syntax(`unexpected ${cmd}`);
  }
}

export const nft: Command = (ctx, args) => {
  const ns = currentNs(ctx);
  const a = args.filter((x) => x !== '-a' && x !== '--handle');
  if (a[0] === '-f' || a[0] === '--file') {
    if (a[1] !== '-') return fail(`Error: Could not process rule: No such file or directory\n${a[1] ?? ''}\n(the simulated kernel reads scripts from stdin: nft -f -)`);
    const script = ctx.stdin ?? '';
    const tables = loadTables(ns);
    try {
      runScript(tables, script, script.split('\n'));
    } catch (e) {
      if (e instanceof NftError) return fail(e.message);
      throw e;
    }
    saveTables(ns, tables);
    return ok();
  }
  const tables = loadTables(ns);
  const [verb, what, ...rest] = a;
  if (verb === 'list' && what === 'ruleset') return ok([...tables.values()].map(render).join(''));
  if (verb === 'list' && what === 'tables') return ok([...tables.values()].map((t) => `table ${t.family} ${t.name}\n`).join(''));
  if ((verb === 'list' || verb === 'delete' || verb === 'flush') && what === 'table') {
    const fam = rest.length > 1 ? rest[0]! : 'ip';
    const name = rest.length > 1 ? rest[1]! : rest[0];
    if (!name) return fail(`Error: syntax error, unexpected end of file, expecting string\n${a.join(' ')}\n${' '.repeat(a.join(' ').length)}^`);
    const t = tables.get(`${fam} ${name}`);
    const line = `${verb} table ${fam} ${name}`;
    if (!t) return fail(`Error: ${verb === 'list' ? '' : 'Could not process rule: '}No such file or directory\n${line}\n${' '.repeat(line.length - name.length)}${'^'.repeat(name.length)}`);
    if (verb === 'list') return ok(render(t));
    if (verb === 'delete') tables.delete(`${fam} ${name}`);
    else for (const c of t.chains) c.rules = [];
    saveTables(ns, tables);
    return ok();
  }
  if (verb === 'flush' && what === 'ruleset') {
    saveTables(ns, new Map());
    return ok();
  }
  return fail(`Error: syntax error, unexpected ${verb ?? 'end of file'}\n${a.join(' ')}\n^`);
};

