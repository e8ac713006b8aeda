// The runtime side of CNI, as libcni (and so containerd, CRI-O, cnitool) does it: load the
// node's network config, inject name/cniVersion/prevResult, run the plugin chain, cache the ADD
// result, and DEL in reverse with that cached result. Everything runs on the node through its driver.
import * as path from 'node:path';
import { findPluginArgv } from '../cluster/cniPath.ts';
import type { NodeDriver } from '../cluster/driver.ts';
import { compareVersions } from '../plugin/version.ts';
import { errorText, msg, TextError } from '../i18n/text.ts';
import type { MsgId } from '../i18n/en.ts';

/** The newest spec version this runtime speaks (libcni's version.Current()). */
export const RUNTIME_VERSION = '1.1.0';

export interface NetworkList {
  /** The file it came from, on the node. */
  file: string;
  name: string;
  cniVersion: string;
  disableCheck: boolean;
  disableGC: boolean;
  plugins: Record<string, unknown>[];
}

export interface Attachment {
  containerId: string;
  netns: string;
  ifname: string;
  args?: string;
  /** Recorded with the cached result. */
  labels?: Record<string, string>;
}

export interface PluginResult {
  cniVersion?: string;
  interfaces?: { name: string; mac?: string; sandbox?: string; mtu?: number }[];
  ips?: { address: string; gateway?: string; interface?: number }[];
  routes?: { dst: string; gw?: string }[];
  [key: string]: unknown;
}

export interface CacheEntry {
  kind: 'cniCacheV1';
  containerId: string;
  ifName: string;
  networkName: string;
  netns: string;
  /** CNI_ARGS as pairs, as libcni caches them. */
  cniArgs?: [string, string][];
  /** The pod's labels (the kit's addition: the node agent's policy rendering selects pods by them). */
  labels?: Record<string, string>;
  result: PluginResult;
}

/** A plugin answered with a CNI error (or crashed). */
export class PluginError extends Error {
  constructor(
    public readonly plugin: string,
    public readonly command: string,
    public readonly code: number,
    public readonly msg: string,
    public readonly details: string,
    public readonly stderr: string,
  ) {
    super(`${plugin} ${command} failed (CNI error ${code}): ${msg}`);
    this.name = 'PluginError';
  }
}

export class RuntimeConfigError extends TextError {}

export class CniRuntime {
  constructor(private readonly _driver: NodeDriver) {}

  cniPath(node: string): string {
    return [this._driver.paths(node).binDir, '/opt/cni/bin', '/usr/lib/cni'].join(':');
  }

