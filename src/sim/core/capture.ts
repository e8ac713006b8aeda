// tcpdump's kernel side on the simulated kernel: a capture is opened on an interface of a
// namespace with a filter; the packet walk appends a line to it for every matching packet that
// crosses the interface (rx and tx); the Node layer polls takeLines while its process runs.
import { linkByName, type World } from './model.ts';
import { compileFilter, FilterError } from './packet/filter.ts';

export interface CaptureArgs {
  iface: string;
  filter: string;
  flags: string[];
  count?: number;
}

const USAGE =
  "Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]\n\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]\n\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]\n\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]\n\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]\n\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]\n\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]\n\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]";

/** Options that take a value (getopt: the rest of the word, or the next word) and flags without one. */
const WITH_VALUE = 'ciswWCGByZFjTEMQrVz';
const FLAGS = 'AbdDefhHIJKlLnNOpqStuUvxX#';
const UNSUPPORTED = 'wFrV';

/** tcpdump's command line, as getopt reads it (`-eni eth1`, `-c2`, `-i eth1`…): the options that matter here, the rest of the words are the filter. */
export function parseCaptureArgs(args: string[]): CaptureArgs | { error: string } {
  let iface = 'any';
  const flags: string[] = [];
  const words: string[] = [];
  let count: number | undefined;
  let countText = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      words.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      words.push(a);
      continue;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (name === '--interface') iface = inline ?? args[++i] ?? '';
      else if (name === '--count') {
        countText = inline ?? args[++i] ?? '';
        count = Number(countText);
      } else if (!['--immediate-mode', '--number', '--print', '--micro', '--nano'].includes(name)) return { error: `tcpdump: unrecognized option '${a}'\n${USAGE}` };
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      if (WITH_VALUE.includes(f)) {
        const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        if (v === undefined) return { error: `tcpdump: option requires an argument -- '${f}'\n${USAGE}` };
        if (UNSUPPORTED.includes(f)) return { error: `tcpdump: -${f} is not supported by the simulated kernel` };
        if (f === 'i') iface = v;
        else if (f === 'c') {
          countText = v;
          count = Number(v);
        }
        break;
      }
      if (!FLAGS.includes(f)) return { error: `tcpdump: invalid option -- '${f}'\n${USAGE}` };
      if (f === 'v' && !flags.includes('-v')) flags.push('-v');
      if (f === 'e' && !flags.includes('-e')) flags.push('-e');
    }
  }
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) return { error: `tcpdump: invalid packet count ${countText}` };
  const out: CaptureArgs = { iface, filter: words.join(' '), flags };
  if (count !== undefined) out.count = count;
  return out;
}

export function openCapture(world: World, nsId: string, args: string[], pid?: number): { id: string } | { error: string } {
  const ns = world.namespaces[nsId];
  if (!ns) return { error: `tcpdump: the simulated namespace "${nsId}" does not exist` };
  const p = parseCaptureArgs(args);
  if ('error' in p) return p;
  if (p.iface !== 'any') {
    const l = linkByName(ns, p.iface);
    if (!l) return { error: `tcpdump: ${p.iface}: No such device exists\n(SIOCGIFHWADDR: No such device)` };
    if (!l.up) return { error: `tcpdump: ${p.iface}: That device is not up` };
  }
  try {
    compileFilter(p.filter);
  } catch (e) {
    if (e instanceof FilterError) return { error: `tcpdump: can't parse filter expression: ${e.message.replace(' in filter expression', '')}` };
    throw e;
  }
  const n = world.captures.reduce((m, c) => Math.max(m, Number(c.id.replace(/\D/g, '')) || 0), 0) + 1;
  const id = `cap${n}`;
  world.captures.push({ id, ns: nsId, ifname: p.iface, filter: p.filter, flags: p.flags, lines: [], ...(pid === undefined ? {} : { pid }) });
  return { id };
}

/** The lines captured since the last call (one entry per packet; a packet may span lines). */
export function takeLines(world: World, id: string): string[] {
  const c = world.captures.find((x) => x.id === id);
  if (!c) return [];
  const lines = c.lines;
  c.lines = [];
  return lines;
}

export function closeCapture(world: World, id: string) {
  world.captures = world.captures.filter((c) => c.id !== id);
}
