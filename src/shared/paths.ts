// Where the kit lives on disk, found from this module's own location (works from src/ and from the dist/ bundle).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function repoRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'simplecni-lab') return (cached = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the SimpleCNI Lab folder (package.json named "simplecni-lab") above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const topologyFile = () => path.join(repoRoot(), 'vm', 'topology.json');
/** The bundled plugin that nodes run (built by `npm run build`). */
export const pluginBundle = () => path.join(repoRoot(), 'dist', 'simplecni.cjs');
/** The bundled node command (programs cross-node routes on a node). */
export const nodeBundle = () => path.join(repoRoot(), 'dist', 'simplecni-node.cjs');
/** The bundled IPAM plugin (lab 03). */
export const ipamBundle = () => path.join(repoRoot(), 'dist', 'simplecni-ipam.cjs');
/** The simulated kernel's programs (ip, bridge, ping… on a sim node), one bundle. */
export const simBundle = () => path.join(repoRoot(), 'dist', 'simkernel.cjs');
/** The plugin host for simulated nodes: runs a plugin bundle against the simulated kernel (a worker, or a shim's launcher). */
export const simHostBundle = () => path.join(repoRoot(), 'dist', 'simhost.cjs');