  /** libcni's rule: the first *.conflist / *.conf / *.json in the conf dir, by byte order of the name. */
  async loadNetwork(node: string): Promise<NetworkList> {
    const dir = this._driver.paths(node).confDir;
    const files = await this._driver.files.readAll(node, dir);
    if (!files) throw new RuntimeConfigError(msg('err.runtime.noConfigDir', { node, dir }));
    const first = files.find((f) => /\.(conflist|conf|json)$/.test(f.name));
    if (!first) throw new RuntimeConfigError(msg('err.runtime.noConfigFile', { node, dir }));
    const file = path.join(dir, first.name);
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(first.text);
    } catch (err) {
      throw new RuntimeConfigError(msg('err.runtime.notJson', { node, file, error: (err as Error).message }));
    }
    return toNetworkList(raw, file, node);
  }

  /**
   * Runs one plugin with explicit CNI_* env; returns what it printed and its exit code.
   * `rawStdin` sends text as-is instead of the JSON of `pluginConf` (to show how a plugin meets bad input).
   */
  async exec(node: string, pluginConf: Record<string, unknown>, env: Record<string, string>, rawStdin?: string) {
    const type = String(pluginConf.type ?? 'simplecni');
    return this._driver.exec(node, findPluginArgv(type), {
      input: rawStdin ?? JSON.stringify(pluginConf),
      env: { CNI_PATH: this.cniPath(node), ...env },
    });
  }

  private async _invoke(node: string, conf: Record<string, unknown>, command: string, att?: Attachment): Promise<PluginResult | undefined> {
    const env: Record<string, string> = { CNI_COMMAND: command };
    if (att) {
      Object.assign(env, { CNI_CONTAINERID: att.containerId, CNI_NETNS: att.netns, CNI_IFNAME: att.ifname, CNI_ARGS: att.args ?? '' });
    }
    const r = await this.exec(node, conf, env);
    const type = String(conf.type);
    if (r.code !== 0) {
      // libcni reads the error from stdout (stderr only if stdout is empty).
      let e: { code?: number; msg?: string; details?: string } = {};
      try {
        e = JSON.parse(r.stdout || r.stderr);
      } catch {
        e = { code: 999, msg: (r.stderr || r.stdout).trim() || `exit code ${r.code}` };
      }
      throw new PluginError(type, command, e.code ?? 999, e.msg ?? '', e.details ?? '', r.stderr);
    }
    if (command !== 'ADD') return undefined;
    try {
      return JSON.parse(r.stdout) as PluginResult;
    } catch {
      throw new PluginError(type, command, 999, `printed no JSON result: ${JSON.stringify(r.stdout.slice(0, 200))}`, '', r.stderr);
    }
  }

  async add(node: string, att: Attachment): Promise<PluginResult> {
    const list = await this.loadNetwork(node);
    let prev: PluginResult | undefined;
    try {
      for (const p of list.plugins) prev = await this._invoke(node, injectConf(list, p, prev), 'ADD', att);
    } catch (err) {
      // As kubelet/containerd do: a failed ADD is followed by a DEL so nothing half-made stays.
      await this._delChain(node, list, att, undefined).catch(() => {});
      throw err;
    }
    const result = prev ?? { cniVersion: list.cniVersion };
    await this._writeCache(node, list, att, result);
    return result;
  }

  async del(node: string, att: Attachment): Promise<void> {
    const list = await this.loadNetwork(node);
    const cached = await this.readCache(node, list.name, att);
    await this._delChain(node, list, att, cached?.result);
    await this._driver.exec(node, ['rm', '-f', this._cacheFile(node, list.name, att)]);
  }

  private async _delChain(node: string, list: NetworkList, att: Attachment, prev: PluginResult | undefined) {
    const withPrev = compareVersions(list.cniVersion, '0.4.0') >= 0 ? prev : undefined;
    for (const p of [...list.plugins].reverse()) await this._invoke(node, injectConf(list, p, withPrev), 'DEL', att);
  }

  async check(node: string, att: Attachment): Promise<void> {
    const list = await this.loadNetwork(node);
    if (compareVersions(list.cniVersion, '0.4.0') < 0) throw new RuntimeConfigError(msg('err.runtime.checkVersion', { file: list.file, version: list.cniVersion }));
    if (list.disableCheck) return;
    const cached = await this.readCache(node, list.name, att);
    if (!cached) throw new RuntimeConfigError(msg('err.runtime.noCached', { id: `${att.containerId}/${att.ifname}`, node }));
    for (const p of list.plugins) await this._invoke(node, injectConf(list, p, cached.result), 'CHECK', att);
  }

  async status(node: string): Promise<void> {
    const list = await this.loadNetwork(node);
    if (compareVersions(list.cniVersion, '1.1.0') < 0) return; // STATUS is 1.1.0 only: assume ready, like libcni
    for (const p of list.plugins) await this._invoke(node, injectConf(list, p, undefined), 'STATUS');
  }

  /** Every attachment this runtime still knows on the node is valid; plugins free the rest. Continues past errors. */
  async gc(node: string): Promise<{ valid: number; errors: PluginError[] }> {
    const list = await this.loadNetwork(node);
    if (compareVersions(list.cniVersion, '1.1.0') < 0 || list.disableGC) return { valid: 0, errors: [] };
    const valid = (await this.listCache(node)).filter((c) => c.networkName === list.name).map((c) => ({ containerID: c.containerId, ifname: c.ifName }));
    const errors: PluginError[] = [];
    for (const p of list.plugins) {
      const conf = { ...injectConf(list, p, undefined), 'cni.dev/valid-attachments': valid, 'cni.dev/attachments': valid };
      try {
        await this._invoke(node, conf, 'GC');
      } catch (err) {
        if (err instanceof PluginError) errors.push(err);
        else throw err;
      }
    }
    return { valid: valid.length, errors };
  }

  private _cacheFile(node: string, network: string, att: Pick<Attachment, 'containerId' | 'ifname'>) {
    return path.join(this._driver.paths(node).cacheDir, `${network}-${att.containerId}-${att.ifname}`);
  }

  private async _writeCache(node: string, list: NetworkList, att: Attachment, result: PluginResult) {
    const entry: CacheEntry = { kind: 'cniCacheV1', containerId: att.containerId, ifName: att.ifname, networkName: list.name, netns: att.netns, result };
    if (att.args) entry.cniArgs = parseCniArgs(att.args);
    if (att.labels && Object.keys(att.labels).length > 0) entry.labels = att.labels;
    const file = this._cacheFile(node, list.name, att);
    try {
      await this._driver.files.write(node, file, JSON.stringify(entry));
    } catch (err) {
      throw new TextError(msg('err.runtime.cacheWrite', { error: errorText(err) }));
    }
  }

  async readCache(node: string, network: string, att: Pick<Attachment, 'containerId' | 'ifname'>): Promise<CacheEntry | undefined> {
    const text = await this._driver.files.read(node, this._cacheFile(node, network, att));
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as CacheEntry;
    } catch {
      return undefined; // a torn or hand-edited cache entry: treat as absent, DEL still runs
    }
  }

  async listCache(node: string): Promise<CacheEntry[]> {
    const dir = this._driver.paths(node).cacheDir;
    return ((await this._driver.files.readAll(node, dir)) ?? []).flatMap((f) => {
      try {
        const entry = JSON.parse(f.text) as CacheEntry;
        return entry && typeof entry === 'object' ? [entry] : [];
      } catch {
        return []; // a torn or hand-edited entry: not a pod
      }
    });
  }
}

