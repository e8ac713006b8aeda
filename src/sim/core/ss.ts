// `ss` on the simulated kernel: the sockets the model has. A namespace's kernel-owned VXLAN
// sockets (one UDP socket per destination port of an up vxlan device, bound to 0.0.0.0) and its
// listeners (`nc -l`, a probe's). The model keeps no connections, so what is listed is what
// listens: `ss -u` or `ss -t` without -l/-a shows the header alone, as a node with no
// connections does. Numbers only (as with -n): the model has no /etc/services.
import { fail, ok, currentNs, type Command } from './command.ts';
import type { SimNetns } from './model.ts';

interface Row {
  netid: 'tcp' | 'udp';
  state: 'LISTEN' | 'UNCONN';
  recvq: number;
  sendq: number;
  port: number;
}

const USAGE = 'Usage: ss [ -t | -u | -l | -a | -n | -H | -4 ]…  (the simulated kernel models these; its sockets are listening ones)';

/** The sockets of a namespace: VXLAN's kernel sockets first, then the listeners. */
function sockets(ns: SimNetns, now: number): Row[] {
  const rows: Row[] = [];
  for (const l of ns.links) {
    const port = l.kind === 'vxlan' && l.up ? l.vxlan?.port : undefined;
    if (port !== undefined && !rows.some((r) => r.port === port)) rows.push({ netid: 'udp', state: 'UNCONN', recvq: 0, sendq: 0, port });
  }
  for (const s of ns.sockets ?? []) {
    if (s.until !== undefined && s.until <= now) continue;
    // nc listens with a backlog of 1; other listeners with the kernel's default, SOMAXCONN.
    if (s.proto === 'tcp') rows.push({ netid: 'tcp', state: 'LISTEN', recvq: 0, sendq: s.owner.startsWith('nc:') ? 1 : 4096, port: s.port });
    else rows.push({ netid: 'udp', state: 'UNCONN', recvq: 0, sendq: 0, port: s.port });
  }
  // ss lists udp before tcp.
  return [...rows.filter((r) => r.netid === 'udp'), ...rows.filter((r) => r.netid === 'tcp')];
}

export const ss: Command = (ctx, args) => {
  const o = { tcp: false, udp: false, listening: false, all: false, header: true };
  for (const a of args) {
    const flags = /^-([a-zA-Z0-9]+)$/.exec(a)?.[1];
    const long = { '--tcp': 't', '--udp': 'u', '--listening': 'l', '--all': 'a', '--numeric': 'n', '--no-header': 'H', '--ipv4': '4' }[a];
    for (const f of long ?? flags ?? '?') {
      if (f === 't') o.tcp = true;
      else if (f === 'u') o.udp = true;
      else if (f === 'l') o.listening = true;
      else if (f === 'a') o.all = true;
      else if (f === 'H') o.header = false;
      else if (f === 'n' || f === '4') continue;
      else return fail(`ss: ${a}: not modelled by the simulated kernel\n${USAGE}`, 1);
    }
  }
  if (!o.tcp && !o.udp) o.tcp = o.udp = true;
  const rows = o.listening || o.all ? sockets(currentNs(ctx), Date.now()).filter((r) => (r.netid === 'tcp' ? o.tcp : o.udp)) : [];
  // Columns as iproute2 lays them out: Netid only when more than one kind is asked for; the
  // address columns right-aligned up to the colon, the ports left-aligned after it.
  const netid = o.tcp && o.udp;
  const stateW = Math.max(5, ...rows.map((r) => r.state.length));
  const line = (c: { netid: string; state: string; recvq: string; sendq: string; local: [string, string]; peer: [string, string]; process: string }) =>
    `${netid ? `${c.netid.padEnd(5)} ` : ''}${c.state.padEnd(stateW)} ${c.recvq.padEnd(6)} ${c.sendq.padEnd(6)} ${c.local[0].padStart(13)}:${c.local[1].padEnd(4)} ${c.peer[0].padStart(12)}:${c.peer[1].padEnd(4)}${c.process.padEnd(7)}`;
  let out = o.header ? `${line({ netid: 'Netid', state: 'State', recvq: 'Recv-Q', sendq: 'Send-Q', local: ['Local Address', 'Port'], peer: ['Peer Address', 'Port'], process: 'Process' }).trimEnd()}\n` : '';
  for (const r of rows) out += `${line({ netid: r.netid, state: r.state, recvq: `${r.recvq}`, sendq: `${r.sendq}`, local: ['0.0.0.0', `${r.port}`], peer: ['0.0.0.0', '*'], process: '' })}\n`;
  return ok(out);
};
