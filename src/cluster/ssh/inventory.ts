// An inventory: which machine is which node, and how to ssh to it. YAML or JSON:
//
//   defaults: { user: student, identityFile: ~/.ssh/workshop }
//   nodes:
//     node1:  { host: 10.0.0.11 }
//     node2:  { host: 10.0.0.12 }
//     node3:  { host: 10.0.1.13, port: 2222 }
//     router: { host: 10.0.0.1 }
//
// It becomes an ssh config with one Host entry per node, so every ssh the kit runs (and a person's
// `ssh -F <that file> node1`) reaches the same machine the same way.
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import type { Topology } from '../topology.ts';
import { msg, TextError, type Text } from '../../i18n/text.ts';

export interface InventoryHost {
  /** Address or name to connect to. */
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
  proxyJump?: string;
  /** Any other ssh_config options, e.g. { StrictHostKeyChecking: "no" }. */
  options?: Record<string, string | number>;
}

export interface Inventory {
  nodes: Record<string, InventoryHost>;
}

export class InventoryError extends TextError {}

const HOST_KEYS = ['host', 'user', 'port', 'identityFile', 'proxyJump', 'options'];
const OPTION_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const SAFE_VALUE = /^[^\s"'#\n]+$/;
/** ProxyCommand is a command line (e.g. `ip netns exec lab nc %h %p`): spaces, but one line and no quotes. */
const COMMAND_VALUE = /^[^"'#\n\r]+$/;

export function parseInventory(text: string, file: string, t: Topology): Inventory {
  const where = (k: Text): Text => msg('inv.err.at', { file, error: k });
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new InventoryError(msg('inv.err.notYaml', { file, error: (err as Error).message.split('\n')[0]! }));
  }
  if (!isObject(doc) || !isObject(doc.nodes)) throw new InventoryError(where(msg('inv.err.needsNodes')));
  for (const k of Object.keys(doc)) if (k !== 'nodes' && k !== 'defaults') throw new InventoryError(where(msg('inv.err.unknownKey', { key: k })));
  const defaults = doc.defaults === undefined ? {} : doc.defaults;
  if (!isObject(defaults)) throw new InventoryError(where(msg('inv.err.defaults')));
  const names = t.nodes.map((n) => n.name);
  const missing = names.filter((n) => !(n in (doc.nodes as object)));
  if (missing.length) throw new InventoryError(where(msg('inv.err.missing', { missing: missing.join(', '), names: names.join(', ') })));
  const nodes: Record<string, InventoryHost> = {};
  for (const [name, raw] of Object.entries(doc.nodes)) {
    if (!names.includes(name)) throw new InventoryError(where(msg('inv.err.notNode', { at: `nodes.${name}`, names: names.join(', ') })));
    const entry = typeof raw === 'string' ? { host: raw } : raw;
    if (!isObject(entry)) throw new InventoryError(where(msg('inv.err.entry', { at: `nodes.${name}` })));
    nodes[name] = checkHost({ ...defaults, ...entry }, `nodes.${name}`, where, path.dirname(path.resolve(file)));
  }
  return { nodes };
}

function checkHost(h: Record<string, unknown>, at: string, where: (k: Text) => Text, baseDir: string): InventoryHost {
  for (const k of Object.keys(h)) if (!HOST_KEYS.includes(k)) throw new InventoryError(where(msg('inv.err.unknownSetting', { at: `${at}.${k}`, known: HOST_KEYS.join(', ') })));
  const str = (k: string): string | undefined => {
    const v = h[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !SAFE_VALUE.test(v)) throw new InventoryError(where(msg('inv.err.string', { at: `${at}.${k}` })));
    return v;
  };
  const host = str('host');
  if (!host) throw new InventoryError(where(msg('inv.err.noHost', { at })));
  const out: InventoryHost = { host };
  const user = str('user');
  if (user) out.user = user;
  if (h.port !== undefined) {
    if (!Number.isInteger(h.port) || (h.port as number) < 1 || (h.port as number) > 65535) throw new InventoryError(where(msg('inv.err.port', { at })));
    out.port = h.port as number;
  }
  const key = str('identityFile');
  // A key path is relative to the inventory file, so an instructor's folder of inventories and keys moves as one.
  if (key) out.identityFile = key.startsWith('~/') ? path.join(os.homedir(), key.slice(2)) : path.resolve(baseDir, key);
  const jump = str('proxyJump');
  if (jump) out.proxyJump = jump;
  if (h.options !== undefined) {
    if (!isObject(h.options)) throw new InventoryError(where(msg('inv.err.options', { at })));
    const options: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(h.options)) {
      const valueOk = typeof v === 'string' && (k.toLowerCase() === 'proxycommand' ? COMMAND_VALUE : SAFE_VALUE).test(v);
      if (!OPTION_NAME.test(k) || !(typeof v === 'number' || valueOk)) {
        throw new InventoryError(where(msg('inv.err.option', { at: `${at}.options.${k}` })));
      }
      options[k] = v;
    }
    out.options = options;
  }
  return out;
}

/**
 * The ssh config for the nodes. Host keys are learnt on first contact into the cluster's own
 * known_hosts (a rebuilt student VM then needs only `cluster down` to be trusted afresh).
 */
export function renderSshConfig(inv: Inventory, knownHosts: string): string {
  const out = ['# Written by `cnilab cluster up --backend ssh` from the inventory; one Host per node.', ''];
  for (const [name, h] of Object.entries(inv.nodes)) {
    out.push(`Host ${name}`, `  HostName ${h.host}`);
    if (h.user) out.push(`  User ${h.user}`);
    if (h.port) out.push(`  Port ${h.port}`);
    if (h.identityFile) out.push(`  IdentityFile "${h.identityFile}"`, '  IdentitiesOnly yes');
    if (h.proxyJump) out.push(`  ProxyJump ${h.proxyJump}`);
    const options: Record<string, string | number> = { StrictHostKeyChecking: 'accept-new', UserKnownHostsFile: `"${knownHosts}"`, ...h.options };
    for (const [k, v] of Object.entries(options)) out.push(`  ${k} ${v}`);
    out.push('');
  }
  return out.join('\n');
}

/** Whether commands on the node need sudo: only when its login user is not root (unknown → assume so). */
export const needsSudo = (h: InventoryHost) => h.user !== 'root';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
