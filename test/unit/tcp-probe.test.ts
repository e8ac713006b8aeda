// The TCP probes of lab 11's checks: what the client says for each way a connection can end (run
// for real, against servers on loopback), and how the checks' listeners are shared or take turns.
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import type { NodeDriver, TcpProbes } from '../../src/cluster/driver.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { clientVerdict, DROPPED_WAIT_MS, letIn, tcpProbe, withListener } from '../../src/validators/tcpProbe.ts';

/** A driver whose pods are this machine: execPod runs argv here (the probe's client is bash's /dev/tcp under `timeout`). */
const local = { execPod: (_node: string, _pod: string, argv: readonly string[]) => execCommand(argv) } as unknown as NodeDriver;

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
async function serve(onConnection: (c: net.Socket) => void): Promise<number> {
  const s = net.createServer(onConnection);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as net.AddressInfo).port;
}

describe('the probe client', () => {
  it('"ok" when the connection is answered', async () => {
    const port = await serve((c) => c.end('ok\n'));
    expect(await tcpProbe(local, 'n', 'p', '127.0.0.1', port)).toBe('ok');
  });

  it('"connected", not "timeout", when the connection is let in but nothing answers before the wait ends', async () => {
    const held: net.Socket[] = [];
    const port = await serve((c) => held.push(c));
    const got = await tcpProbe(local, 'n', 'p', '127.0.0.1', port, DROPPED_WAIT_MS);
    held.forEach((c) => c.destroy());
    expect(got).toBe('connected');
    expect(letIn(got)).toBe(true);
  });

  it('the error code when nothing listens: refused, which is not a connection let in', async () => {
    const port = await serve(() => {});
    await new Promise((r) => servers.pop()!.close(r));
    const got = await tcpProbe(local, 'n', 'p', '127.0.0.1', port, DROPPED_WAIT_MS);
    expect(got).toBe('ECONNREFUSED');
    expect(letIn(got)).toBe(false);
  });

  it('an answer without a newline, cut by the end of the connection, is still the answer', async () => {
    const port = await serve((c) => c.end('ok'));
    expect(await tcpProbe(local, 'n', 'p', '127.0.0.1', port)).toBe('ok');
  });

  it('a connection closed without a word is "connected" at once, not after the wait', async () => {
    const port = await serve((c) => c.end());
    const t0 = performance.now();
    expect(await tcpProbe(local, 'n', 'p', '127.0.0.1', port)).toBe('connected');
    expect(performance.now() - t0).toBeLessThan(4000);
  });

  it('reads bash\'s words for a failed connect as the errno names, and a connect cut off by the wait as "timeout"', () => {
    const bash = (reason: string) => ({ code: 3, stdout: `probe: connect: ${reason}\nprobe: line 1: /dev/tcp/10.244.1.9/6379: ${reason}\n`, stderr: '' });
    expect(clientVerdict(bash('No route to host'))).toBe('EHOSTUNREACH');
    expect(clientVerdict(bash('Network is unreachable'))).toBe('ENETUNREACH');
    expect(clientVerdict(bash('Something new'))).toBe('Something new');
    expect(clientVerdict({ code: 124, stdout: '', stderr: '' })).toBe('timeout');
    expect(clientVerdict({ code: 124, stdout: 'connected\n', stderr: '' })).toBe('connected');
    expect(clientVerdict({ code: 127, stdout: '', stderr: 'timeout: failed to run command bash' })).toBe('timeout: failed to run command bash');
  });
});

describe('withListener', () => {
  /** A modelled driver that records each listener's life. */
  function recording() {
    const log: string[] = [];
    const tcp: TcpProbes = {
      async listen(node, pod, ports) {
        log.push(`start ${node}/${pod} ${ports.join(',')}`);
        await new Promise((r) => setTimeout(r, 20));
        return { stop: async () => void log.push(`stop ${node}/${pod} ${ports.join(',')}`) };
      },
      connect: async () => 'ok',
    };
    return { log, driver: { tcp } as unknown as NodeDriver };
  }
  const busy = (ms: number, log: string[], what: string) => async () => {
    log.push(`use ${what}`);
    await new Promise((r) => setTimeout(r, ms));
  };

  it('checks that need ports a running listener has share it; the last one ends it', async () => {
    const { log, driver } = recording();
    await Promise.all([
      withListener(driver, 'node1', 'db', [6379, 80], busy(30, log, 'a')),
      withListener(driver, 'node1', 'db', [6379, 80], busy(60, log, 'b')),
      withListener(driver, 'node1', 'db', [6379], busy(10, log, 'c')),
    ]);
    expect(log).toEqual(['start node1/db 6379,80', 'use a', 'use b', 'use c', 'stop node1/db 6379,80']);
  });

  it('a check that needs another port waits for the running listener to end, then starts its own', async () => {
    const { log, driver } = recording();
    await Promise.all([withListener(driver, 'node1', 'db', [6379], busy(30, log, 'a')), withListener(driver, 'node1', 'db', [80], busy(10, log, 'b'))]);
    expect(log).toEqual(['start node1/db 6379', 'use a', 'stop node1/db 6379', 'start node1/db 80', 'use b', 'stop node1/db 80']);
  });

  it('pods of their own, or clusters of their own, never share', async () => {
    const one = recording();
    const two = recording();
    await Promise.all([
      withListener(one.driver, 'node1', 'db', [80], busy(20, one.log, 'db')),
      withListener(one.driver, 'node1', 'web', [80], busy(20, one.log, 'web')),
      withListener(two.driver, 'node1', 'db', [80], busy(20, two.log, 'other cluster')),
    ]);
    expect(one.log.filter((l) => l.startsWith('start'))).toEqual(['start node1/db 80', 'start node1/web 80']);
    expect(two.log).toEqual(['start node1/db 80', 'use other cluster', 'stop node1/db 80']);
  });

  it('a listener that cannot start fails every check that waits on it, and the next one starts afresh', async () => {
    const { log, driver } = recording();
    const tcp = (driver as unknown as { tcp: TcpProbes }).tcp;
    const listen = tcp.listen;
    tcp.listen = async () => {
      throw new Error('no such pod');
    };
    const both = await Promise.allSettled([withListener(driver, 'node1', 'db', [80], busy(1, log, 'a')), withListener(driver, 'node1', 'db', [80], busy(1, log, 'b'))]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    tcp.listen = listen;
    await withListener(driver, 'node1', 'db', [80], busy(1, log, 'c'));
    expect(log).toEqual(['start node1/db 80', 'use c', 'stop node1/db 80']);
  });
});
