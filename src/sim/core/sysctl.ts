// sysctl(8) (procps-ng) on the simulated kernel: the net.ipv4 keys of the namespace it runs in,
// and br_netfilter's net.bridge.bridge-nf-call-iptables.
// `sysctl [-w] [-q] [-n] [-e] [-a] key[=value]…`; per-interface keys (net.ipv4.conf.IF.rp_filter)
// exist for all, default and every link (a dot in a link name is a slash, as in /proc/sys).
import { currentNs, type Command } from './command.ts';
import type { SimNetns } from './model.ts';

const CONF_KEYS: Record<string, { def: string; max?: number }> = {
  forwarding: { def: '0', max: 1 },
  rp_filter: { def: '0', max: 2 },
  arp_ignore: { def: '0', max: 8 },
  arp_announce: { def: '0', max: 2 },
  proxy_arp: { def: '0', max: 1 },
  accept_local: { def: '0', max: 1 },
  send_redirects: { def: '1', max: 1 },
  accept_redirects: { def: '1', max: 1 },
};

const GLOBAL_KEYS: Record<string, { def: string; min?: number; max?: number }> = {
  'net.ipv4.ip_forward': { def: '0', min: 0, max: 1 },
  'net.ipv4.ip_default_ttl': { def: '64', min: 1, max: 255 },
  'net.ipv4.ip_no_pmtu_disc': { def: '0', min: 0, max: 3 },
  'net.ipv4.icmp_echo_ignore_all': { def: '0', min: 0, max: 1 },
  // br_netfilter, loaded (as on the kit's Linux hosts): bridged IPv4 meets the ip hooks when 1,
  // the kernel's default in every namespace since Linux 5.3. Its other keys are not modelled.
  'net.bridge.bridge-nf-call-iptables': { def: '1', min: 0, max: 1 },
};

const confNames = (ns: SimNetns) => ['all', 'default', ...ns.links.map((l) => l.name.replace(/\./g, '/'))];

/** Every key of the namespace, sorted as `sysctl -a` lists them. */
export function sysctlKeys(ns: SimNetns): string[] {
  const keys = new Set(Object.keys(GLOBAL_KEYS));
  for (const c of confNames(ns)) for (const k of Object.keys(CONF_KEYS)) keys.add(`net.ipv4.conf.${c}.${k}`);
  for (const k of Object.keys(ns.sysctl)) if (exists(ns, k)) keys.add(k);
  return [...keys].sort();
}

function exists(ns: SimNetns, key: string): boolean {
  if (key in GLOBAL_KEYS) return true;
  const m = /^net\.ipv4\.conf\.([^.]+)\.([a-z_]+)$/.exec(key);
  return !!m && confNames(ns).includes(m[1]!) && m[2]! in CONF_KEYS;
}

export function readSysctl(ns: SimNetns, key: string): string | undefined {
  if (!exists(ns, key)) return undefined;
  if (key in ns.sysctl) return ns.sysctl[key];
  if (key in GLOBAL_KEYS) return GLOBAL_KEYS[key]!.def;
  const [, dev, k] = /^net\.ipv4\.conf\.([^.]+)\.([a-z_]+)$/.exec(key)!;
  if (k === 'forwarding') return ns.sysctl['net.ipv4.ip_forward'] ?? '0';
  if (dev !== 'all' && dev !== 'default') return ns.sysctl[`net.ipv4.conf.default.${k}`] ?? CONF_KEYS[k!]!.def;
  return CONF_KEYS[k!]!.def;
}

