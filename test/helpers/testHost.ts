// Where a TestNode runs its commands: this machine (the default), or a Linux machine reached over
// ssh (a lab VM), chosen by SIMPLECNI_PLUGIN_TEST_SSH=<ssh_config_file>:<host alias>. The tests
// only see this interface, so the same assertions hold the plugin to the same behaviour on both.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll } from 'vitest';
import { execCommand, mustExec, CommandFailed, type ExecResult } from '../../src/shared/exec.ts';
import { SshConnections, type SshNode } from '../../src/cluster/ssh/sshConnection.ts';
import { uniqueName } from './names.ts';

/** The plugin bundle on this machine (the ssh host copies it to the remote). */
export const PLUGIN = path.resolve('dist/simplecni.cjs');

export interface HostExecOptions {
  input?: string;
  env?: Record<string, string>;
}

/** A process started on a host: its stdio, its PID there, and a SIGKILL that reaches it. */
export interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  /** The PID on the host that runs it (for ssh: the remote PID, not the local ssh client's). */
  readonly pid: Promise<number>;
  /** Settles when the local child (the process itself, or its ssh client) has closed. */
  readonly closed: Promise<number | null>;
  /** SIGKILL to that PID, on the host that runs it. */
  kill(): Promise<void>;
}

export interface TestHost {
  /** For messages: "local" or "ssh <alias>". */
  readonly name: string;
  readonly remote: boolean;
  /** Runs argv on the host as root (in its own namespaces). */
  exec(argv: readonly string[], opts?: HostExecOptions): Promise<ExecResult>;
  /** Starts argv on the host with exactly `env` (plus PATH) and `stdin` written and closed. */
  start(argv: readonly string[], opts?: { env?: Record<string, string>; stdin?: string }): Started;
  /** argv that runs the plugin bundle with the host's node. */
  pluginArgv(): string[];
  /** A fresh private temp dir on the host, named with uniqueName(). */
  mkdtemp(): Promise<string>;
  readFile(p: string): Promise<string>;
  writeFile(p: string, content: string): Promise<void>;
  /** The entries of a dir (like fs.readdirSync: throws when it cannot be read). */
  listDir(p: string): Promise<string[]>;
  rmrf(p: string): Promise<void>;
}

/** Throws like mustExec does. */
export async function hostMustExec(host: TestHost, argv: readonly string[], opts?: HostExecOptions): Promise<string> {
  const r = await host.exec(argv, opts);
  if (r.code !== 0) throw new CommandFailed(host.remote ? [`(${host.name})`, ...argv] : argv, r);
  return r.stdout;
}

function closedPromise(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
}

export class LocalHost implements TestHost {
  readonly name = 'local';
  readonly remote = false;

  exec(argv: readonly string[], opts: HostExecOptions = {}): Promise<ExecResult> {
    return execCommand(argv, opts);
  }

  start(argv: readonly string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Started {
    const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
    const closed = closedPromise(child);
    return {
      child,
      pid: Promise.resolve(child.pid!),
      closed,
      async kill() {
        process.kill(child.pid!, 'SIGKILL');
      },
    };
  }

  pluginArgv(): string[] {
    return [process.execPath, PLUGIN];
  }

  async mkdtemp(): Promise<string> {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'simplecni-test-'));
  }

  async readFile(p: string): Promise<string> {
    return fs.readFileSync(p, 'utf8');
  }

  async writeFile(p: string, content: string): Promise<void> {
    fs.writeFileSync(p, content);
  }

  async listDir(p: string): Promise<string[]> {
    return fs.readdirSync(p);
  }

  async rmrf(p: string): Promise<void> {
    fs.rmSync(p, { recursive: true, force: true });
  }
}

/**
 * A remote Linux machine over one persistent ssh connection (SshConnections). Commands run as root
 * (through `sudo -n` unless the login user is root); the plugin bundle is copied once per test file
 * to a temp dir there and run by the remote's `node`.
 */
export class SshHost implements TestHost {
  readonly remote = true;
  readonly name: string;
  private readonly _conns: SshConnections;
  private _pluginDir = '';

  constructor(
    configFile: string,
    private readonly _node: SshNode,
  ) {
    this._conns = new SshConnections(configFile);
    this.name = `ssh ${_node.alias}`;
  }

