// Writing files on a node over ssh: one connection round per node, done by the node's own
// Node.js (the plugin needs it there anyway), each file replaced atomically and only when it
// changed, as writeIfChanged does on this machine.
import * as fs from 'node:fs';
import type { ExecResult } from '../../shared/exec.ts';
import { bundleShim, type Bundles } from '../nodeFiles.ts';
import { msg, TextError } from '../../i18n/text.ts';

/** Stands for the node's own Node.js in a shim: only the node knows where its `node` is. */
const NODE_JS = '@NODE@';

export interface RemoteWrite {
  path: string;
  content: string;
  mode?: number;
}

/** A plugin bundle and its shim (`<binDir>/<name>` → `exec <the node's node> <binDir>/<name>.cjs`). */
export interface RemoteBundle {
  binDir: string;
  name: string;
  /** The bundle's code. */
  code: string;
  /** The shim's text, with NODE_JS where the node's Node.js goes. */
  shim: string;
  /** Leave an installed one in place (the reference plugin never replaces a student's deployed build). */
  ifAbsent?: boolean;
}

/** A symbolic link `path` → `target`, made or pointed anew. A real file or folder at `path` is left alone. */
export interface RemoteLink {
  path: string;
  target: string;
}

export interface RemoteBatch {
  dirs?: string[];
  files?: RemoteWrite[];
  bundles?: RemoteBundle[];
  links?: RemoteLink[];
}

// Runs on the node: stdin is the batch as JSON; prints how many files changed.
const WRITER = `
const fs = require('fs'), path = require('path');
const b = JSON.parse(fs.readFileSync(0, 'utf8'));
let changed = 0;
function put(file, content, mode) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try { if (fs.readFileSync(file).equals(content)) return; } catch {}
  fs.writeFileSync(file + '.tmp', content, { mode });
  fs.chmodSync(file + '.tmp', mode);
  fs.renameSync(file + '.tmp', file);
  changed++;
}
for (const d of b.dirs || []) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
for (const f of b.files || []) put(f.path, Buffer.from(f.content), f.mode || 0o644);
for (const x of b.bundles || []) {
  const shim = path.join(x.binDir, x.name);
  if (x.ifAbsent && fs.existsSync(shim)) continue;
  put(shim + '.cjs', Buffer.from(x.code), 0o644);
  put(shim, Buffer.from(x.shim.replace('${NODE_JS}', process.execPath)), 0o755);
}
for (const l of b.links || []) {
  let now;
  try { now = fs.lstatSync(l.path); } catch {}
  if (now && !now.isSymbolicLink()) { process.stderr.write('left ' + l.path + ' as it is: not a link, so that path of the lab texts does not lead to ' + l.target + '\\n'); continue; }
  if (now && fs.readlinkSync(l.path) === l.target) continue;
  fs.mkdirSync(path.dirname(l.path), { recursive: true });
  fs.rmSync(l.path + '.tmp', { force: true });
  fs.symlinkSync(l.target, l.path + '.tmp');
  fs.renameSync(l.path + '.tmp', l.path);
  changed++;
}
process.stdout.write(String(changed));
`;

export const writerArgv = (): string[] => ['node', '-e', WRITER];

export function bundleWrites(binDir: string, bundles: Bundles, ifAbsent = false): RemoteBundle[] {
  return Object.entries(bundles).map(([name, file]) => {
    if (!fs.existsSync(file)) throw new TextError(msg('err.build.missing', { file }));
    return { binDir, name, code: fs.readFileSync(file, 'utf8'), shim: bundleShim(name, NODE_JS, `${binDir}/${name}.cjs`), ifAbsent };
  });
}

/** The writer's answer as an error message, or undefined when it worked. */
export function writeFailure(node: string, r: ExecResult): string | undefined {
  if (r.code === 0) return undefined;
  if (r.code === 127 || /node: (command )?not found/.test(r.stderr)) {
    return `${node} has no Node.js, which the plugin runs on: install it there (Debian/Ubuntu: apt-get install -y nodejs)`;
  }
  return `${node}: writing the CNI files failed: ${r.stderr.trim() || `exit code ${r.code}`}`;
}
