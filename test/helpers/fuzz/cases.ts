// Fuzz cases for the plugin, generated with fast-check: one mutation per case (a config key, a
// CNI_* variable, the IPAM file, the lease dir), so each case knows which CNI error codes are right
// for it. Case `index` of run `seed` is always the same case: replay it with `npm run fuzz -- --seed S --index I`.
import fc from 'fast-check';
import { MODES, SUPPORTED_VERSIONS } from '../../../src/shared/cniSpec.ts';

/** Where a case may point paths: under the node's own temp dir, never anywhere else on the machine. */
export interface CaseRoots {
  /** The node's temp dir. */
  dir: string;
  ipamFile: string;
  dataDir: string;
  /** A pod netns made by the test (a path that is a real network namespace). */
  podNetns: string;
  /** Scratch under `dir` that a case may fill and that is removed after every case. */
  scratch: string;
}

export interface FuzzCase {
  /** What was mutated, for the report. */
  what: string;
  env: Record<string, string>;
  stdin: string;
  /** Replaces the IPAM file's content for this case (undefined: the good file; null: no file). */
  ipamFile?: string | null;
  /** Files put into the lease dir (<dataDir>/testnet) before the case; a name ending in "/" is a directory. */
  leaseFiles?: { name: string; content: string }[];
  /** The right exit outcome: the codes a correct plugin may answer with (0 = success). */
  codes: readonly number[];
}

export const GOOD_IPAM = { Subnet: '10.244.1.0/24', Gateway: '10.244.1.1' };
const SEED_IPAM = { Subnet: '10.244.1.0', SubnetPrefix: '10.244.1.', Gateway: '10.244.1.1', IPIndex: '1' };
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Linux's rule for an interface name (dev_valid_name): 1-15 bytes, not "." or "..", no "/", ":" or blanks. */
export const validIfName = (s: string) => Buffer.byteLength(s) >= 1 && Buffer.byteLength(s) <= 15 && s !== '.' && s !== '..' && !/[/:\s]/.test(s);

const E = { version: 1, env: 4, io: 5, decode: 6, config: 7, exhausted: 100, attached: 101, kernel: 102, drift: 103, notAvailable: 50 } as const;

// ---------------------------------------------------------------- building blocks

