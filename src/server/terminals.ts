// A terminal on a node in the browser: a PTY running the node's shell (the node driver decides
// what that is: `nsenter … bash` for netns, `vagrant ssh` for VMs), bridged to one WebSocket.
// The client picks a node from the topology by name; it never sends a command.
import type { IPty } from '@lydell/node-pty';
import type { WebSocket } from 'ws';
import type { NodeDriver } from '../cluster/driver.ts';
import { LIMITS, type TermClientMessage, type TermServerMessage } from './api.ts';

/** The PTY addon is native: loaded by the lab server once, not by every cnilab command. */
export async function loadPty(): Promise<Pick<typeof import('@lydell/node-pty'), 'spawn'>> {
  const mod = await import('@lydell/node-pty');
  // A CommonJS module: some loaders give its exports as named imports, others only as `default`.
  return typeof mod.spawn === 'function' ? mod : mod.default;
}

/**
 * Bridges one WebSocket to a shell on `node`. Synchronous on purpose: the socket's handlers must
 * be in place before its first message, or keys typed at once would be lost.
 */
export function attachTerminal(ws: WebSocket, pty: Awaited<ReturnType<typeof loadPty>>, driver: NodeDriver, node: string): void {
  // A protocol error (an oversized message) closes the socket with 1009; the 'close' handler ends the shell.
  ws.on('error', () => {});
  const send = (m: TermServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
  const [file, ...args] = driver.shellArgv(node);
  let term: IPty;
  try {
    term = pty.spawn(file!, args, {
      name: 'xterm-256color',
      cols: 100,
      rows: 30,
      cwd: process.cwd(),
      env: { ...process.env, TERM: 'xterm-256color' } as Record<string, string>,
    });
  } catch (err) {
    send({ type: 'error', message: `could not open a shell on ${node}: ${(err as Error).message}` });
    ws.close();
    return;
  }
  term.onData((data) => send({ type: 'output', data }));
  term.onExit(({ exitCode }) => {
    send({ type: 'exit', code: exitCode });
    ws.close(1000, 'the shell ended');
  });
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return;
    let m: TermClientMessage;
    try {
      m = JSON.parse(raw.toString()) as TermClientMessage;
    } catch {
      return; // not ours: ignore rather than crash the shell
    }
    if (m.type === 'input' && typeof m.data === 'string') term.write(m.data);
    else if (m.type === 'resize') {
      const cols = Math.max(2, Math.min(LIMITS.maxCols, Math.floor(Number(m.cols)) || 80));
      const rows = Math.max(2, Math.min(LIMITS.maxRows, Math.floor(Number(m.rows)) || 24));
      term.resize(cols, rows);
    }
  });
  // The shell lives exactly as long as the socket: closing the tab ends it (by its own PID).
  ws.on('close', () => {
    try {
      term.kill();
    } catch {
      // already gone
    }
  });
}
