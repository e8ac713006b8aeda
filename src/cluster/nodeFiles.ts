// Writing a node's files: its CNI config (conflist, IPAM file, cluster file), the plugin bundles
// with their shims, and its shell setup. Every backend does this the same way; only where the
// node's /etc/cni lives on this machine differs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mode } from '../plugin/config.ts';
import { bundleShim } from '../shared/bundleShim.ts';
import { scriptForm } from '../shared/scriptForm.ts';
import { ipamBundle, nodeBundle, pluginBundle } from '../shared/paths.ts';
import { CLUSTER_FILE_NAME, CONF_FILE_NAME, renderClusterFile, renderConflist, renderIpamFile, type NodePaths } from './nodeConfig.ts';
import type { Topology, WorkerNode } from './topology.ts';
import { msg, TextError } from '../i18n/text.ts';

export interface Bundles {
  simplecni: string;
  'simplecni-ipam': string;
  'simplecni-node': string;
}

export const referenceBundles = (): Bundles => ({ simplecni: pluginBundle(), 'simplecni-ipam': ipamBundle(), 'simplecni-node': nodeBundle() });

/** Where a node's files are: its /etc/cni as a path on this machine, and its paths as the node sees them. */
export interface NodeDirs {
  /** This machine's path of the node's /etc/cni (bin/, net.d/, ipam.config, the cluster file). */
  etcDir: string;
  paths: NodePaths;
  /** The node's private dir on this machine (bashrc, history). */
  nodeDir: string;
  /** More dirs the backend needs made (pod netns dir…). */
  extraDirs?: string[];
  /** Extra lines for the node shell's bashrc. */
  bashrc?: string[];
  /** A program that runs the bundles on this node (the sim's plugin host); none: Node.js runs them. */
  launcher?: string;
}

/** Installs the node's network config, cluster file and IPAM file (and the plugin, where none is). Safe to repeat. */
export function installNodeFiles(t: Topology, n: WorkerNode, mode: Mode, d: NodeDirs) {
  const bin = path.join(d.etcDir, 'bin');
  for (const dir of [path.join(d.etcDir, 'net.d'), bin, d.paths.dataDir, d.paths.cacheDir, ...(d.extraDirs ?? [])]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  // The reference plugin goes in only where none is installed: a student's deployed build stays
  // in place across mode switches and `cluster up` refreshes (`cnilab deploy` replaces it).
  for (const [name, bundle] of Object.entries(referenceBundles())) {
    if (!fs.existsSync(path.join(bin, name))) installBundle(bin, d.paths.binDir, name, bundle, d.launcher);
  }
  writeIfChanged(path.join(d.etcDir, 'ipam.config'), renderIpamFile(n));
  writeIfChanged(path.join(d.etcDir, CLUSTER_FILE_NAME), renderClusterFile(t, mode));
  writeIfChanged(path.join(d.etcDir, 'net.d', CONF_FILE_NAME), renderConflist(t, d.paths, mode));
  writeIfChanged(path.join(d.nodeDir, 'bashrc'), renderBashrc(n.name, path.join(d.nodeDir, 'bash_history'), d.bashrc ?? []));
}

/** Copies a bundle and writes the tiny shim that runs it (`<binDir>/<name>`), atomically. */
export function installBundle(hostBinDir: string, nodeBinDir: string, name: string, bundle: string, launcher?: string) {
  if (!fs.existsSync(bundle)) throw new TextError(msg('err.build.missing', { file: bundle }));
  fs.mkdirSync(hostBinDir, { recursive: true });
  fs.copyFileSync(bundle, path.join(hostBinDir, `${name}.cjs.tmp`));
  fs.renameSync(path.join(hostBinDir, `${name}.cjs.tmp`), path.join(hostBinDir, `${name}.cjs`));
  // A launcher means a local node (the sim's): its shims take this machine's form; a remote node's are sh.
  writeIfChanged(path.join(hostBinDir, name), bundleShim(name, process.execPath, `${nodeBinDir}/${name}.cjs`, launcher, launcher ? scriptForm() : 'sh'), 0o755);
}

export { bundleShim };

/**
 * The node's shell setup. A node is another machine: its shell does not read the host user's
 * ~/.bashrc (which may be slow or print things), and keeps its own history.
 */
function renderBashrc(node: string, historyFile: string, extra: string[]): string {
  return [
    `export SIMPLECNI_NODE=${node}`,
    `HISTFILE=${historyFile}`,
    'HISTCONTROL=ignoredups',
    "alias ls='ls --color=auto' grep='grep --color=auto'",
    `PS1='\\[\\e[1;36m\\]${node}\\[\\e[0m\\]:\\w\\$ '`,
    ...extra,
    '',
  ].join('\n');
}

export function writeIfChanged(file: string, content: string, mode = 0o644) {
  try {
    if (fs.readFileSync(file, 'utf8') === content) return;
  } catch {
    // absent: write it
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, content, { mode });
  fs.renameSync(`${file}.tmp`, file);
}
