// Raw HTTP over a socket to 127.0.0.1: for requests no HTTP client would send (unparseable
// paths, foreign Host headers, fuzzed request lines). Bounded in time, always closed.
import * as fs from 'node:fs';
import * as net from 'node:net';

/** Sends `request` as it is and gives back what came before the server closed (or `ms` passed). */
export function rawRequest(port: number, request: string | Buffer, ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let got = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (b) => {
      got += b.toString('latin1');
      // One response is enough: a keep-alive connection would otherwise wait for the timer.
      const head = got.indexOf('\r\n\r\n');
      if (head >= 0) {
        const len = /\r\ncontent-length: *(\d+)/i.exec(got.slice(0, head));
        if (len && got.length >= head + 4 + Number(len[1])) done();
      }
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(request);
  });
}

/** The status code of a raw response ("HTTP/1.1 400 …" → 400), or 0 when none came. */
export const statusOf = (response: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);

/** Every process below `pid` (children, theirs…), from /proc. */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp] of parent) {
      if (!found.has(p) && found.has(pp)) {
        found.add(p);
        grew = true;
      }
    }
  }
  found.delete(pid);
  return [...found];
}

/** Processes whose session is `sid` (a shell's jobs live in the shell's session). */
export function sessionMembers(sid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) === sid) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A small seeded PRNG (mulberry32): the same cases on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
