// The page terminal's line discipline with a fake terminal: what a student types is what runs
// (editing keys, history, Tab, pasted lines), Ctrl-C stops a command, and the prompt shows the node
// and directory. Then the same discipline on a real simulated machine's session: cwd, variables
// and functions carry from one line to the next.
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/cluster/topology.ts';
import { SimMachine } from '../../src/sim/machine/machine.ts';
import { ShellSession } from '../../src/sim/machine/session.ts';
import { LineShell, type LineBackend } from '../../site/src/terminal/lineShell.ts';

/** What a terminal of `cols` columns shows after `out` (the few controls the line discipline writes). */
function screen(out: string, cols = 80): string {
  const rows: string[][] = [[]];
  let r = 0;
  let c = 0;
  let wrapPending = false;
  const row = () => (rows[r] ??= []);
  for (let i = 0; i < out.length; i++) {
    const ch = out[i]!;
    if (ch === '\x1b') {
      const m = /^\x1b\[([0-9;]*)([A-Za-z])/.exec(out.slice(i));
      if (!m) continue;
      i += m[0].length - 1;
      const n = Number(m[1] || '1');
      wrapPending = false;
      if (m[2] === 'A') r = Math.max(0, r - n);
      else if (m[2] === 'C') c = Math.min(cols - 1, c + n);
      else if (m[2] === 'J' && m[1] === '2') rows.splice(0, rows.length, []), (r = 0), (c = 0);
      else if (m[2] === 'J') (row().length = Math.min(row().length, c)), rows.splice(r + 1);
      else if (m[2] === 'K') row().length = Math.min(row().length, c);
      else if (m[2] === 'H') (r = 0), (c = 0);
      continue;
    }
    if (ch === '\r') {
      c = 0;
      wrapPending = false;
    } else if (ch === '\n') {
      r++;
      wrapPending = false;
      row();
    } else {
      if (wrapPending) {
        r++;
        c = 0;
        wrapPending = false;
      }
      const line = row();
      while (line.length < c) line.push(' ');
      line[c] = ch;
      if (c === cols - 1) wrapPending = true;
      else c++;
    }
  }
  return rows.map((x) => (x ?? []).join('')).join('\n');
}
const plain = (s: string) => screen(s);

class FakeTerminal {
  out = '';
  write(s: string) {
    this.out += s;
  }
}

function fakeBackend(over: Partial<LineBackend> = {}) {
  const ran: string[] = [];
  const backend: LineBackend = {
    node: 'node1',
    displayCwd: '~',
    async run(line, io) {
      ran.push(line);
      io.onStdout(`ran ${line}\n`);
      return 0;
    },
    commandNames: () => ['ip', 'ifconfig', 'ping', 'printf', 'bridge'],
    listDir: async (dir) => (dir === '/etc/cni/' ? ['net.d/', 'ipam.config', 'simplecni-cluster.json'] : dir === '.' ? ['notes.txt'] : []),
    ...over,
  };
  return { backend, ran };
}

const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';
const UP = '\x1b[A';
const DOWN = '\x1b[B';

describe('line discipline', () => {
  it('shows the prompt with node and directory, runs a line and prompts again', async () => {
    const t = new FakeTerminal();
    const { backend, ran } = fakeBackend();
    const sh = new LineShell(t, backend);
    sh.start('Simulated node node1.');
    await sh.input('ip -br addr\r');
    expect(ran).toEqual(['ip -br addr']);
    expect(plain(t.out)).toMatch(/^Simulated node node1\.\nroot@node1:~# (.|\n)*ran ip -br addr\nroot@node1:~# $/);
    expect(t.out).toContain('ran ip -br addr\r\n'); // \n becomes \r\n for the terminal
  });

  it('edits the line: arrows, Home/End, Backspace, Delete, Ctrl-A/E/U/W/K', async () => {
    const { backend, ran } = fakeBackend();
    const sh = new LineShell(new FakeTerminal(), backend);
    await sh.input(`ip lnk${LEFT}${LEFT}i${RIGHT}${RIGHT} show\r`); // insert in the middle
    await sh.input(`ip link show\x01sudo \x05 up\r`); // Ctrl-A, Ctrl-E
    await sh.input(`hello world\x17there\r`); // Ctrl-W deletes the word before the cursor
    await sh.input(`garbage\x15ping x\r`); // Ctrl-U kills to the start
    await sh.input(`abcdef\x1b[H\x1b[3~\x1b[F\x7f\r`); // Home, Delete, End, Backspace
    await sh.input(`keep this tail\x1b[D\x1b[D\x1b[D\x1b[D\x0b\r`); // Ctrl-K kills to the end
    expect(ran).toEqual(['ip link show', 'sudo ip link show up', 'hello there', 'ping x', 'bcde', 'keep this ']);
  });

  it('history: up and down walk it, the draft comes back, repeats are stored once', async () => {
    const { backend, ran } = fakeBackend();
    const sh = new LineShell(new FakeTerminal(), backend, { history: ['echo old'] });
    await sh.input('echo a\r');
    await sh.input('echo a\r');
    await sh.input('echo b\r');
    expect(sh.history).toEqual(['echo old', 'echo a', 'echo b']);
    await sh.input(`draft${UP}${UP}${UP}\r`);
    await sh.input(`draft${UP}${DOWN}\r`);
    await sh.input(`${UP}${UP}${DOWN}\r`);
    expect(ran.slice(3)).toEqual(['echo old', 'draft', 'draft']); // the lines run went into the history too
  });

  it('Tab completes command names in command position and paths elsewhere; ambiguity lists', async () => {
    const t = new FakeTerminal();
    const { backend, ran } = fakeBackend();
    const sh = new LineShell(t, backend);
    await sh.input('bri\t\r');
    await sh.input('cat /etc/cni/ip\t\r');
    await sh.input('ls /etc/cni/n\t\r');
    await sh.input('cat no\t\r');
    expect(ran).toEqual(['bridge ', 'cat /etc/cni/ipam.config ', 'ls /etc/cni/net.d/', 'cat notes.txt ']);
    t.out = '';
    await sh.input('i\t');
    expect(plain(t.out)).toMatch(/\nip +ifconfig +\nroot@node1:~# i$/);
    await sh.input('\x03');
    await sh.input('p\t\t');
    expect(plain(t.out)).toMatch(/ping +printf/);
  });

  it('pasted lines run in order, each after the one before ends', async () => {
    const order: string[] = [];
    const { backend } = fakeBackend({
      async run(line, io) {
        order.push(`start ${line}`);
        await new Promise((r) => setTimeout(r, line === 'one' ? 30 : 1));
        io.onStdout(`${line}\n`);
        order.push(`end ${line}`);
        return 0;
      },
    });
    const t = new FakeTerminal();
    const sh = new LineShell(t, backend);
    await sh.input('one\ntwo\r\nthree\r');
    expect(order).toEqual(['start one', 'end one', 'start two', 'end two', 'start three', 'end three']);
    expect(plain(t.out).match(/root@node1:~# /g)).toHaveLength(4);
  });

  it('Ctrl-C stops a running command (its signal aborts, ^C shows) or clears the line when idle', async () => {
    let aborted = false;
    const { backend, ran } = fakeBackend({
      run(line, io) {
        ran.push(line);
        io.onStdout('PING 10.0.0.1\n64 bytes');
        return new Promise((resolve) =>
          io.signal.addEventListener('abort', () => {
            aborted = true;
            resolve(130);
          }),
        );
      },
    });
    const t = new FakeTerminal();
    const sh = new LineShell(t, backend);
    const running = sh.input('ping 10.0.0.1\r');
    await new Promise((r) => setTimeout(r, 10));
    expect(sh.running).toBe(true);
    await sh.input('typed ahead');
    await sh.input('\x03');
    await running;
    expect(aborted).toBe(true);
    expect(sh.running).toBe(false);
    expect(plain(t.out)).toMatch(/64 bytes\^C\nroot@node1:~# $/);
    t.out = '';
    await sh.input('half a line\x03');
    expect(plain(t.out)).toMatch(/half a line\^C\nroot@node1:~# $/);
    expect(ran).toEqual(['ping 10.0.0.1']);
  });

  it('Ctrl-L clears the screen and keeps the line; a long line wraps and still edits', async () => {
    const t = new FakeTerminal();
    const { backend, ran } = fakeBackend();
    const sh = new LineShell(t, backend, { cols: 20 });
    await sh.input('echo 12345678901234567890');
    t.out = '';
    await sh.input('\x0c');
    expect(t.out).toContain('\x1b[2J');
    expect(plain(t.out)).toContain('echo 12345678901234567890');
    await sh.input(`\x01${RIGHT}${RIGHT}${RIGHT}${RIGHT}${RIGHT}X\r`);
    expect(ran).toEqual(['echo X12345678901234567890']);
  });
});

describe('line discipline on a simulated node', () => {
  it('cwd, variables, exports, functions and $? carry between lines; the prompt follows cd', async () => {
    const m = await SimMachine.create(loadTopology(), { timeScale: 0 });
    const session = new ShellSession(m, 'node1');
    const t = new FakeTerminal();
    const sh = new LineShell(t, session);
    sh.start();
    await sh.input('cd /etc/cni\r');
    await sh.input('BR=lab1br; export GW=172.16.1.1\r');
    await sh.input('mk() { ip link add "$1" type bridge; ip -br link show "$1"; }\r');
    await sh.input('false\r');
    await sh.input('echo "status=$?"\r');
    await sh.input('mk $BR; pwd; echo "$GW"; sh -c \'echo "child sees $GW"\'\r');
    await sh.input('unset -f mk; mk x 2>&1 | head -1\r');
    await sh.input('cat ipam.config | jq -r .Gateway\r');
    const screen = plain(t.out);
    expect(screen).toContain('root@node1:/etc/cni# ');
    expect(screen).toContain('status=1\n');
    expect(screen).toMatch(/lab1br +DOWN .*\n\/etc\/cni\n172\.16\.1\.1\nchild sees 172\.16\.1\.1\n/);
    expect(screen).toMatch(/mk: command not found/);
    expect(screen).toContain('10.244.1.1\n');
    expect(session.state.cwd).toBe('/etc/cni');
    // The state is plain data: a reloaded page carries on from it.
    const again = new ShellSession(m, 'node1', JSON.parse(JSON.stringify(session.state)));
    const out: string[] = [];
    await again.run('echo "$BR $GW $(pwd)"', { onStdout: (s) => out.push(s) });
    expect(out.join('')).toBe('lab1br 172.16.1.1 /etc/cni\n');
  });

  it('ping without -c streams one probe at a time until Ctrl-C, as ping does', async () => {
    const m = await SimMachine.create(loadTopology(), { timeScale: 0.05 });
    const t = new FakeTerminal();
    const sh = new LineShell(t, new ShellSession(m, 'node1'));
    const run = sh.input('ping 192.168.56.12\r');
    for (let i = 0; i < 200 && !/icmp_seq=3 /.test(t.out); i++) await new Promise((r) => setTimeout(r, 25));
    const partial = plain(t.out);
    expect(partial).toMatch(/icmp_seq=1 .*\n.*icmp_seq=2 .*\n.*icmp_seq=3 /);
    expect(partial).not.toMatch(/icmp_seq=40 /);
    expect(partial).not.toMatch(/statistics/);
    await sh.input('\x03');
    await run;
    expect(plain(t.out)).toMatch(/\^C\n--- 192\.168\.56\.12 ping statistics ---\n\d+ packets transmitted/);
    expect(plain(t.out)).toMatch(/root@node1:~# $/);
  });
});
