// tcpdump on the simulated kernel: opens a capture on an interface, then prints what the packet
// walk of other processes (ping, the plugin's probes) records there, until -c packets or a signal.
import { closeCapture, openCapture, parseCaptureArgs, takeLines } from '../core/capture.ts';
import { updateWorld, withWorld } from './store.ts';

const POLL_MS = 40;

const stamp = (d = new Date()) => `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds() * 1000).padStart(6, '0')}`;

export async function runTcpdump(file: string, ns: string, args: string[]): Promise<number> {
  const parsed = parseCaptureArgs(args);
  const count = 'error' in parsed ? undefined : parsed.count;
  const opened = await updateWorld(file, (w) => openCapture(w, ns, args, process.pid));
  if ('error' in opened) {
    process.stderr.write(`${opened.error.replace(/\n?$/, '\n')}`);
    return 1;
  }
  const iface = 'error' in parsed ? 'any' : parsed.iface;
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
    // Read-mostly: the lock is taken only when there are lines to take.
    const lines = await withWorld(file, (w) => takeLines(w, opened.id));
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
