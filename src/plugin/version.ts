// Spec versions SimpleCNI speaks, and what each one allows.
import { SUPPORTED_VERSIONS } from '../shared/cniSpec.ts';

export { LATEST_VERSION, SUPPORTED_VERSIONS } from '../shared/cniSpec.ts';

/** Compares dotted versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function isSupportedVersion(v: string): boolean {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

/** The highest version from a `cniVersions` list that this plugin supports (libcni's rule). */
export function pickVersion(candidates: readonly string[]): string | undefined {
  return candidates.filter(isSupportedVersion).sort(compareVersions).at(-1);
}

/** `ips[].version` exists in the 0.3.x / 0.4.0 result format only. */
export const hasIpVersionField = (v: string) => compareVersions(v, '1.0.0') < 0;
export const supportsCheck = (v: string) => compareVersions(v, '0.4.0') >= 0;
export const supportsGcAndStatus = (v: string) => compareVersions(v, '1.1.0') >= 0;
/** `interfaces[].mtu` was added in 1.1.0. */
export const hasInterfaceMtu = (v: string) => compareVersions(v, '1.1.0') >= 0;