/** Writes a key; the kernel's answer as an errno text, or undefined on success. */
export function writeSysctl(ns: SimNetns, key: string, value: string): 'No such file or directory' | 'Invalid argument' | undefined {
  if (!exists(ns, key)) return 'No such file or directory';
  const v = value.trim();
  if (!/^-?\d+$/.test(v)) return 'Invalid argument';
  const n = Number(v);
  const conf = /^net\.ipv4\.conf\.([^.]+)\.([a-z_]+)$/.exec(key);
  const lim = conf ? { min: 0, max: CONF_KEYS[conf[2]!]!.max } : GLOBAL_KEYS[key]!;
  if ((lim.min !== undefined && n < lim.min) || (lim.max !== undefined && n > lim.max)) return 'Invalid argument';
  ns.sysctl[key] = String(n);
  // ip_forward and conf.all.forwarding are one switch: setting either sets every interface's.
  if (key === 'net.ipv4.ip_forward' || key === 'net.ipv4.conf.all.forwarding') {
    ns.sysctl['net.ipv4.ip_forward'] = String(n);
    for (const c of confNames(ns)) ns.sysctl[`net.ipv4.conf.${c}.forwarding`] = String(n);
  }
  return undefined;
}

/**
 * A namespace's sysctls as the files under /proc/sys (the plugin host's HostSysctls): `ns()` gives
 * the namespace as it is now, `update` runs a change on it and saves it.
 */
export function procSysOf(ns: () => SimNetns, update: (change: (ns: SimNetns) => string | undefined) => string | undefined) {
  return {
    keys: () => sysctlKeys(ns()),
    read: (key: string) => readSysctl(ns(), key),
    write(key: string, value: string): 'ENOENT' | 'EINVAL' | undefined {
      const refused = update((n) => writeSysctl(n, key, value));
      return refused === undefined ? undefined : refused === 'Invalid argument' ? 'EINVAL' : 'ENOENT';
    },
  };
}

export const sysctl: Command = (ctx, args) => {
  const ns = currentNs(ctx);
  let write = false;
  let quiet = false;
  let valuesOnly = false;
  let ignore = false;
  let all = false;
  const items: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') && a.length > 1 && !a.startsWith('--')) {
      for (const f of a.slice(1)) {
        if (f === 'w') write = true;
        else if (f === 'q') quiet = true;
        else if (f === 'n') valuesOnly = true;
        else if (f === 'e') ignore = true;
        else if (f === 'a' || f === 'A' || f === 'X') all = true;
        else if (f === 'N' || f === 'b') {
          /* accepted */
        } else return { code: 2, stdout: '', stderr: `sysctl: invalid option -- '${f}'\n\nUsage:\n sysctl [options] [variable[=value] ...]\n` };
      }
    } else if (a === '--all') all = true;
    else if (a === '--write') write = true;
    else if (a === '--quiet') quiet = true;
    else if (a === '--values') valuesOnly = true;
    else if (a === '--ignore') ignore = true;
    else items.push(a);
  }
  let stdout = '';
  let stderr = '';
  let code = 0;
  const show = (key: string, value: string) => (valuesOnly ? `${value}\n` : `${key} = ${value}\n`);
  if (all && items.length === 0) {
    for (const k of sysctlKeys(ns)) stdout += show(k, readSysctl(ns, k)!);
    return { code: 0, stdout, stderr };
  }
  if (items.length === 0) return { code: 2, stdout: '', stderr: 'sysctl: no variables specified\nTry `sysctl --help\' for more information.\n' };
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = (eq >= 0 ? item.slice(0, eq) : item).trim().replace(/\//g, '.');
    const path = `/proc/sys/${key.replace(/\./g, '/')}`;
    if (eq >= 0 || write) {
      if (eq < 0) {
        stderr += `sysctl: "${item}" must be of the form name=value\n`;
        code = 1;
        continue;
      }
      const value = item.slice(eq + 1).trim();
      const e = writeSysctl(ns, key, value);
      if (e === 'No such file or directory') {
        if (!ignore) {
          stderr += `sysctl: cannot stat ${path}: No such file or directory\n`;
          code = 1;
        }
      } else if (e) {
        stderr += `sysctl: setting key "${key}": ${e}\n`;
        code = 1;
      } else if (!quiet) stdout += show(key, readSysctl(ns, key)!);
    } else {
      const v = readSysctl(ns, key);
      if (v === undefined) {
        if (!ignore) {
          stderr += `sysctl: cannot stat ${path}: No such file or directory\n`;
          code = 1;
        }
      } else stdout += show(key, v);
    }
  }
  return { code, stdout, stderr };
};
