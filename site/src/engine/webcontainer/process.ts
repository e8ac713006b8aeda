// Running the kit's commands in a WebContainer: a process's output as text or as JSON lines. A
// container process has one output stream (stdout and stderr together, through a terminal), so
// JSON is read from the lines that are JSON.
import type { WebContainer, WebContainerProcess } from '@webcontainer/api';

export async function spawnArgv(wc: WebContainer, argv: readonly string[], env: Record<string, string>): Promise<WebContainerProcess> {
  return wc.spawn(argv[0]!, argv.slice(1), { env });
}

/** Runs argv to its end: exit code and all it printed (terminal line ends made plain). */
export async function runToEnd(wc: WebContainer, argv: readonly string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const p = await spawnArgv(wc, argv, env);
  let out = '';
  await Promise.all([p.output.pipeTo(new WritableStream({ write: (c) => void (out += c) })), p.exit]);
  return { code: await p.exit, out: out.replace(/\r\n/g, '\n') };
}

/** The JSON value a command printed (printJson: one pretty-printed value), around any other line. */
export function jsonIn<T>(out: string): T {
  const start = out.search(/^[{[]/m);
  const end = Math.max(out.lastIndexOf('}'), out.lastIndexOf(']'));
  if (start < 0 || end < start) throw new Error(`no JSON in the command's output:\n${out.slice(0, 400)}`);
  return JSON.parse(out.slice(start, end + 1)) as T;
}

/** Calls onLine with each complete line of a process's output as it comes. */
export function eachLine(p: WebContainerProcess, onLine: (line: string) => void): Promise<void> {
  let rest = '';
  return p.output.pipeTo(
    new WritableStream({
      write(chunk) {
        const lines = (rest + chunk).split(/\r?\n/);
        rest = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      },
      close() {
        if (rest) onLine(rest);
      },
    }),
  );
}
