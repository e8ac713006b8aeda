// A simulated node's own files, at the paths a real node has them (the lab text's paths): its CNI
// config, IPAM file and cluster file rendered by the same code every backend uses, the CNI bin dir
// with one small script per program, and the dirs the plugin and the runtime write to.
import type { Mode } from '../../plugin/config.ts';
import { CONF_FILE_NAME, renderClusterFile, renderConflist, renderIpamFile, VM_PATHS, type NodePaths } from '../../cluster/nodeConfig.ts';
import type { NodeSpec, Topology, WorkerNode } from '../../cluster/topologyModel.ts';

/** A node of the machine sees its CNI files where a VM does. */
export const MACHINE_PATHS: NodePaths = VM_PATHS;

/** Where pods' network namespaces are pinned (as on ssh nodes: the path names the node, so it is unique in the cluster). */
export const podNetnsDir = (node: string) => `/run/simplecni-lab/pods/${node}`;

/** The programs a worker's CNI bin dir holds. */
export const CNI_PROGRAMS = ['simplecni', 'simplecni-ipam', 'simplecni-node'] as const;

/** The hidden command a program's script calls: it runs whatever the engine bound to that path. */
export const RUN_PROGRAM = '__machine_program';

/** The script at a program's path: it hands its arguments to the program bound there. */
export function programScript(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return `#!/bin/sh\n# ${name}: a program of this simulated node, run in the page (not a shell script).\n${RUN_PROGRAM} ${path} "$@"\n`;
}

export interface FileSpec {
  content: string;
  mode: number;
}

/** Every file a fresh node has; directories are implied by the paths, plus the empty ones listed in `dirs`. */
export function renderNodeFiles(t: Topology, node: NodeSpec, mode: Mode): { files: Record<string, FileSpec>; dirs: string[] } {
  const files: Record<string, FileSpec> = {
    '/etc/hostname': { content: `${node.name}\n`, mode: 0o644 },
    '/root/.bashrc': { content: `# ${node.name}: a node of the simulated cluster. ip, bridge, ping, tcpdump… answer from the simulated kernel.\n`, mode: 0o644 },
  };
  const dirs = ['/root', '/tmp', '/run/netns', '/var/run', podNetnsDir(node.name)];
  if (node.role === 'worker') {
    const p = MACHINE_PATHS;
    const w = node as WorkerNode;
    files[`${p.confDir}/${CONF_FILE_NAME}`] = { content: renderConflist(t, p, mode), mode: 0o644 };
    files[p.ipamFile] = { content: renderIpamFile(w), mode: 0o644 };
    files[p.clusterFile] = { content: renderClusterFile(t, mode), mode: 0o644 };
    for (const prog of CNI_PROGRAMS) files[`${p.binDir}/${prog}`] = { content: programScript(`${p.binDir}/${prog}`), mode: 0o755 };
    dirs.push(p.dataDir, p.cacheDir);
  }
  return { files, dirs };
}

/** The node shell's environment (what a root login on a node has, plus the kit's variables). */
export function nodeEnv(node: NodeSpec): Record<string, string> {
  return {
    HOME: '/root',
    USER: 'root',
    LOGNAME: 'root',
    HOSTNAME: node.name,
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    SIMPLECNI_NODE: node.name,
    ...(node.role === 'worker' ? { SIMPLECNI_CLUSTER_FILE: MACHINE_PATHS.clusterFile, CNI_PATH: MACHINE_PATHS.binDir } : {}),
  };
}
