// How the kit's own code reads and writes a node's files (the runtime's conf dir and cache, a
// check's scratch dir, the leases a check counts), by the node's own paths. Every node can do it
// with a few shell commands (ShellFileAccess); a driver whose node files sit on this machine, or
// in this page, reads them directly instead and starts no process for it.
import type { ExecOptions, ExecResult } from '../shared/execTypes.ts';
import { msg, TextError } from '../i18n/text.ts';

export interface NodeFile {
  name: string;
  text: string;
}

export interface NodeFileAccess {
  /** The names in a directory, in byte order (as `LC_ALL=C ls`); undefined when it does not exist. */
  list(node: string, dir: string): Promise<string[] | undefined>;
  /** A file's text; undefined when it does not exist. */
  read(node: string, file: string): Promise<string | undefined>;
  /** Every regular file directly in a directory with its text, in byte order of the names; undefined when the directory does not exist. */
  readAll(node: string, dir: string): Promise<NodeFile[] | undefined>;
  /** Writes a file whole (a temporary file renamed over it, so a reader never sees half), making its directory. */
  write(node: string, file: string, text: string): Promise<void>;
  /** Makes a new empty directory named `<prefix>XXXXXX` and returns its path. */
  makeTempDir(node: string, prefix: string): Promise<string>;
  /** Removes a file or a directory with everything in it; missing is fine. */
  remove(node: string, target: string): Promise<void>;
}

export class NodeFileError extends TextError {}

type Exec = (node: string, argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** Byte order, as `LC_ALL=C ls` sorts. */
export const byteOrder = (a: string, b: string) => {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

// readAll's framing: a line "<bytes> <name>" before each file's bytes, so any text survives.
// Names split on newlines only (a name may hold a space); no `ls | while read`, whose stdin a
// command inside the loop could take.
const READ_ALL =
  'cd "$0" 2>/dev/null || exit 3; export LC_ALL=C; IFS="\n"; for f in $(ls -1); do ' +
  '[ -f "$f" ] || continue; printf "%s %s\\n" "$(wc -c < "$f" | tr -d " ")" "$f"; cat "$f"; done';

/** Node files through the node's shell: works on every node (a VM over ssh, a netns, the page's machine). */
export class ShellFileAccess implements NodeFileAccess {
  constructor(private readonly _exec: Exec) {}

  async list(node: string, dir: string) {
    const r = await this._exec(node, ['sh', '-c', 'cd "$0" 2>/dev/null || exit 3; LC_ALL=C ls -1', dir]);
    if (r.code !== 0) return undefined;
    return r.stdout.split('\n').filter(Boolean);
  }

  async read(node: string, file: string) {
    const r = await this._exec(node, ['cat', file]);
    return r.code === 0 ? r.stdout : undefined;
  }

  async readAll(node: string, dir: string) {
    const r = await this._exec(node, ['sh', '-c', READ_ALL, dir]);
    if (r.code !== 0) return undefined;
    return parseFramed(r.stdout);
  }

  async write(node: string, file: string, text: string) {
    const r = await this._exec(node, ['sh', '-c', 'mkdir -p "$(dirname "$0")" && cat > "$0.tmp" && mv "$0.tmp" "$0"', file], { input: text });
    if (r.code !== 0) throw new NodeFileError(msg('err.nodeFile.write', { node, file, error: r.stderr.trim() || `exit ${r.code}` }));
  }

  async makeTempDir(node: string, prefix: string) {
    const r = await this._exec(node, ['mktemp', '-d', `${prefix}XXXXXX`]);
    const dir = r.stdout.trim();
    if (r.code !== 0 || !dir) throw new NodeFileError(msg('err.nodeFile.mkdir', { node, prefix, error: r.stderr.trim() || `exit ${r.code}` }));
    return dir;
  }

  async remove(node: string, target: string) {
    await this._exec(node, ['rm', '-rf', target]);
  }
}

/** READ_ALL's output → the files (lengths are bytes, so the text is cut as bytes). */
export function parseFramed(stdout: string): NodeFile[] {
  const bytes = new TextEncoder().encode(stdout);
  const dec = new TextDecoder();
  const out: NodeFile[] = [];
  let i = 0;
  while (i < bytes.length) {
    const nl = bytes.indexOf(10, i);
    if (nl < 0) break;
    const head = dec.decode(bytes.subarray(i, nl));
    const sp = head.indexOf(' ');
    const len = Number(head.slice(0, sp));
    if (sp < 0 || !Number.isInteger(len) || len < 0) break; // not our framing: stop rather than misread
    out.push({ name: head.slice(sp + 1), text: dec.decode(bytes.subarray(nl + 1, nl + 1 + len)) });
    i = nl + 1 + len;
  }
  return out;
}
