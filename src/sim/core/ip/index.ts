// `ip` (iproute2 6.1) on the simulated kernel: global options, -batch, and the objects link,
// address, route, neighbour, netns and tunnel, with iproute2's abbreviations, output and errors.
import { fail, namedNetnsOf, ok, resolveNetns, type Command, type CommandContext, type CommandResult } from '../command.ts';
import { addNetns, deleteNetns, linkByName, type SimNetns, type World } from '../model.ts';
import { OpError } from '../ops.ts';
import { addrCmd } from './addr.ts';
import { linkCmd } from './link.ts';
import { neighCmd } from './neigh.ts';
import { routeCmd } from './route.ts';
import { Args, matches, splitBatchLine } from './parse.ts';
import type { Opts } from './format.ts';

export interface IpEnv {
  ctx: CommandContext;
  world: World;
  ns: SimNetns;
  o: Opts;
  out: string[];
  /** Warnings iproute2 prints on stderr while succeeding. */
  err: string[];
}

const OBJECTS = ['address', 'addrlabel', 'maddress', 'route', 'rule', 'neighbor', 'neighbour', 'ntable', 'ntbl', 'link', 'l2tp', 'fou', 'ila', 'macsec', 'tunnel', 'tunl', 'tuntap', 'tap', 'token', 'tcpmetrics', 'tcp_metrics', 'monitor', 'xfrm', 'mroute', 'mrule', 'netns', 'netconf', 'vrf', 'sr', 'nexthop', 'mptcp', 'ioam', 'stats', 'help'];

interface Global extends Opts {
  netns?: string;
  batch?: string;
  force: boolean;
}

function parseGlobal(args: string[]): { g: Global; rest: string[] } | CommandResult {
  const g: Global = { json: false, details: false, brief: false, stats: false, pretty: false, oneline: false, force: false };
  let i = 0;
  for (; i < args.length; i++) {
    let a = args[i]!;
    if (!a.startsWith('-') || a === '-') break;
    if (a === '--') {
      i++;
      break;
    }
    if (a[1] === '-') a = a.slice(1);
    const need = () => {
      const v = args[++i];
      if (v === undefined) throw new OpError('Command line is not complete. Try option "help"', 255);
      return v;
    };
    if (a === '-4') g.family = 'inet';
    else if (a === '-6') g.family = 'inet6';
    else if (a === '-0') continue;
    else if (matches(a, '-family') && a.length > 2) {
      const f = need();
      g.family = f === 'inet6' ? 'inet6' : 'inet';
    } else if (matches(a, '-stats') || matches(a, '-statistics')) g.stats = true;
    else if (matches(a, '-details')) g.details = true;
    else if (matches(a, '-resolve') || matches(a, '-timestamp') || matches(a, '-tshort') || matches(a, '-iec') || matches(a, '-all') || matches(a, '-Numeric')) continue;
    else if (matches(a, '-oneline')) g.oneline = true;
    else if (matches(a, '-force')) g.force = true;
    else if (matches(a, '-batch')) g.batch = need();
    else if (matches(a, '-brief')) g.brief = true;
    else if (matches(a, '-json')) g.json = true;
    else if (matches(a, '-pretty')) g.pretty = true;
    else if (matches(a, '-netns')) g.netns = need();
    else if (a.startsWith('-c') && (matches(a.split('=')[0], '-color') || matches(a.split('=')[0], '-colour'))) continue;
    else if (matches(a, '-Version')) return ok('ip utility, iproute2-6.1.0, libbpf 1.1.0\n');
    else if (matches(a, '-help')) return fail(USAGE, 255);
    else return fail(`Option "${args[i]}" is unknown, try "ip -help".`, 255);
  }
  return { g, rest: args.slice(i) };
}

const USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | fou | help | ila | ioam | l2tp | link |
                   macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | stats | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}`;

export const ip: Command = (ctx, args) => {
  let parsed;
  try {
    parsed = parseGlobal(args);
  } catch (e) {
    if (e instanceof OpError) return fail(e.message, e.code);
    throw e;
  }
  if (!('g' in parsed)) return parsed;
  const { g, rest } = parsed;
  let nsId = ctx.ns;
  if (g.netns !== undefined) {
    const target = resolveNetns(ctx.world, g.netns, ctx.node);
    if (!target) return fail(`Cannot open network namespace "${g.netns}": No such file or directory`, 255);
    nsId = target.id;
  }
  const c: CommandContext = { ...ctx, ns: nsId };
  if (g.batch !== undefined) return runBatch(c, g, g.batch);
  if (rest.length === 0) return fail(USAGE, 255);
  return runOne(c, g, rest);
};

function runBatch(ctx: CommandContext, g: Global, file: string): CommandResult {
  if (file !== '-') return fail(`Cannot open file "${file}" for reading: No such file or directory`, 255);
  const lines = (ctx.stdin ?? '').split('\n');
  let stdout = '';
  let stderr = '';
  let code = 0;
  for (let n = 0; n < lines.length; n++) {
    const words = splitBatchLine(lines[n]!);
    if (words.length === 0) continue;
    const r = runOne(ctx, g, words);
    stdout += r.stdout;
    stderr += r.stderr;
    if (r.code !== 0) {
      stderr += `Command failed -:${n + 1}\n`;
      code = 1;
      if (!g.force) break;
    }
  }
  return { code, stdout, stderr };
}

function runOne(ctx: CommandContext, g: Global, words: string[]): CommandResult {
  const obj = words[0]!;
  const name = OBJECTS.find((o) => matches(obj, o));
  if (!name) return fail(`Object "${obj}" is unknown, try "ip help".`, 1);
  const ns = ctx.world.namespaces[ctx.ns];
  if (!ns) return fail(`Cannot open network namespace: No such file or directory`, 255);
  const env: IpEnv = { ctx, world: ctx.world, ns, o: g, out: [], err: [] };
  const a = new Args(words.slice(1));
  try {
    switch (name) {
      case 'address':
        addrCmd(env, a);
        break;
      case 'route':
        routeCmd(env, a);
        break;
      case 'neighbor':
      case 'neighbour':
        neighCmd(env, a);
        break;
      case 'link':
        linkCmd(env, a);
        break;
      case 'netns':
        return netnsCmd(env, a);
      case 'tunnel':
      case 'tunl':
        tunnelCmd(env, a);
        break;
      case 'help':
        return fail(USAGE, 255);
      default:
        return fail(`ip ${name}: not modelled by the simulated kernel`, 255);
    }
  } catch (e) {
    if (e instanceof OpError) return { code: e.code, stdout: env.out.join(''), stderr: env.err.join('') + (e.message.endsWith('\n') ? e.message : `${e.message}\n`) };
    throw e;
  }
  return { code: 0, stdout: env.out.join(''), stderr: env.err.join('') };
}

// ------------------------------------------------------------------ netns

const NETNS_USAGE = `Usage:	ip netns list
	ip netns add NAME
	ip netns attach NAME PID
	ip netns set NAME NETNSID
	ip [-all] netns delete [NAME]
	ip netns identify [PID]
	ip netns pids NAME
	ip [-all] netns exec [NAME] cmd ...
	ip netns monitor
	ip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT`;

/** Namespace key for a name made on a node: distinct per node, as each node has its own /run/netns. */
export const netnsKey = (name: string, node?: string) => (node ? `${node}/netns/${name}` : name);

function netnsCmd(env: IpEnv, a: Args): CommandResult {
  const { world, ctx } = env;
  const sub = a.next();
  if (sub === undefined || matches(sub, 'list') || sub === 'show' || sub === 'lst') {
    const cur = env.ns;
    const names = namedNetnsOf(world, ctx.node);
    if (env.o.json) {
      return ok(JSON.stringify(names.map((n) => ({ name: n.name, ...(cur.netnsids?.[n.id] !== undefined ? { id: cur.netnsids[n.id] } : {}) }))) + '\n');
    }
    return ok(names.map((n) => `${n.name}${cur.netnsids?.[n.id] !== undefined ? ` (id: ${cur.netnsids[n.id]})` : ''}\n`).join(''));
  }
  if (matches(sub, 'add')) {
    const name = a.next();
    if (!name) return fail(NETNS_USAGE, 255);
    const taken = resolveNetns(world, name, ctx.node);
    if (taken && (taken.owner === ctx.node || !ctx.node)) return fail(`Cannot create namespace file "/run/netns/${name}": File exists`, 1);
    if (name.includes('/')) return fail(`Invalid netns name "${name}"`, 255);
    addNetns(world, netnsKey(name, ctx.node), { name, ...(ctx.node ? { owner: ctx.node } : {}) });
    return ok();
  }
  if (matches(sub, 'delete')) {
    const name = a.next();
    if (!name) return fail(NETNS_USAGE, 255);
    const target = namedNetnsOf(world, ctx.node).find((n) => n.name === name) ?? (ctx.node ? undefined : resolveNetns(world, name));
    if (!target) return fail(`Cannot remove namespace file "/run/netns/${name}": No such file or directory`, 1);
    deleteNetns(world, target.id);
    for (const n of Object.values(world.namespaces)) if (n.netnsids) delete n.netnsids[target.id];
    return ok();
  }
  if (matches(sub, 'exec')) {
    const name = a.next();
    if (!name) return fail('No netns name specified', 255);
    const target = resolveNetns(world, name, ctx.node);
    if (!target) return fail(`Cannot open network namespace "${name}": No such file or directory`, 255);
    const argv = a.a.slice(a.i);
    if (argv.length === 0) return fail('No command specified', 255);
    return { code: 0, stdout: '', stderr: '', spawn: { argv, ns: target.id } };
  }
  if (matches(sub, 'pids')) {
    const name = a.next() ?? '';
    if (!resolveNetns(world, name, ctx.node)) return fail(`Cannot open network namespace "${name}": No such file or directory`, 1);
    return ok();
  }
  if (matches(sub, 'identify')) {
    const cur = env.ns;
    return ok(cur.name ? `${cur.name}\n` : '');
  }
  if (matches(sub, 'help')) return fail(NETNS_USAGE, 255);
  return fail(`Command "${sub}" is unknown, try "ip netns help".`, 255);
}

// ------------------------------------------------------------------ tunnel

function tunnelCmd(env: IpEnv, a: Args) {
  const sub = a.next();
  if (sub === undefined || matches(sub, 'show') || matches(sub, 'list')) {
    for (const l of env.ns.links) {
      if (l.kind !== 'ipip') continue;
      env.out.push(`${l.name}: ip/ip remote ${l.ipip?.remote ?? 'any'} local ${l.ipip?.local ?? 'any'} ttl inherit ${l.ipip?.pmtudisc ? '' : 'nopmtudisc'}\n`);
    }
    return;
  }
  throw new OpError(`Command "${sub}" is unknown, try "ip tunnel help".`, 255);
}

export { linkByName };
