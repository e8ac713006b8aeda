// Facts of the CNI spec and of the packet formats that the plugin and the checks both hold to.
// The plugin imports them (it is the student's artefact, so this file travels with it into every
// workspace); the checks import them too, so a check never reaches into the reference solution.

/** The CNI spec versions the course's plugin must speak (VERSION lists them all). */
export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export const LATEST_VERSION = '1.1.0';

/** The cross-node data planes the course builds. */
export const MODES = ['host-gw', 'ipip', 'ipip-crosssubnet', 'vxlan'] as const;
export type Mode = (typeof MODES)[number];

/** Bytes of encapsulation each mode adds to a pod's packet (outer IP 20; VXLAN adds UDP 8 + VXLAN 8 + inner Ethernet 14). */
export const MODE_OVERHEAD: Record<Mode, number> = {
  'host-gw': 0,
  ipip: 20,
  'ipip-crosssubnet': 20,
  vxlan: 50,
};
