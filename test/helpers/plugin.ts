// Drives the real plugin bundle the way a runtime does (cf. testutils.CmdAddWithArgs in the
// reference plugins): CNI_* env, config on stdin, stdout captured, run inside a "node" netns.
// The node lives on a TestHost: this machine by default, or a VM over ssh (see testHost.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execCommand, type ExecResult } from '../../src/shared/exec.ts';
import { withJson } from '../../src/validators/probe.ts';
import { uniqueName } from './names.ts';
import { PLUGIN, hostMustExec, testHost, type HostExecOptions, type Started, type TestHost } from './testHost.ts';

export { PLUGIN, testHostIsRemote, type Started } from './testHost.ts';

export interface PluginRun {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

export interface PluginEnv {
  CNI_COMMAND: string;
  CNI_CONTAINERID?: string;
  CNI_NETNS?: string;
  CNI_IFNAME?: string;
  CNI_ARGS?: string;
  [k: string]: string | undefined;
}

const LEASE = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * A throwaway node: a named netns, a temp dir with an IPAM file, a conf to send. Clean it with `close`.
 * Every path it hands out (`dir`, `ipamFile`, `dataDir`, pod netns files) is a path on its host: read
 * and write them through the node (`readFile`, `writeFile`, `listDir`, `readLeases`), not `fs`.
 */
export class TestNode {
  readonly ns = uniqueName();
  readonly ipamFile: string;
  readonly dataDir: string;
  /**
   * The links a netns has when it is made on this host: ['lo'] on most machines; the kernel adds a
   * fallback tunnel device to every new netns where its module is loaded (tunl0 with ipip, as on the lab VMs).
   */
  freshNetnsLinks: string[] = [];
  private readonly _pods: string[] = [];

  private constructor(
    readonly host: TestHost,
    /** The node's temp dir, on its host. */
    readonly dir: string,
  ) {
    this.ipamFile = path.join(dir, 'ipam.config');
    this.dataDir = path.join(dir, 'data');
  }

  static async create(ipam: object = { Subnet: '10.244.1.0', SubnetPrefix: '10.244.1.', Gateway: '10.244.1.1', IPIndex: '1' }) {
    const host = await testHost();
    const n = new TestNode(host, await host.mkdtemp());
    await host.writeFile(n.ipamFile, JSON.stringify(ipam));
    await n.mustExec(['ip', 'netns', 'add', n.ns]);
    await n.mustExec(['ip', '-n', n.ns, 'link', 'set', 'lo', 'up']);
    n.freshNetnsLinks = await n.links();
    return n;
  }

  conf(over: Record<string, unknown> = {}, cniVersion = '1.1.0'): Record<string, unknown> {
    return { cniVersion, name: 'testnet', type: 'simplecni', ipamFile: this.ipamFile, dataDir: this.dataDir, ...over };
  }

  /** A pod netns pinned to a file in the temp dir (any path works as CNI_NETNS). */
  async pod(name = uniqueName()): Promise<string> {
    const file = path.join(this.dir, `pod-${name}`);
    if (this.host.remote) {
      await this.mustExec(['sh', '-c', ': > "$0" && exec unshare --net="$0" true', file]);
    } else {
      fs.writeFileSync(file, '');
      await this.mustExec(['unshare', `--net=${file}`, 'true']);
    }
    this._pods.push(file);
    return file;
  }

  async deletePod(file: string) {
    if (this.host.remote) {
      await this.exec(['sh', '-c', 'umount "$0"; rm -f "$0"', file]);
    } else {
      await execCommand(['umount', file]);
      fs.rmSync(file, { force: true });
    }
  }

  /** Runs argv on the node's host (as root, in the host's own namespaces; enter the node's with `ip netns exec`). */
  exec(argv: readonly string[], opts?: HostExecOptions): Promise<ExecResult> {
    return this.host.exec(argv, opts);
  }

  /** `exec` that throws on a non-zero exit, returning stdout. */
  mustExec(argv: readonly string[], opts?: HostExecOptions): Promise<string> {
    return hostMustExec(this.host, argv, opts);
  }

