// Reaching a machine over ssh with one persistent connection per node (OpenSSH's ControlMaster):
// the first command pays the handshake (seconds on an emulated VM), every later one only a
// round trip on the open connection, so a lab check that runs dozens of commands stays fast.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCommand, type ExecOptions, type ExecResult } from '../../shared/exec.ts';
import { msg, TextError } from '../../i18n/text.ts';

/** How long an idle connection stays open after the last command (seconds). */
const PERSIST_S = 600;

/** POSIX shell quoting: the remote side runs the command line through the login user's shell. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export interface SshNode {
  /** The node's Host entry in the ssh config file. */
  alias: string;
  /** Commands go through `sudo -n` (the login user is not root). */
  sudo: boolean;
}

export class SshConnections {
  private readonly _masters = new Map<string, Promise<void>>();

  constructor(
    /** The ssh config with one Host entry per node. */
    readonly configFile: string,
  ) {}

  /**
   * Control sockets live in a short private dir (a unix socket path is limited to 108 bytes);
   * %C is a hash of the connection, so several clusters and users never share one.
   */
  static controlDir(): string {
    const dir = path.join(os.tmpdir(), `cnilab-ssh-${process.getuid?.() ?? 'user'}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** `ssh` with the config, the shared connection and no prompts (a missing key fails rather than hangs). */
  sshArgv(): string[] {
    return [
      'ssh',
      '-F', this.configFile,
      '-o', 'ControlMaster=auto',
      // %C hashes host, port and user; the config's own hash keeps two clusters apart whose
      // machines share an address behind different jump hosts (every student's VM is 192.168.56.11).
      '-o', `ControlPath=${SshConnections.controlDir()}/${createHash('sha256').update(this.configFile).digest('hex').slice(0, 8)}-%C`,
      '-o', `ControlPersist=${PERSIST_S}`,
      '-o', 'BatchMode=yes',
      '-o', 'LogLevel=ERROR',
      '-o', 'ServerAliveInterval=15',
      '-o', 'ConnectTimeout=60',
    ];
  }

  /** The remote command line for argv: env first, then sudo where the login user is not root. */
  remoteCommand(node: SshNode, argv: readonly string[], env?: NodeJS.ProcessEnv): string {
    const vars = Object.entries(env ?? {})
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    const words = [...(node.sudo ? ['sudo', '-n'] : []), ...(vars.length ? ['env', ...vars] : []), ...argv];
    return words.map(shellQuote).join(' ');
  }

  /**
   * Opens the node's master connection once per process (later processes find it open). Without
   * this, parallel first commands would each race to become the master and fall back to a
   * handshake of their own.
   */
  connect(node: SshNode): Promise<void> {
    let p = this._masters.get(node.alias);
    if (!p) {
      p = (async () => {
        const check = await execCommand([...this.sshArgv(), '-O', 'check', node.alias]);
        if (check.code === 0) return;
        const r = await execCommand([...this.sshArgv(), '-o', 'ControlMaster=yes', '-f', '-N', node.alias], { timeoutMs: 120_000 });
        if (r.code !== 0) throw new SshUnreachable(node.alias, r.stderr.trim());
      })();
      p.catch(() => this._masters.delete(node.alias));
      this._masters.set(node.alias, p);
    }
    return p;
  }

  async exec(node: SshNode, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    try {
      await this.connect(node);
    } catch (err) {
      return { code: 255, stdout: '', stderr: (err as Error).message };
    }
    const r = await execCommand([...this.sshArgv(), node.alias, this.remoteCommand(node, argv, opts.env)], {
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    if (node.sudo && r.code === 1 && /sudo: a (terminal|password) is required/.test(r.stderr)) {
      return { ...r, stderr: `${r.stderr.trim()}\n(${node.alias}: sudo asks for a password; the kit needs root on the node: give the ssh user passwordless sudo, or log in as root)` };
    }
    return r;
  }

  /** argv that runs argv on the node with this terminal attached (-t: a tty for interactive programs). */
  attachedArgv(node: SshNode, argv: readonly string[]): string[] {
    return [...this.sshArgv(), '-t', node.alias, this.remoteCommand(node, argv)];
  }

  /** Closes the node's master connection (and with it the ssh process this kit started). */
  async close(node: SshNode): Promise<void> {
    this._masters.delete(node.alias);
    await execCommand([...this.sshArgv(), '-O', 'exit', node.alias]);
  }
}

export class SshUnreachable extends TextError {
  constructor(alias: string, why: string) {
    super(msg('err.ssh.unreachable', { node: alias, why: why || msg('err.ssh.noAnswer') }));
  }
}
