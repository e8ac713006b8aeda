// A private containerd's config: every path (root, state, sockets, its opt dir) under `dir`, the
// CRI plugin off (it would want /etc/cni and its own sandbox images; `ctr` does not need it).
import * as path from 'node:path';

/** TOML basic strings accept JSON's escapes, which is all a plain path needs. */
const tomlString = (s: string) => JSON.stringify(s);

export function privateContainerdConfig(dir: string, address: string): string {
  return [
    'version = 2',
    `root = ${tomlString(path.join(dir, 'root'))}`,
    `state = ${tomlString(path.join(dir, 'state'))}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = ${tomlString(address)}`,
    '[ttrpc]',
    `  address = ${tomlString(`${address}.ttrpc`)}`,
    '[debug]',
    `  address = ${tomlString(path.join(dir, 'debug.sock'))}`,
    '[plugins]',
    // Default is /opt/containerd on the machine.
    '  [plugins."io.containerd.internal.v1.opt"]',
    `    path = ${tomlString(path.join(dir, 'opt'))}`,
    '',
  ].join('\n');
}
