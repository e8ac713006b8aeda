// Renders every VM node's files into a staging dir, for the Vagrantfile to upload and
// vm/provision.sh to install. The CNI files come from the same functions the netns backend uses
// (src/cluster/nodeConfig.ts); only the paths are a VM's: /opt/cni/bin, /etc/cni/net.d, /var/lib/cni.
//   npx tsx vm/render-node-files.ts --out DIR
// Writes:
//   DIR/provision.sh, DIR/packages.sh                       the provisioning script and its package list
//   DIR/bin/{simplecni,simplecni-ipam,simplecni-node}.cjs   the bundles from dist/ (npm run build)
//   DIR/modes/<mode>/simplecni-cluster.json                 the cluster file, per mode
//   DIR/nodes/<node>/node.env                               role, underlay routes, forwarding
//   DIR/nodes/<node>/ipam.config                            workers
//   DIR/nodes/<node>/modes/<mode>/10-simplecni.conflist     workers, per mode
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { MODES } from '../src/plugin/config.ts';
import { CLUSTER_FILE_NAME, CONF_FILE_NAME, renderClusterFile, renderConflist, renderIpamFile, VM_PATHS } from '../src/cluster/nodeConfig.ts';
import { loadTopology, workers, type NodeSpec } from '../src/cluster/topology.ts';
import { ipamBundle, nodeBundle, pluginBundle } from '../src/shared/paths.ts';

/**
 * A node's underlay routes, as in the netns backend: a worker's default route points at its
 * segment's router, and the router has none. (A VM's eth0, Vagrant's management NIC, keeps only its
 * own subnet, which is all Vagrant and the kit need to ssh in: provision.sh drops the default route
 * DHCP gives it.) So pod traffic no data-plane route covers dies at the router, as the texts show.
 */
export function underlayRoutes(n: NodeSpec): string[] {
  return n.gateway ? [`default via ${n.gateway}`] : [];
}

function write(file: string, content: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

function main() {
  const { values } = parseArgs({ options: { out: { type: 'string' }, topology: { type: 'string' } } });
  if (!values.out) {
    process.stderr.write('usage: npx tsx vm/render-node-files.ts --out DIR [--topology FILE]\n');
    process.exit(2);
  }
  const out = path.resolve(values.out);
  const t = loadTopology(values.topology);
  fs.rmSync(out, { recursive: true, force: true });

  for (const [name, file] of [['simplecni', pluginBundle()], ['simplecni-ipam', ipamBundle()], ['simplecni-node', nodeBundle()]] as const) {
    if (!fs.existsSync(file)) {
      process.stderr.write(`${file} is missing: run \`npm run build\` first\n`);
      process.exit(1);
    }
    write(path.join(out, 'bin', `${name}.cjs`), fs.readFileSync(file, 'utf8'));
  }
  // provision.sh checks and installs the packages listed here; it runs from the staged copy.
  for (const f of ['provision.sh', 'box/packages.sh']) write(path.join(out, path.basename(f)), fs.readFileSync(path.join(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), f), 'utf8'));
  for (const mode of MODES) write(path.join(out, 'modes', mode, CLUSTER_FILE_NAME), renderClusterFile(t, mode));
  const ws = new Set(workers(t).map((w) => w.name));
  for (const n of t.nodes) {
    const dir = path.join(out, 'nodes', n.name);
    const env = [
      `SIMPLECNI_NODE=${n.name}`,
      `SIMPLECNI_ROLE=${n.role}`,
      `SIMPLECNI_FORWARD=${n.role === 'router' ? 1 : 0}`,
      `SIMPLECNI_UNDERLAY_ROUTES="${underlayRoutes(n).join(',')}"`,
      `SIMPLECNI_ADDRESSES="${n.interfaces.map((i) => `${i.name}=${i.address}`).join(' ')}"`,
    ];
    write(path.join(dir, 'node.env'), env.join('\n') + '\n');
    if (!ws.has(n.name)) continue;
    const w = workers(t).find((x) => x.name === n.name)!;
    write(path.join(dir, 'ipam.config'), renderIpamFile(w));
    for (const mode of MODES) write(path.join(dir, 'modes', mode, CONF_FILE_NAME), renderConflist(t, VM_PATHS, mode));
  }
  process.stdout.write(`${out}\n`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('render-node-files.ts')) main();