/** `K=V;K2=V2` (CNI_ARGS) → pairs. */
export function parseCniArgs(args: string): [string, string][] {
  return args
    .split(';')
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]);
}

/** Turns a .conflist or a single .conf into a list, choosing the version (`cniVersions`: the highest we speak). */
export function toNetworkList(raw: Record<string, unknown>, file: string, node = 'node'): NetworkList {
  const bad = (id: MsgId) => new RuntimeConfigError(msg('err.runtime.badConfig', { node, file, error: msg(id) }));
  let cniVersion = typeof raw.cniVersion === 'string' ? raw.cniVersion : undefined;
  if (Array.isArray(raw.cniVersions)) {
    const ok = raw.cniVersions.filter((v): v is string => typeof v === 'string' && compareVersions(v, RUNTIME_VERSION) <= 0);
    cniVersion = ok.sort(compareVersions).at(-1) ?? cniVersion;
  }
  if (!cniVersion) throw bad('err.runtime.noVersion');
  if (typeof raw.name !== 'string' || raw.name === '') throw bad('err.runtime.noName');
  const plugins = Array.isArray(raw.plugins) ? raw.plugins : [raw]; // a single .conf is a one-plugin list
  if (plugins.length === 0) throw bad('err.runtime.noPlugins');
  for (const p of plugins) if (typeof p?.type !== 'string') throw bad('err.runtime.noType');
  return {
    file,
    name: raw.name,
    cniVersion,
    disableCheck: raw.disableCheck === true,
    disableGC: raw.disableGC === true,
    plugins: plugins as Record<string, unknown>[],
  };
}

/** What the runtime gives each plugin: its own object plus the list's name and version, and prevResult. */
export function injectConf(list: NetworkList, plugin: Record<string, unknown>, prev: PluginResult | undefined): Record<string, unknown> {
  const { capabilities: _drop, ...rest } = plugin;
  const conf: Record<string, unknown> = { ...rest, name: list.name, cniVersion: list.cniVersion };
  if (prev) conf.prevResult = prev;
  return conf;
}
