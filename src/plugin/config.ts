// The network configuration SimpleCNI reads on stdin: the one schema for the plugin's keys.
// The kit (node configs, docs, validators) reads DEFAULTS and MODES from here rather than copying them.
import ipaddr from 'ipaddr.js';
import { MODE_OVERHEAD, MODES, type Mode } from '../shared/cniSpec.ts';
import { CniError, ErrCode } from './errors.ts';
import { LATEST_VERSION, isSupportedVersion, pickVersion, SUPPORTED_VERSIONS } from './version.ts';
import type { Result } from './result.ts';

export { MODE_OVERHEAD, MODES, type Mode } from '../shared/cniSpec.ts';

export const DEFAULTS = {
  bridge: 'simplecni0',
  subnet: '10.244.0.0/16',
  ipamFile: '/etc/cni/ipam.config',
  dataDir: '/var/lib/cni/simplecni',
  mtu: 1500,
  ipMasq: false,
  mode: 'host-gw' as Mode,
};

export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  /** Linux bridge the pods' veths are attached to. */
  bridge: string;
  /** The cluster's pod CIDR; each node's IPAM subnet lies inside it. */
  subnet: string;
  /** The node's IPAM file (seed format or CIDR form). */
  ipamFile: string;
  /** Where leases are recorded: `<dataDir>/<name>/<ip>`. */
  dataDir: string;
  /** The node's uplink MTU; pods get `mtu - MODE_OVERHEAD[mode]`. */
  mtu: number;
  ipMasq: boolean;
  mode: Mode;
  /** Optional: append log lines to this file as well as stderr. */
  logFile?: string;
  /** Optional: print every command the plugin runs as a shell line (also env SIMPLECNI_DEBUG=1). */
  debug?: boolean;
  prevResult?: Result;
  /** GC: attachments that are still valid. */
  validAttachments?: Attachment[];
}

export interface Attachment {
  containerID: string;
  ifname: string;
}

export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const invalid = (key: string, why: string, got: unknown) =>
  new CniError(ErrCode.InvalidConfig, `invalid network config: "${key}" ${why}, got ${JSON.stringify(got)}`);

