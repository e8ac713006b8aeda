// The plugin host's contract: what a caller gives (files, a command runner, env, stdin) and what
// a run gives back. Platform-free: the same types serve Node (the sim backend) and the browser tab.

/** What stat(2) says of a path: the part of node:fs's Stats that programs read. */
export interface HostStats {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  size: number;
  mode: number;
  mtimeMs: number;
  nlink: number;
}

/**
 * The synchronous subset of node:fs that the plugin and the node agent use, with text contents.
 * Failures throw errors shaped like Node's (see fsError): `.code` ENOENT, EEXIST, ENOTDIR, EISDIR,
 * ENOTEMPTY, EPERM…, `.syscall`, `.path`; the lease store depends on `linkSync` failing with EEXIST.
 */
export interface HostFs {
  readFileSync(path: string): string;
  /** flag as open(2) takes it from Node: 'w' (default), 'a', 'wx' (EEXIST if present), 'ax'. */
  writeFileSync(path: string, data: string, opts?: { mode?: number; flag?: string }): void;
  existsSync(path: string): boolean;
  mkdirSync(path: string, opts?: { recursive?: boolean; mode?: number }): void;
  readdirSync(path: string): string[];
  statSync(path: string): HostStats;
  lstatSync(path: string): HostStats;
  linkSync(existingPath: string, newPath: string): void;
  unlinkSync(path: string): void;
  renameSync(oldPath: string, newPath: string): void;
  rmSync(path: string, opts?: { recursive?: boolean; force?: boolean }): void;
  rmdirSync(path: string): void;
  chmodSync?(path: string, mode: number): void;
}

/** A finished command, as a shell sees it. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * What child_process.spawn does on the node: runs argv to completion. A program that does not
 * exist rejects with an error whose `.code` is 'ENOENT' (spawn emits 'error' for it, as Node does).
 */
export interface HostCommandRunner {
  run(argv: readonly string[], opts: { stdin?: string; env: Record<string, string>; cwd?: string }): Promise<RunResult>;
}

export interface RunBundleOptions {
  /** The program's arguments: process.argv.slice(2). */
  argv: string[];
  env: Record<string, string>;
  /** Everything the program can read on standard input (a closed pipe after it). */
  stdin: string;
  fs: HostFs;
  runner: HostCommandRunner;
  /** The bundle's path (process.argv[1], __filename); default /opt/cni/bin/bundle.cjs. */
  filename?: string;
  /** process.pid; default 4242. */
  pid?: number;
  cwd?: string;
  hostname?: string;
  /** process.version; default the nodes' distro Node (v18). */
  nodeVersion?: string;
  /** process.kill(pid, 0) for another pid: is it alive? Default: only this process is. */
  isAlive?: (pid: number) => boolean;
  /** Output as it is written (a terminal); the result still holds all of it. */
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  /** More built-in modules (by the name `require` is given), e.g. `crypto` where the platform has one. */
  modules?: Record<string, unknown>;
}
