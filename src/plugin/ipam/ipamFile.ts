// The node's IPAM file: which subnet this node hands out and its gateway.
// Two forms are accepted:
//   seed form: {"Subnet":"10.244.1.0","SubnetPrefix":"10.244.1.","Gateway":"10.244.1.1","IPIndex":"1"}
//   CIDR form: {"Subnet":"10.244.1.0/24","Gateway":"10.244.1.1"}
// The seed's IPIndex counter is read but never trusted for allocation: leases live in dataDir.
import ipaddr from 'ipaddr.js';
import { CniError, ErrCode } from '../errors.ts';

export interface IpamRange {
  /** e.g. "10.244.1.0/24" */
  subnet: string;
  network: string;
  prefixLength: number;
  gateway: string;
  broadcast: string;
}

/** Parses the file's text. `file` is only used to name the file in error messages. */
export function parseIpamFile(text: string, file: string): IpamRange {
  const bad = (why: string) => new CniError(ErrCode.InvalidConfig, `invalid IPAM file "${file}": ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw bad(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('expected a JSON object');
  const f = raw as Record<string, unknown>;
  if (typeof f.Subnet !== 'string') throw bad('"Subnet" must be a string such as "10.244.1.0/24" or "10.244.1.0"');
  if (typeof f.Gateway !== 'string') throw bad('"Gateway" must be a string such as "10.244.1.1"');

  let network: ipaddr.IPv4;
  let prefixLength: number;
  if (f.Subnet.includes('/')) {
    try {
      const [addr, len] = ipaddr.IPv4.parseCIDR(f.Subnet);
      [network, prefixLength] = [addr, len];
    } catch {
      throw bad(`"Subnet" ${JSON.stringify(f.Subnet)} is not an IPv4 CIDR`);
    }
  } else {
    // Seed form: the prefix length is implied by SubnetPrefix, e.g. "10.244.1." -> 3 octets -> /24.
    if (!ipaddr.IPv4.isValidFourPartDecimal(f.Subnet)) throw bad(`"Subnet" ${JSON.stringify(f.Subnet)} is not an IPv4 address`);
    if (typeof f.SubnetPrefix !== 'string' || !/^(\d{1,3}\.){1,3}$/.test(f.SubnetPrefix)) {
      throw bad('without a "/len" in "Subnet", "SubnetPrefix" must give the fixed octets, such as "10.244.1."');
    }
    if (!f.Subnet.startsWith(f.SubnetPrefix)) {
      throw bad(`"SubnetPrefix" ${JSON.stringify(f.SubnetPrefix)} does not match "Subnet" ${JSON.stringify(f.Subnet)}`);
    }
    network = ipaddr.IPv4.parse(f.Subnet);
    prefixLength = (f.SubnetPrefix.split('.').length - 1) * 8;
  }
  const networkAddr = ipaddr.IPv4.networkAddressFromCIDR(`${network.toString()}/${prefixLength}`);
  if (networkAddr.toString() !== network.toString()) {
    throw bad(`"Subnet" ${network.toString()}/${prefixLength} has host bits set; the network address is ${networkAddr.toString()}`);
  }
  if (prefixLength > 30) throw bad(`subnet /${prefixLength} is too small to allocate from (at most /30)`);
  const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(`${network.toString()}/${prefixLength}`).toString();

  if (!ipaddr.IPv4.isValidFourPartDecimal(f.Gateway)) throw bad(`"Gateway" ${JSON.stringify(f.Gateway)} is not an IPv4 address`);
  const gw = ipaddr.IPv4.parse(f.Gateway);
  if (!gw.match(network, prefixLength)) throw bad(`"Gateway" ${f.Gateway} is outside the subnet ${network.toString()}/${prefixLength}`);
  if (f.Gateway === network.toString() || f.Gateway === broadcast) {
    throw bad(`"Gateway" ${f.Gateway} is the network or broadcast address of the subnet`);
  }
  return {
    subnet: `${network.toString()}/${prefixLength}`,
    network: network.toString(),
    prefixLength,
    gateway: gw.toString(),
    broadcast,
  };
}

export const ipToInt = (ip: string) => ipaddr.IPv4.parse(ip).toByteArray().reduce((n, b) => n * 256 + b, 0);
export const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** How many addresses a pod can get: the subnet minus network, broadcast and gateway. */
export const usableCount = (r: IpamRange) => 2 ** (32 - r.prefixLength) - 3;

/** True if `inner` lies within `outer` (both CIDRs). */
export function cidrContains(outer: string, inner: string): boolean {
  const [oAddr, oLen] = ipaddr.IPv4.parseCIDR(outer);
  const [iAddr, iLen] = ipaddr.IPv4.parseCIDR(inner);
  return iLen >= oLen && iAddr.match(oAddr, oLen);
}
