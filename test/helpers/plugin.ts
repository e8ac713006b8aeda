// Drives the real plugin bundle the way a runtime does (cf. testutils.CmdAddWithArgs in the
// reference plugins): CNI_* env, config on stdin, stdout captured, run inside a "node" netns.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { execCommand, mustExec } from '../../src/shared/exec.ts';
import { withJson } from '../../src/validators/probe.ts';
import { uniqueName } from './names.ts';

export const PLUGIN = path.resolve('dist/simplecni.cjs');

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

/** A throwaway node: a named netns, a temp dir with an IPAM file, a conf to send. Clean it with `close`. */
export class TestNode {
  readonly ns = uniqueName();
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simplecni-test-'));
  readonly ipamFile = path.join(this.dir, 'ipam.config');
  readonly dataDir = path.join(this.dir, 'data');
  private readonly _pods: string[] = [];

  static async create(ipam: object = { Subnet: '10.244.1.0', SubnetPrefix: '10.244.1.', Gateway: '10.244.1.1', IPIndex: '1' }) {
    const n = new TestNode();
    fs.writeFileSync(n.ipamFile, JSON.stringify(ipam));
    await mustExec(['ip', 'netns', 'add', n.ns]);
    await mustExec(['ip', '-n', n.ns, 'link', 'set', 'lo', 'up']);
    return n;
  }

  conf(over: Record<string, unknown> = {}, cniVersion = '1.1.0'): Record<string, unknown> {
    return { cniVersion, name: 'testnet', type: 'simplecni', ipamFile: this.ipamFile, dataDir: this.dataDir, ...over };
  }

  /** A pod netns pinned to a file in the temp dir (any path works as CNI_NETNS). */
  async pod(name = uniqueName()): Promise<string> {
    const file = path.join(this.dir, `pod-${name}`);
    fs.writeFileSync(file, '');
    await mustExec(['unshare', `--net=${file}`, 'true']);
    this._pods.push(file);
    return file;
  }

  async deletePod(file: string) {
    await execCommand(['umount', file]);
    fs.rmSync(file, { force: true });
  }

  /** Runs the plugin inside this node's netns. */
  run(env: PluginEnv, stdin: string | object, extraEnv: Record<string, string> = {}): Promise<PluginRun> {
    return runPluginIn(this.ns, env, stdin, extraEnv);
  }

  spawn(env: PluginEnv, stdin: string | object, extraEnv: Record<string, string> = {}) {
    const child = spawn('ip', ['netns', 'exec', this.ns, process.execPath, PLUGIN], {
      env: { PATH: process.env.PATH, ...cleanEnv(env), ...extraEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(typeof stdin === 'string' ? stdin : JSON.stringify(stdin));
    return child;
  }

  async ip(args: string[], netns?: string): Promise<any> {
    const argv = netns ? ['nsenter', `--net=${netns}`, 'ip', '-j', ...args] : ['ip', '-n', this.ns, '-j', ...args];
    const out = await mustExec(argv);
    return out.trim() ? JSON.parse(out) : [];
  }

  /** Links on the node, by name. */
  async links(): Promise<string[]> {
    return ((await this.ip(['link', 'show'])) as { ifname: string }[]).map((l) => l.ifname);
  }

  leases(network = 'testnet'): string[] {
    try {
      return fs.readdirSync(path.join(this.dataDir, network)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
    } catch {
      return [];
    }
  }

  async close() {
    for (const p of this._pods) await this.deletePod(p);
    await execCommand(['ip', 'netns', 'del', this.ns]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function cleanEnv(env: PluginEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

export async function runPluginIn(ns: string, env: PluginEnv, stdin: string | object, extraEnv: Record<string, string> = {}): Promise<PluginRun> {
  const r = await execCommand(['ip', 'netns', 'exec', ns, process.execPath, PLUGIN], {
    // Only what a runtime would pass: no inherited CNI_* from the test process.
    env: { ...cleanEnv(env), ...extraEnv },
    input: typeof stdin === 'string' ? stdin : JSON.stringify(stdin),
  });
  return withJson(r);
}
