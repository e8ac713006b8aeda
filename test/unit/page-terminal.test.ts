// The tab's node terminal before its node is there: the greeting and the prompt show at once (the
// shell library and the kernel model load after the page), keys are taken, and a line typed
// meanwhile runs once the shell comes — in the shell's directory, kept in the node's history.
import { describe, expect, it } from 'vitest';
import { PageTerminal, type NodeShell, type TerminalNode } from '../../site/src/engine/page/terminal.ts';
import type { ConnState } from '../../site/src/engine/types.ts';

/** A shell that answers `echo` and records what it ran. */
class EchoShell implements NodeShell {
  ran: string[] = [];
  constructor(private readonly dir = '/root') {}
  async run(line: string, write: (s: string) => void, signal: AbortSignal) {
    this.ran.push(line);
    if (signal.aborted) return 130;
    write(`${line.replace(/^echo /, '')}\n`);
    return 0;
  }
  commandNames() {
    return ['echo', 'ip'];
  }
  cwd() {
    return this.dir;
  }
}

function sink() {
  const out: string[] = [];
  const states: ConnState[] = [];
  return { out, states, text: () => out.join('').replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''), sink: { output: (d: string) => out.push(d), state: (s: ConnState) => states.push(s) } };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('a page terminal whose node comes later', () => {
  it('greets and prompts at once, in the saved directory; a line typed meanwhile runs when the shell comes', async () => {
    const s = sink();
    const node = deferred<TerminalNode>();
    const term = new PageTerminal('node1', node.promise, s.sink, 'hello from node1\n', { cwd: '/tmp', history: ['ip link'] });
    await settle();
    expect(s.states).toEqual([{ status: 'open' }]);
    expect(s.text()).toBe('hello from node1\r\nroot@node1:/tmp# ');

    term.input('\x1b[A'); // the saved history already answers ↑
    expect(s.text()).toContain('root@node1:/tmp# ip link');
    term.input('\x15echo hi\r');
    await settle();
    expect(s.text()).not.toContain('hi\r\nroot'); // nothing ran: there is no shell yet

    const shell = new EchoShell('/tmp');
    const history: string[] = [];
    let saved = 0;
    node.resolve({ shell, history, onHistory: () => saved++ });
    await settle();
    expect(shell.ran).toEqual(['echo hi']);
    expect(history).toEqual(['echo hi']);
    expect(saved).toBe(1);
    expect(s.text().endsWith('echo hi\r\nhi\r\nroot@node1:/tmp# ')).toBe(true);
  });

  it('redraws the prompt when the shell is somewhere else than saved (the directory is gone)', async () => {
    const s = sink();
    const node = deferred<TerminalNode>();
    new PageTerminal('node2', node.promise, s.sink, 'hi\n', { cwd: '/gone', history: [] });
    await settle();
    node.resolve({ shell: new EchoShell('/root'), history: [], onHistory: () => {} });
    await settle();
    expect(s.text().endsWith('root@node2:~# ')).toBe(true);
  });

  it('Ctrl-C while the shell loads: the line does not run', async () => {
    const s = sink();
    const node = deferred<TerminalNode>();
    const term = new PageTerminal('node1', node.promise, s.sink, 'hi\n');
    await settle();
    term.input('echo never\r');
    term.input('\x03');
    const shell = new EchoShell();
    node.resolve({ shell, history: [], onHistory: () => {} });
    await settle();
    expect(shell.ran).toEqual([]);
    expect(s.text().endsWith('^C\r\nroot@node1:~# ')).toBe(true);
  });

  it('says the cluster could not start when the node never comes', async () => {
    const s = sink();
    const node = deferred<TerminalNode>();
    new PageTerminal('node1', node.promise, s.sink, 'hi\n');
    node.reject(new Error('the kernel model failed to load'));
    await settle();
    expect(s.states.at(-1)).toEqual({ status: 'failed', message: 'the kernel model failed to load' });
  });
});