/** A valid Linux interface name: 1–15 bytes, not "." or "..", no "/", ":" or whitespace. */
export function isValidIfName(name: string): boolean {
  // The kernel counts bytes (IFNAMSIZ 16 with the NUL): "üüüüüüüü" is 8 characters but 16 bytes.
  const bytes = new TextEncoder().encode(name).length;
  return bytes > 0 && bytes <= 15 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

/** Parses and validates stdin. Unknown keys are ignored here and left untouched in the raw object. */
export function loadNetConf(stdin: string): NetConf {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(ErrCode.DecodeFailure, `could not decode network config on stdin: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CniError(ErrCode.DecodeFailure, 'could not decode network config on stdin: expected a JSON object');
  }
  const c = raw as Record<string, unknown>;

  let cniVersion = c.cniVersion;
  if (cniVersion === undefined && Array.isArray(c.cniVersions)) {
    // A list-level config with only `cniVersions`: pick the highest we speak, as libcni does.
    cniVersion = pickVersion(c.cniVersions.filter((v): v is string => typeof v === 'string'));
    if (cniVersion === undefined) {
      throw new CniError(
        ErrCode.IncompatibleVersion,
        `incompatible CNI versions; config offers ${JSON.stringify(c.cniVersions)}, plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`,
      );
    }
  }
  if (typeof cniVersion !== 'string' || cniVersion === '') throw invalid('cniVersion', 'must be a version string such as "1.1.0"', cniVersion);
  if (!isSupportedVersion(cniVersion)) {
    throw new CniError(
      ErrCode.IncompatibleVersion,
      `incompatible CNI versions; config is "${cniVersion}", plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`,
    );
  }
  if (typeof c.name !== 'string' || !NAME_PATTERN.test(c.name)) {
    throw invalid('name', 'must start with a letter or digit and contain only letters, digits, "_", "." and "-"', c.name);
  }
  if (typeof c.type !== 'string' || c.type === '') throw invalid('type', 'must name the plugin binary', c.type);

  const str = (key: string, def: string) => {
    const v = c[key] ?? def;
    if (typeof v !== 'string' || v === '') throw invalid(key, 'must be a non-empty string', v);
    return v;
  };
  const bridge = str('bridge', DEFAULTS.bridge);
  if (!isValidIfName(bridge)) throw invalid('bridge', 'must be a valid interface name (1-15 characters, no "/", ":" or spaces)', bridge);

  const subnet = str('subnet', DEFAULTS.subnet);
  if (!isIPv4Cidr(subnet)) throw invalid('subnet', 'must be an IPv4 CIDR such as "10.244.0.0/16"', subnet);

  const ipamFile = str('ipamFile', DEFAULTS.ipamFile);
  if (!ipamFile.startsWith('/')) throw invalid('ipamFile', 'must be an absolute path', ipamFile);
  const dataDir = str('dataDir', DEFAULTS.dataDir);
  if (!dataDir.startsWith('/')) throw invalid('dataDir', 'must be an absolute path', dataDir);

  const mtu = c.mtu ?? DEFAULTS.mtu;
  if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 576 || mtu > 65535) {
    throw invalid('mtu', 'must be an integer between 576 and 65535', mtu);
  }
  const ipMasq = c.ipMasq ?? DEFAULTS.ipMasq;
  if (typeof ipMasq !== 'boolean') throw invalid('ipMasq', 'must be true or false', ipMasq);
  const mode = c.mode ?? DEFAULTS.mode;
  if (typeof mode !== 'string' || !(MODES as readonly string[]).includes(mode)) {
    throw invalid('mode', `must be one of ${MODES.map((m) => `"${m}"`).join(', ')}`, mode);
  }
  if (mtu - MODE_OVERHEAD[mode as Mode] < 576) throw invalid('mtu', `leaves less than 576 bytes for pods in mode "${mode}"`, mtu);

  const logFile = c.logFile;
  if (logFile !== undefined && (typeof logFile !== 'string' || !logFile.startsWith('/'))) {
    throw invalid('logFile', 'must be an absolute path', logFile);
  }
  const debug = c.debug;
  if (debug !== undefined && typeof debug !== 'boolean') throw invalid('debug', 'must be true or false', debug);

  const conf: NetConf = {
    cniVersion,
    name: c.name,
    type: c.type,
    bridge,
    subnet,
    ipamFile,
    dataDir,
    mtu,
    ipMasq,
    mode: mode as Mode,
  };
  if (logFile !== undefined) conf.logFile = logFile as string;
  if (debug !== undefined) conf.debug = debug;
  if (c.prevResult !== undefined) conf.prevResult = checkPrevResult(c.prevResult);
  const attachments = c['cni.dev/valid-attachments'] ?? c['cni.dev/attachments'];
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) throw invalid('cni.dev/valid-attachments', 'must be a list of {containerID, ifname}', attachments);
    conf.validAttachments = attachments.map((a, i) => {
      if (typeof a?.containerID !== 'string' || typeof a?.ifname !== 'string') {
        throw invalid(`cni.dev/valid-attachments[${i}]`, 'must be {"containerID": string, "ifname": string}', a);
      }
      return { containerID: a.containerID, ifname: a.ifname };
    });
  }
  return conf;
}

/**
 * A previous plugin's result, checked for the shape this plugin reads and extends: a result object
 * whose interfaces, ips and routes are lists of objects. (A runtime hands it over as it was cached;
 * a malformed one is the config's fault, not a reason to fail halfway through an ADD.)
 */
function checkPrevResult(prev: unknown): Result {
  if (typeof prev !== 'object' || prev === null || Array.isArray(prev)) throw invalid('prevResult', 'must be a result object', prev);
  const r = prev as Record<string, unknown>;
  const objects = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
  for (const key of ['interfaces', 'ips', 'routes'] as const) {
    if (r[key] !== undefined && !objects(r[key])) throw invalid(`prevResult.${key}`, 'must be a list of objects', r[key]);
  }
  if (r.dns !== undefined && (typeof r.dns !== 'object' || r.dns === null || Array.isArray(r.dns))) throw invalid('prevResult.dns', 'must be an object', r.dns);
  const strings = (list: unknown, field: string, key: string) => {
    for (const [i, x] of ((list as Record<string, unknown>[] | undefined) ?? []).entries()) {
      if (x[field] !== undefined && typeof x[field] !== 'string') throw invalid(`prevResult.${key}[${i}].${field}`, 'must be a string', x[field]);
    }
  };
  strings(r.interfaces, 'name', 'interfaces');
  strings(r.interfaces, 'sandbox', 'interfaces');
  strings(r.ips, 'address', 'ips');
  for (const [i, ip] of ((r.ips as Record<string, unknown>[] | undefined) ?? []).entries()) {
    if (ip.interface !== undefined && !Number.isInteger(ip.interface)) throw invalid(`prevResult.ips[${i}].interface`, 'must be an interface index', ip.interface);
  }
  return prev as Result;
}

/** The version to answer with when stdin can't be trusted (VERSION, or a decode error). */
export function versionFromStdin(stdin: string): string {
  try {
    const v = JSON.parse(stdin)?.cniVersion;
    if (typeof v === 'string' && v !== '') return v;
  } catch {
    // fall through
  }
  return LATEST_VERSION;
}

export function isIPv4Cidr(s: string): boolean {
  try {
    const [addr, len] = ipaddr.parseCIDR(s);
    return addr.kind() === 'ipv4' && len >= 0 && len <= 32;
  } catch {
    return false;
  }
}

/** The MTU pods get: the uplink's, minus what the mode's encapsulation adds to every packet. */
export function podMtu(conf: Pick<NetConf, 'mtu' | 'mode'>): number {
  // @lab 07 begin: leave room for the encapsulation header
  return conf.mtu - MODE_OVERHEAD[conf.mode];
  // @lab 07 starter
  // return conf.mtu;
  // @lab 07 end
}
