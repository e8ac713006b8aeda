// The shells a lab text's commands are typed in: one long-lived shell per place, as a student has
// them (the workstation's terminal, `cnilab shell node1`), so a function pasted on node1, a `cd` or
// an `export` holds for the text's next command there. Each command's stdin is /dev/null: it must
// not read the protocol that drives the shell.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Place } from '../../src/labs/textRunner.ts';

interface Shell {
  child: ChildProcessWithoutNullStreams;
  buffer: string;
  waiting?: () => void;
}

export class TextShells {
  private shells = new Map<string, Shell>();
  private n = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly cwd: string,
    /** How long one command may take before its shell is closed. */
    private readonly timeoutMs = 120_000,
  ) {}

  /** A node's shell is `cnilab exec <node> -- bash`: the node's network, its files, its home. */
  private open(place: Place): Shell {
    const key = place.kind === 'node' ? place.node : '$';
    let sh = this.shells.get(key);
    if (sh && sh.child.exitCode === null) return sh;
    const argv = place.kind === 'workstation' ? ['bash', '--noprofile', '--norc'] : ['cnilab', 'exec', place.node, '--', 'bash', '--noprofile', '--norc'];
    const child = spawn(argv[0]!, argv.slice(1), { cwd: this.cwd, env: { ...process.env, ...this.env }, stdio: 'pipe' });
    const shell: Shell = { child, buffer: '' };
    const take = (d: Buffer) => {
      shell.buffer += d.toString();
      shell.waiting?.();
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', () => shell.waiting?.());
    if (place.kind === 'node') child.stdin.write('cd ~\n');
    this.shells.set(key, shell);
    return (sh = shell);
  }

  /** Types `command` in the place's shell; its output (stdout and stderr, as a terminal) and exit code. */
  async run(place: Place, command: string, timeoutMs = this.timeoutMs): Promise<{ code: number; output: string }> {
    const sh = this.open(place);
    const mark = `__lab_text_done_${++this.n}__`;
    sh.buffer = '';
    // A command that ends the shell (`exit`) ends the student's `cnilab shell`: the next opens another.
    // The command's status is given back to the shell, so the text's next `echo $?` reads it.
    sh.child.stdin.write(`{\n${command}\n} < /dev/null 2>&1; __lab_text_status=$?; echo; echo "${mark}$__lab_text_status"; (exit $__lab_text_status)\n`);
    const done = new RegExp(`\\n?${mark}(\\d+)\\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = done.exec(sh.buffer);
      if (m) return { code: Number(m[1]), output: sh.buffer.slice(0, m.index) };
      if (sh.child.exitCode !== null || sh.child.signalCode !== null) return { code: sh.child.exitCode ?? 128, output: sh.buffer };
      if (Date.now() > deadline) {
        this.close(place);
        return { code: 124, output: `${sh.buffer}\n(no end after ${timeoutMs / 1000} s: the shell was closed)` };
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        sh.waiting = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private close(place: Place) {
    const key = place.kind === 'node' ? place.node : '$';
    const sh = this.shells.get(key);
    if (sh?.child.pid && sh.child.exitCode === null) {
      try {
        process.kill(sh.child.pid);
      } catch {
        // gone already
      }
    }
    this.shells.delete(key);
  }

  /** Ends every shell this object started (by its PID). */
  async closeAll(): Promise<void> {
    const open = [...this.shells.values()];
    for (const sh of open) {
      if (sh.child.exitCode !== null) continue;
      sh.child.stdin.end('exit\n');
    }
    await Promise.all(open.map((sh) => (sh.child.exitCode !== null ? undefined : new Promise((r) => (sh.child.once('close', r), setTimeout(() => (sh.child.pid && sh.child.exitCode === null ? process.kill(sh.child.pid) : undefined, r(undefined)), 5000))))));
    this.shells.clear();
  }
}
