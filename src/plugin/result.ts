// The ADD result, kept internally in the 1.1.0 shape and written out in the caller's version.
import { hasInterfaceMtu, hasIpVersionField } from './version.ts';

export interface ResultInterface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
}

export interface ResultIp {
  address: string;
  gateway?: string;
  interface?: number;
  version?: '4' | '6';
}

export interface ResultRoute {
  dst: string;
  gw?: string;
}

export interface Result {
  cniVersion: string;
  interfaces?: ResultInterface[];
  ips?: ResultIp[];
  routes?: ResultRoute[];
  dns?: { nameservers?: string[]; domain?: string; search?: string[]; options?: string[] };
}

/**
 * Appends what this plugin made to a previous plugin's result (chaining), shifting our
 * `ips[].interface` indexes past the interfaces already listed.
 */
export function mergeResult(prev: Result | undefined, ours: Omit<Result, 'cniVersion'>, cniVersion: string): Result {
  const baseIfaces = prev?.interfaces ?? [];
  const offset = baseIfaces.length;
  return {
    cniVersion,
    interfaces: [...baseIfaces, ...(ours.interfaces ?? [])],
    ips: [
      ...(prev?.ips ?? []),
      ...(ours.ips ?? []).map((ip) => (ip.interface === undefined ? ip : { ...ip, interface: ip.interface + offset })),
    ],
    routes: [...(prev?.routes ?? []), ...(ours.routes ?? [])],
    dns: prev?.dns ?? ours.dns ?? {},
  };
}

/** Writes a result in the format of `cniVersion` (e.g. `ips[].version` only up to 0.4.0). */
export function formatResult(result: Result, cniVersion: string): Result {
  const withVersion = hasIpVersionField(cniVersion);
  const withMtu = hasInterfaceMtu(cniVersion);
  return {
    cniVersion,
    interfaces: (result.interfaces ?? []).map((i) => {
      const { mtu, ...rest } = i;
      return withMtu && mtu !== undefined ? { ...rest, mtu } : rest;
    }),
    ips: (result.ips ?? []).map((ip) => {
      const { version: _drop, ...rest } = ip;
      return withVersion ? { ...rest, version: ip.address.includes(':') ? '6' : '4' } : rest;
    }),
    routes: result.routes ?? [],
    dns: result.dns ?? {},
  };
}
