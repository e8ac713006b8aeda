// tcpdump on the simulated kernel: opens a capture on an interface, then prints what the packet
// walk of other processes (ping, the plugin's probes) records there, until -c packets or a signal.
import { closeCapture, openCapture, takeLines } from '../core/capture.ts';
import { updateWorld } from './store.ts';

const POLL_MS = 40;

const stamp = (d = new Date()) => `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds() * 1000).padStart(6, '0')}`;

export async function runTcpdump(file: string, ns: string, args: string[]): Promise<number> {
  const count = countArg(args);
  const opened = await updateWorld(file, (w) => openCapture(w, ns, args, process.pid));
  if ('error' in opened) {
    process.stderr.write(`${opened.error.replace(/\n?$/, '\n')}`);
    return 1;
  }
  const iface = ifaceArg(args) ?? 'any';
  process.stderr.write(
    'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n' +
      `listening on ${iface}, link-type ${iface === 'any' ? 'LINUX_SLL2 (Linux cooked v2)' : 'EN10MB (Ethernet)'}, snapshot length 262144 bytes\n`,
  );
  let seen = 0;
  let stop = false;
  const finish = () => {
    stop = true;
  };
  process.on('SIGTERM', finish);
  process.on('SIGINT', finish);
  while (!stop && (count === undefined || seen < count)) {
    const lines = await updateWorld(file, (w) => takeLines(w, opened.id));
    // One entry per packet; an encapsulated one carries its inner packet on a second line.
    for (const entry of lines) {
      if (count !== undefined && seen >= count) break;
      seen++;
      process.stdout.write(`${/^\d\d:\d\d:\d\d/.test(entry) ? entry : `${stamp()} ${entry}`}\n`);
    }
    if (!stop && (count === undefined || seen < count)) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await updateWorld(file, (w) => closeCapture(w, opened.id));
  process.stderr.write(`\n${seen} packet${seen === 1 ? '' : 's'} captured\n${seen} packet${seen === 1 ? '' : 's'} received by filter\n0 packets dropped by kernel\n`);
  return 0;
}

function countArg(args: string[]): number | undefined {
  const i = args.indexOf('-c');
  if (i >= 0) return Number(args[i + 1]);
  const joined = args.find((a) => /^-c\d+$/.test(a));
  return joined ? Number(joined.slice(2)) : undefined;
}

function ifaceArg(args: string[]): string | undefined {
  const i = args.indexOf('-i');
  if (i >= 0) return args[i + 1];
  return args.find((a) => /^-i.+/.test(a))?.slice(2);
}