/** Strings that break things: empty, blanks, unicode of every width, control characters, huge. */
const nasty = fc.oneof(
  fc.constantFrom('', ' ', '.', '..', '-', '/', '\\', '"', "'", '\t', '\n', '\r\n', '%s', '${HOME}', '$(id)', '`id`', 'null', 'undefined', 'NaN', '0', '-1', '1e309', 'eth0 ', ' eth0', 'é', 'ü'.repeat(8), '\u202e', '\ufeff', '🐧', '🐧'.repeat(5), 'a'.repeat(16), 'x'.repeat(70000), '../../etc'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\0/g, '')),
  fc.string({ maxLength: 20 }).map((s) => s.repeat(500)),
);
// (No NaN or Infinity: JSON has no such numbers, JSON.stringify writes them as null.)
const nonString = fc.oneof(fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, [], {}, ['a'], { a: 1 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const anyJson = fc.jsonValue({ maxDepth: 4 });
/** JSON nested `depth` levels deep, as text (building it as a value would recurse as deep). */
const deepText = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;

const COMMANDS_WITH_CONF = ['ADD', 'DEL', 'CHECK', 'GC', 'STATUS'] as const;

function baseEnv(command: string, roots: CaseRoots, id = 'fz1'): Record<string, string> {
  return { CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: roots.podNetns, CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' };
}

export function baseConf(roots: CaseRoots): Record<string, unknown> {
  return { cniVersion: '1.1.0', name: 'testnet', type: 'simplecni', ipamFile: roots.ipamFile, dataDir: roots.dataDir, subnet: '10.244.0.0/16' };
}

/** What a good config needs besides itself for each command: CHECK a prevResult, GC the attachment list. */
function completeFor(command: string, conf: Record<string, unknown>, roots: CaseRoots): Record<string, unknown> {
  if (command === 'CHECK' && !('prevResult' in conf)) return { ...conf, prevResult: fakePrevResult(roots) };
  if (command === 'GC' && !('cni.dev/valid-attachments' in conf)) return { ...conf, 'cni.dev/valid-attachments': [] };
  return conf;
}

const fakePrevResult = (roots: CaseRoots) => ({
  cniVersion: '1.1.0',
  interfaces: [{ name: 'simplecni0' }, { name: 'vethdeadbeef' }, { name: 'eth0', sandbox: roots.podNetns }],
  ips: [{ address: '10.244.1.9/24', gateway: '10.244.1.1', interface: 2 }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.244.1.1' }],
});

/**
 * What a good config answers per command on the test's node, where nothing of "fz1" exists:
 * ADD wires it (0), DEL is idempotent (0), CHECK of an attachment that was never made finds drift
 * (103; 3 if the plugin cannot tell), GC with an empty list frees nothing here (0), STATUS is ready (0).
 */
const GOOD: Record<string, readonly number[]> = { ADD: [0], DEL: [0], CHECK: [E.drift, 3], GC: [0], STATUS: [0] };

// ---------------------------------------------------------------- network config mutations

/** A path key's mutation: wrong types, relative, or a path under the scratch dir (never elsewhere). */
const pathValue = (roots: CaseRoots) =>
  fc.oneof(
    nonString.filter((v) => v !== null).map((v) => ({ v, codes: [E.config] })),
    fc.constantFrom('', 'relative/path', './x', '~').map((v) => ({ v: v as unknown, codes: [E.config] })),
    nasty.map((s) => ({ v: `${roots.scratch}/${s.replace(/\//g, '_').slice(0, 200)}` as unknown, codes: [] as number[] })),
  );

function confMutation(roots: CaseRoots): fc.Arbitrary<FuzzCase> {
  const cmd = fc.constantFrom(...COMMANDS_WITH_CONF);
  const keyMut = <T>(key: string, values: fc.Arbitrary<T>, codes: (v: T, command: string) => readonly number[]) =>
    fc.tuple(cmd, values).map(([command, v]) => {
      const conf = completeFor(command, { ...baseConf(roots), [key]: v }, roots);
      return { what: `config "${key}" = ${preview(v)}`, env: baseEnv(command, roots), stdin: JSON.stringify(conf), codes: codes(v, command) };
    });
  // (ipamFile and dataDir are never left out or null: their defaults are paths of this machine, outside the test's dir.)
  const missing = fc.tuple(cmd, fc.constantFrom('cniVersion', 'name', 'type', 'subnet', 'bridge', 'mtu', 'mode', 'ipMasq'), fc.boolean()).map(([command, key, asNull]) => {
    const conf = completeFor(command, baseConf(roots), roots);
    delete conf[key];
    if (asNull) conf[key] = null;
    // Keys with a default may be left out (and null means left out, as in Go's JSON decoding); name, type and cniVersion may not.
    const required = ['cniVersion', 'name', 'type'].includes(key);
    return { what: `config ${asNull ? `with "${key}": null` : `without "${key}"`}`, env: baseEnv(command, roots), stdin: JSON.stringify(conf), codes: required ? [E.config] : GOOD[command]! };
  });
  const extra = fc.tuple(cmd, fc.oneof(nasty, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty')), fc.oneof(anyJson, nasty)).map(([command, k, v]) => {
    const conf = completeFor(command, baseConf(roots), roots);
    const text = JSON.stringify(conf).replace(/^\{/, `{${JSON.stringify(k)}:${JSON.stringify(v)},`);
    return { what: `an extra key ${preview(k)} = ${preview(v)}`, env: baseEnv(command, roots), stdin: text, codes: GOOD[command]! };
  });
  const deep = fc.tuple(cmd, fc.integer({ min: 10, max: 5000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'])).map(([command, depth, [o, c]]) => {
    const conf = completeFor(command, baseConf(roots), roots);
    const text = JSON.stringify(conf).replace(/^\{/, `{"deep":${deepText(depth, o!, c!)},`);
    return { what: `an extra key nested ${depth} deep (${o})`, env: baseEnv(command, roots), stdin: text, codes: GOOD[command]! };
  });
  const notJson = fc.tuple(cmd, fc.oneof(nasty, fc.constantFrom('', '{', '{"cniVersion": ', '[]', '"x"', '42', 'null', 'true', '{"a":1}}', '\ufeff{}'))).map(([command, text]) => ({
    what: `stdin ${preview(text)}`,
    env: baseEnv(command, roots),
    stdin: text,
    // Valid JSON that is not an object fails to decode too; an object without cniVersion is an invalid config.
    codes: isJsonObject(text) ? [E.config, E.version] : [E.decode],
  }));
  const truncated = fc.tuple(cmd, fc.nat()).map(([command, n]) => {
    const full = JSON.stringify(completeFor(command, baseConf(roots), roots));
    const cut = full.slice(0, n % full.length);
    return { what: `stdin cut at ${cut.length} of ${full.length} characters`, env: baseEnv(command, roots), stdin: cut, codes: [E.decode] };
  });
  const version = fc.oneof(
    fc.constantFrom('0.1.0', '0.2.0', '2.0.0', '1.1', '1.1.0 ', 'v1.1.0', '1.0.0-rc1', '9.9.9').map((v) => ({ v: v as unknown, codes: [E.version] })),
    nonString.map((v) => ({ v, codes: [E.config] })),
    fc.constant({ v: '' as unknown, codes: [E.config] }),
    fc.constantFrom(...SUPPORTED_VERSIONS).map((v) => ({ v: v as unknown, codes: [] as number[] })),
  );
  const versionCase = fc.tuple(cmd, version).map(([command, { v, codes }]) => {
    const conf = completeFor(command, { ...baseConf(roots), cniVersion: v }, roots);
    // A supported version: GC and STATUS exist from 1.1.0, CHECK from 0.4.0 on.
    const good = typeof v === 'string' && codes.length === 0;
    const tooOld = good && ((command === 'CHECK' && v < '0.4.0') || ((command === 'GC' || command === 'STATUS') && v !== '1.1.0'));
    return { what: `cniVersion ${preview(v)}`, env: baseEnv(command, roots), stdin: JSON.stringify(conf), codes: good ? (tooOld ? [E.version] : GOOD[command]!) : codes };
  });
  const cniVersions = fc.tuple(cmd, fc.oneof(fc.array(fc.oneof(fc.constantFrom(...SUPPORTED_VERSIONS, '0.1.0', '2.0.0'), nonString as fc.Arbitrary<unknown>), { maxLength: 5 }), nonString)).map(([command, list]) => {
    const conf = completeFor(command, baseConf(roots), roots);
    delete conf.cniVersion;
    conf.cniVersions = list;
    const speaks = Array.isArray(list) && list.some((v) => (SUPPORTED_VERSIONS as readonly unknown[]).includes(v));
    return { what: `only "cniVersions": ${preview(list)}`, env: baseEnv(command, roots), stdin: JSON.stringify(conf), codes: Array.isArray(list) ? (speaks ? [...GOOD[command]!, E.version] : [E.version]) : [E.config] };
  });
  const prevResult = fc.tuple(fc.constantFrom('ADD', 'CHECK', 'DEL'), prevResultVariant(roots)).map(([command, { v, codes }]) => {
    const conf = { ...baseConf(roots), prevResult: v };
    return { what: `prevResult ${preview(v)}`, env: baseEnv(command, roots), stdin: JSON.stringify(conf), codes: codes[command]! };
  });
  const attachments = fc.tuple(fc.constant('GC'), fc.oneof(nonString, fc.array(fc.oneof(anyJson, fc.record({ containerID: nasty, ifname: nasty })), { maxLength: 4 }))).map(([command, v]) => {
    const conf = { ...baseConf(roots), 'cni.dev/valid-attachments': v };
    const ok = Array.isArray(v) && v.every((a) => typeof a === 'object' && a !== null && typeof (a as any).containerID === 'string' && typeof (a as any).ifname === 'string');
    return { what: `cni.dev/valid-attachments ${preview(v)}`, env: baseEnv(command, roots), stdin: JSON.stringify(conf), codes: ok ? [0] : [E.config] };
  });
  const str = (ok: (s: string) => boolean, goodCodes: readonly number[] = []) => (v: unknown, command: string) =>
    typeof v === 'string' && ok(v) ? (goodCodes.length ? goodCodes : GOOD[command]!) : [E.config];
  return fc.oneof(
    { arbitrary: missing, weight: 2 },
    { arbitrary: extra, weight: 3 },
    { arbitrary: deep, weight: 1 },
    { arbitrary: notJson, weight: 2 },
    { arbitrary: truncated, weight: 2 },
    { arbitrary: versionCase, weight: 2 },
    { arbitrary: cniVersions, weight: 1 },
    { arbitrary: prevResult, weight: 3 },
    { arbitrary: attachments, weight: 1 },
    { arbitrary: keyMut('name', fc.oneof(nasty, nonString), (v, c) => str((s) => CONTAINER_ID.test(s))(v, c)), weight: 2 },
    { arbitrary: keyMut('type', fc.oneof(nasty, nonString), (v, c) => str((s) => s !== '')(v, c)), weight: 1 },
    // A bridge name the kernel takes gets a bridge of its own, whose new gateway the node agrees with.
    { arbitrary: keyMut('bridge', fc.oneof(nasty, nonString.filter((v) => v !== null)), (v, c) => (typeof v === 'string' && validIfName(v) ? [...GOOD[c]!, E.config] : [E.config])), weight: 2 },
    { arbitrary: keyMut('subnet', fc.oneof(nasty, nonString.filter((v) => v !== null), fc.constantFrom('10.244.0.0/16', '10.0.0.0/8', '10.244.1.0/24', '10.245.0.0/16', '0.0.0.0/0', '10.244.0.0/33', '10.244.0.0', '::/0', 'fe80::/64', '10.244.0.0/-1', '300.1.1.1/8')), (v, c) => subnetCodes(v, c)), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom('ipamFile', 'dataDir', 'logFile'), cmd, pathValue(roots)).map(([key, command, { v, codes }]) => {
      const conf = completeFor(command, { ...baseConf(roots), [key]: v }, roots);
      // A fresh path: no IPAM file there (5 on ADD/STATUS), an empty lease dir, a new log file.
      const fresh = key === 'ipamFile' ? { ADD: [E.io], DEL: [0], CHECK: [E.drift, 3, E.io], GC: [0, E.io], STATUS: [E.notAvailable, E.io] }[command]! : [...GOOD[command]!, E.io];
      return { what: `config "${key}" = ${preview(v)}`, env: baseEnv(command, roots), stdin: JSON.stringify(conf), codes: codes.length ? codes : fresh };
    }), weight: 3 },
    { arbitrary: keyMut('mtu', fc.oneof(nonString.filter((v) => v !== null), fc.constantFrom(575, 576, 1280, 1500, 9000, 65535, 65536, 0, -1, 1500.5, '1500')), (v, c) => (typeof v === 'number' && Number.isInteger(v) && v >= 576 && v <= 65535 ? GOOD[c]! : [E.config])), weight: 2 },
    { arbitrary: keyMut('ipMasq', fc.oneof(nonString.filter((v) => v !== null), fc.constantFrom('true', 'false', 1)), (v, c) => (typeof v === 'boolean' ? [...GOOD[c]!, E.kernel] : [E.config])), weight: 1 },
    { arbitrary: keyMut('mode', fc.oneof(nasty, nonString.filter((v) => v !== null), fc.constantFrom(...MODES)), (v, c) => (typeof v === 'string' && (MODES as readonly string[]).includes(v) ? GOOD[c]! : [E.config])), weight: 1 },
    { arbitrary: keyMut('debug', fc.oneof(nonString, fc.constantFrom('yes', 1)), (v, c) => (typeof v === 'boolean' ? GOOD[c]! : [E.config])), weight: 1 },
  );
}

function subnetCodes(v: unknown, command: string): readonly number[] {
  if (typeof v !== 'string' || !/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.test(v)) return [E.config];
  const [a, len] = v.split('/') as [string, string];
  if (Number(len) > 32 || a.split('.').some((o) => Number(o) > 255)) return [E.config];
  // The node subnet 10.244.1.0/24 must lie inside the cluster subnet; ADD reads the IPAM file to know.
  const inside = ['10.244.0.0/16', '10.0.0.0/8', '10.244.1.0/24', '0.0.0.0/0'].includes(v);
  return inside ? GOOD[command]! : command === 'ADD' || command === 'STATUS' ? [E.config, E.notAvailable] : [...GOOD[command]!, E.config];
}

function prevResultVariant(roots: CaseRoots): fc.Arbitrary<{ v: unknown; codes: Record<string, readonly number[]> }> {
  const good = fakePrevResult(roots);
  const field = fc.constantFrom('interfaces', 'ips', 'routes', 'dns', 'cniVersion');
  return fc.oneof(
    // Not an object at all: an invalid config for every command.
    nonString.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => ({ v, codes: { ADD: [E.config], CHECK: [E.config], DEL: [0, E.config] } })),
    // An object whose fields have the wrong types or shapes.
    fc.tuple(field, fc.oneof(nonString, anyJson, fc.array(fc.oneof(anyJson, nonString), { maxLength: 3 }))).map(([k, bad]) => ({
      v: { ...good, [k]: bad },
      codes: { ADD: [0, E.config], CHECK: [E.config, E.drift, 3], DEL: [0, E.config] },
    })),
    fc.constant({ v: {}, codes: { ADD: [0, E.config], CHECK: [E.config, E.drift], DEL: [0, E.config] } }),
    fc.constant({ v: good, codes: { ADD: [0], CHECK: [E.drift, 3], DEL: [0] } }),
    fc.integer({ min: 1, max: 3000 }).map((n) => ({
      v: { ...good, interfaces: Array.from({ length: n }, (_, i) => ({ name: `if${i}` })) },
      codes: { ADD: [0, E.config], CHECK: [E.config, E.drift], DEL: [0] },
    })),
  );
}

// ---------------------------------------------------------------- env mutations

function envMutation(roots: CaseRoots): fc.Arbitrary<FuzzCase> {
  const vars = ['CNI_COMMAND', 'CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_ARGS', 'CNI_PATH'] as const;
  const value = fc.oneof(
    fc.constant<string | undefined>(undefined),
    fc.constant(''),
    nasty.map((s) => s.slice(0, 100_000)),
    fc.constantFrom('x'.repeat(100_000), 'ADD', 'add', 'DEL ', 'VERSION', 'IgnoreUnknown=1;K8S_POD_NAME=a', `${roots.scratch}/nothing-here`, roots.scratch, '/dev/null'),
  );
  return fc.tuple(fc.constantFrom(...COMMANDS_WITH_CONF, 'VERSION'), fc.constantFrom(...vars), value).map(([command, name, v]) => {
    const env = baseEnv(command, roots);
    let safe = v;
    // A CNI_NETNS the plugin would act on stays inside the test's dir: never another namespace of this machine.
    if (name === 'CNI_NETNS' && safe !== undefined && safe.startsWith('/') && !safe.startsWith(roots.dir) && safe !== '/dev/null') safe = `${roots.scratch}/${safe.replace(/\//g, '_')}`;
    if (safe === undefined) delete env[name];
    else env[name] = safe;
    const conf = completeFor(command, baseConf(roots), roots);
    return { what: `${name} ${safe === undefined ? 'missing' : `= ${preview(safe)}`} for ${command}`, env, stdin: JSON.stringify(conf), codes: envCodes(command, name, safe, roots) };
  });
}

function envCodes(command: string, name: string, v: string | undefined, roots: CaseRoots): readonly number[] {
  const needsContainer = ['ADD', 'DEL', 'CHECK'].includes(command);
  switch (name) {
    case 'CNI_COMMAND':
      if (v === undefined || v === '') return [0]; // run by hand: the plugin says what it is, on stderr
      return ['ADD', 'DEL', 'CHECK', 'GC', 'STATUS', 'VERSION'].includes(v) ? [...(GOOD[v] ?? [0]), E.config, E.version] : [E.env];
    case 'CNI_CONTAINERID':
      if (!needsContainer) return GOOD[command] ?? [0];
      return v !== undefined && CONTAINER_ID.test(v) ? GOOD[command]! : [E.env];
    case 'CNI_IFNAME':
      if (!needsContainer) return GOOD[command] ?? [0];
      if (v === undefined || !validIfName(v)) return [E.env];
      // Another name than eth0 in the pod: ADD makes it; CHECK of the fake result finds no such interface.
      return command === 'CHECK' ? [E.config, E.drift] : GOOD[command]!;
    case 'CNI_NETNS':
      if (command === 'DEL' || !needsContainer) return GOOD[command] ?? [0];
      if (v === undefined || v === '') return [E.env];
      if (v === roots.podNetns) return GOOD[command]!;
      // Not a network namespace: ADD must say so (4) before it touches anything; CHECK cannot enter it.
      return command === 'ADD' ? [E.env] : [E.env, 3, E.config, E.drift];
    default:
      return GOOD[command] ?? [0]; // CNI_ARGS and CNI_PATH: nothing SimpleCNI reads
  }
}

// ---------------------------------------------------------------- IPAM file and lease dir mutations

function ipamMutation(roots: CaseRoots): fc.Arbitrary<FuzzCase> {
  const variants: fc.Arbitrary<{ text: string | null; what: string; codes: readonly number[] }> = fc.oneof(
    fc.constantFrom(GOOD_IPAM, SEED_IPAM, { ...SEED_IPAM, IPIndex: 'x' }, { ...SEED_IPAM, IPIndex: 99999 }, { ...GOOD_IPAM, Extra: [1, 2] }).map((o) => ({ text: JSON.stringify(o), what: `IPAM file ${JSON.stringify(o)}`, codes: [0] })),
    fc.tuple(fc.constantFrom(GOOD_IPAM, SEED_IPAM), fc.nat()).map(([o, n]) => {
      const t = JSON.stringify(o);
      const cut = t.slice(0, n % t.length);
      return { text: cut, what: `IPAM file cut to ${preview(cut)}`, codes: [E.config] };
    }),
    fc.tuple(fc.constantFrom('Subnet', 'Gateway', 'SubnetPrefix'), fc.oneof(nonString, nasty)).map(([k, v]) => ({ text: JSON.stringify({ ...SEED_IPAM, [k]: v }), what: `IPAM file with "${k}" = ${preview(v)}`, codes: [E.config] })),
    fc.constantFrom(
      // Outside the cluster subnet 10.244.0.0/16, malformed, or too small / wrong gateway.
      { Subnet: '10.245.1.0/24', Gateway: '10.245.1.1' }, { Subnet: '192.168.56.0/24', Gateway: '192.168.56.1' }, { Subnet: '10.0.0.0/8', Gateway: '10.0.0.1' },
      { Subnet: '10.244.1.0/31', Gateway: '10.244.1.0' }, { Subnet: '10.244.1.0/24', Gateway: '10.244.2.1' }, { Subnet: '10.244.1.0/24', Gateway: '10.244.1.255' },
      { Subnet: '10.244.1.1/24', Gateway: '10.244.1.2' }, { Subnet: '10.244.1.0/40', Gateway: '10.244.1.1' }, { Subnet: 'fe80::/64', Gateway: 'fe80::1' },
      { Subnet: '10.244.1.0', SubnetPrefix: '10.244.2.', Gateway: '10.244.1.1' }, { Subnet: '10.244.1.0', Gateway: '10.244.1.1' }, {},
    ).map((o) => ({ text: JSON.stringify(o), what: `IPAM file ${JSON.stringify(o)}`, codes: [E.config] })),
    fc.oneof(nasty, fc.constantFrom('[]', 'null', '"x"', '42', '{"Subnet":"10.244.1.0/24","Gateway":"10.244.1.1"', '\ufeff{"Subnet":"10.244.1.0/24","Gateway":"10.244.1.1"}')).map((t) => ({ text: t, what: `IPAM file ${preview(t)}`, codes: [E.config] })),
    fc.constant({ text: null, what: 'no IPAM file', codes: [E.io] }),
  );
  return variants.map(({ text, what, codes }) => ({ what, env: baseEnv('ADD', roots), stdin: JSON.stringify(baseConf(roots)), ipamFile: text, codes }));
}

function leaseMutation(roots: CaseRoots): fc.Arbitrary<FuzzCase> {
  const name = fc.oneof(fc.constantFrom('10.244.1.2', '10.244.1.3', '10.244.1.1', '10.244.1.255', '10.244.2.7', '999.1.1.1', '0.0.0.0', 'last_reserved_ip', '.tmp-1-abc', '.tmp-99999999-x', 'lock'), nasty.filter((s) => s !== '' && !s.includes('/') && s !== '.' && s !== '..' && Buffer.byteLength(s) < 200));
  const content = fc.oneof(fc.constantFrom('', 'fz1', 'fz1\r\neth0', 'other\r\neth0', '\r\n', '\n\n\n', '10.244.1.9', '10.244.1.300', 'x'.repeat(100_000)), nasty);
  const file = fc.tuple(name, content, fc.boolean()).map(([n, c, isDir]) => ({ name: isDir ? `${n}/` : n, content: c }));
  return fc.tuple(fc.constantFrom('ADD', 'DEL', 'GC', 'STATUS'), fc.array(file, { minLength: 1, maxLength: 4 })).map(([command, files]) => {
    const conf = completeFor(command, baseConf(roots), roots);
    // A directory where a lease should be cannot be read as one: an I/O error is right for it.
    const dirLease = files.some((f) => f.name.endsWith('/') && /^\d+\.\d+\.\d+\.\d+\/$/.test(f.name));
    const codes = [...GOOD[command]!, ...(command === 'ADD' ? [E.attached] : []), ...(command === 'STATUS' ? [E.notAvailable, 51] : []), ...(dirLease ? [E.io] : [])];
    return { what: `lease dir holds ${files.map((f) => `${preview(f.name)} (${f.name.endsWith('/') ? 'a directory' : preview(f.content)})`).join(', ')}`, env: baseEnv(command, roots), stdin: JSON.stringify(conf), leaseFiles: files, codes };
  });
}

// ---------------------------------------------------------------- the case for (seed, index)

export function caseArbitrary(roots: CaseRoots): fc.Arbitrary<FuzzCase> {
  return fc.oneof({ arbitrary: confMutation(roots), weight: 5 }, { arbitrary: envMutation(roots), weight: 3 }, { arbitrary: ipamMutation(roots), weight: 2 }, { arbitrary: leaseMutation(roots), weight: 2 });
}

/** Case `index` of the run with `seed`: the same on every machine, without generating the cases before it. */
export function caseAt(roots: CaseRoots, seed: number, index: number): FuzzCase {
  const caseSeed = (seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0;
  return fc.sample(caseArbitrary(roots), { seed: caseSeed, numRuns: 1 })[0]!;
}

function isJsonObject(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

export function preview(v: unknown, n = 80): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;
}