  /** SIMPLECNI_PLUGIN_TEST_SSH=<ssh_config_file>:<host alias>; SIMPLECNI_PLUGIN_TEST_SUDO=0|1 overrides the sudo guess. */
  static async fromSpec(spec: string): Promise<SshHost> {
    const colon = spec.lastIndexOf(':');
    if (colon <= 0 || colon === spec.length - 1) {
      throw new Error(`SIMPLECNI_PLUGIN_TEST_SSH must be <ssh_config_file>:<host alias>, got ${JSON.stringify(spec)}`);
    }
    const configFile = path.resolve(spec.slice(0, colon));
    const alias = spec.slice(colon + 1);
    if (!fs.existsSync(configFile)) throw new Error(`SIMPLECNI_PLUGIN_TEST_SSH: no ssh config file ${configFile}`);
    let sudo: boolean;
    const force = process.env.SIMPLECNI_PLUGIN_TEST_SUDO;
    if (force === '0' || force === '1') sudo = force === '1';
    else {
      // `ssh -G` prints the effective config for the alias without connecting: root needs no sudo.
      const user = /^user (\S+)$/im.exec(await mustExec(['ssh', '-F', configFile, '-G', alias]))?.[1];
      sudo = user !== 'root';
    }
    const host = new SshHost(configFile, { alias, sudo });
    await host._setup();
    return host;
  }

  private async _setup() {
    await this._conns.connect(this._node);
    this._pluginDir = await this.mkdtemp();
    await hostMustExec(this, ['sh', '-c', 'cat > "$0"', path.posix.join(this._pluginDir, 'simplecni.cjs')], {
      input: fs.readFileSync(PLUGIN, 'utf8'),
    });
  }

  /** Removes the plugin copy. The ssh master is left to its ControlPersist timeout: other processes may share it. */
  async close() {
    if (this._pluginDir) await this.rmrf(this._pluginDir);
    this._pluginDir = '';
  }

  exec(argv: readonly string[], opts: HostExecOptions = {}): Promise<ExecResult> {
    return this._conns.exec(this._node, argv, opts);
  }

  start(argv: readonly string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Started {
    // The remote shell says its PID, then becomes argv (exec keeps the PID), so a kill hits argv itself.
    const remote = this._conns.remoteCommand(this._node, ['sh', '-c', 'echo "PID:$$" >&2; exec "$@"', 'sh', ...argv], opts.env);
    const ssh = this._conns.sshArgv();
    const child = spawn(ssh[0]!, [...ssh.slice(1), this._node.alias, remote], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
    const closed = closedPromise(child);
    const pid = new Promise<number>((resolve, reject) => {
      let seen = '';
      const onData = (b: Buffer) => {
        seen += b.toString();
        const m = /^PID:(\d+)$/m.exec(seen);
        if (m) {
          child.stderr.off('data', onData);
          resolve(Number(m[1]));
        }
      };
      child.stderr.on('data', onData);
      void closed.then(() => reject(new Error(`${this.name}: ${argv.join(' ')} ended before saying its PID: ${seen.trim()}`)));
    });
    pid.catch(() => {});
    return {
      child,
      pid,
      closed,
      kill: async () => {
        const target = String(await pid);
        const r = await this.exec(['kill', '-9', target]);
        if (r.code !== 0) throw new CommandFailed([`(${this.name})`, 'kill', '-9', target], r);
      },
    };
  }

  pluginArgv(): string[] {
    if (!this._pluginDir) throw new Error(`${this.name}: the plugin bundle is not on the host (closed?)`);
    return ['node', path.posix.join(this._pluginDir, 'simplecni.cjs')];
  }

  async mkdtemp(): Promise<string> {
    return (await hostMustExec(this, ['mktemp', '-d', `/tmp/simplecni-test-${uniqueName()}-XXXXXX`])).trim();
  }

  async readFile(p: string): Promise<string> {
    return hostMustExec(this, ['cat', '--', p]);
  }

  async writeFile(p: string, content: string): Promise<void> {
    await hostMustExec(this, ['sh', '-c', 'cat > "$0"', p], { input: content });
  }

  async listDir(p: string): Promise<string[]> {
    const out = await hostMustExec(this, ['ls', '-1A', '--', p]);
    return out.split('\n').filter((l) => l !== '');
  }

  async rmrf(p: string): Promise<void> {
    await hostMustExec(this, ['rm', '-rf', '--', p]);
  }
}

const SSH_SPEC = process.env.SIMPLECNI_PLUGIN_TEST_SSH ?? '';

/** True when this run's TestNodes live on a remote machine (SIMPLECNI_PLUGIN_TEST_SSH is set). */
export const testHostIsRemote = SSH_SPEC !== '';

let shared: Promise<TestHost> | undefined;

/** The host of this test file's TestNodes: made once per file (vitest loads the helpers afresh for each file). */
export function testHost(): Promise<TestHost> {
  shared ??= testHostIsRemote ? SshHost.fromSpec(SSH_SPEC) : Promise.resolve(new LocalHost());
  return shared;
}

if (testHostIsRemote) {
  // Registered while the importing test file is collected, so it runs after that file's last test:
  // the plugin copy goes once every TestNode of the file is closed.
  afterAll(async () => {
    const host = await shared?.catch(() => undefined);
    shared = undefined;
    if (host instanceof SshHost) await host.close();
  });
}