  /** Starts argv on the node's host; `kill()` sends SIGKILL to it there. */
  start(argv: readonly string[]): Started {
    return this.host.start(argv);
  }

  /** Runs the plugin inside this node's netns. */
  async run(env: PluginEnv, stdin: string | object, extraEnv: Record<string, string> = {}): Promise<PluginRun> {
    const r = await this.host.exec(['ip', 'netns', 'exec', this.ns, ...this.host.pluginArgv()], {
      // Only what a runtime would pass: no inherited CNI_* from the test process.
      env: { ...cleanEnv(env), ...extraEnv },
      input: typeof stdin === 'string' ? stdin : JSON.stringify(stdin),
    });
    return withJson(r);
  }

  /**
   * Starts the plugin inside this node's netns and leaves it running. `ip netns exec` execs the
   * plugin in place, so the started PID (`kill()`) is the plugin itself, on either host.
   */
  spawn(env: PluginEnv, stdin: string | object, extraEnv: Record<string, string> = {}): Started {
    return this.host.start(['ip', 'netns', 'exec', this.ns, ...this.host.pluginArgv()], {
      env: { ...cleanEnv(env), ...extraEnv },
      stdin: typeof stdin === 'string' ? stdin : JSON.stringify(stdin),
    });
  }

  async ip(args: string[], netns?: string): Promise<any> {
    const argv = netns ? ['nsenter', `--net=${netns}`, 'ip', '-j', ...args] : ['ip', '-n', this.ns, '-j', ...args];
    const out = await this.mustExec(argv);
    return out.trim() ? JSON.parse(out) : [];
  }

  /** Links on the node, by name. */
  async links(): Promise<string[]> {
    return ((await this.ip(['link', 'show'])) as { ifname: string }[]).map((l) => l.ifname);
  }

  /** The addresses leased in the network's dataDir (none when the dir does not exist), on either host. */
  async readLeases(network = 'testnet'): Promise<string[]> {
    const dir = path.join(this.dataDir, network);
    try {
      return (await this.listDir(dir)).filter((f) => LEASE.test(f));
    } catch (err) {
      // Only a missing dir means "no leases"; any other error while reading is the test's to see.
      const e = err as NodeJS.ErrnoException & { result?: { stderr?: string } };
      if (e.code === 'ENOENT' || /No such file or directory/.test(`${e.message} ${e.result?.stderr ?? ''}`)) return [];
      throw err;
    }
  }

  /** `readLeases` for a node on this machine, synchronously. */
  leases(network = 'testnet'): string[] {
    if (this.host.remote) throw new Error(`leases() reads this machine's files; the node is on ${this.host.name}: use await node.readLeases()`);
    try {
      return fs.readdirSync(path.join(this.dataDir, network)).filter((f) => LEASE.test(f));
    } catch {
      return [];
    }
  }

  /** A file on the node's host. */
  readFile(p: string): Promise<string> {
    return this.host.readFile(p);
  }

  writeFile(p: string, content: string): Promise<void> {
    return this.host.writeFile(p, content);
  }

  /** A dir's entries on the node's host; throws when it cannot be read. */
  listDir(p: string): Promise<string[]> {
    return this.host.listDir(p);
  }

  async close() {
    for (const p of this._pods) await this.deletePod(p);
    await this.exec(['ip', 'netns', 'del', this.ns]);
    await this.host.rmrf(this.dir);
  }
}

function cleanEnv(env: PluginEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/** Runs the plugin bundle inside the named netns on this machine. */
export async function runPluginIn(ns: string, env: PluginEnv, stdin: string | object, extraEnv: Record<string, string> = {}): Promise<PluginRun> {
  const r = await execCommand(['ip', 'netns', 'exec', ns, process.execPath, PLUGIN], {
    // Only what a runtime would pass: no inherited CNI_* from the test process.
    env: { ...cleanEnv(env), ...extraEnv },
    input: typeof stdin === 'string' ? stdin : JSON.stringify(stdin),
  });
  return withJson(r);
}
