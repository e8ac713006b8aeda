// The sim backend: the same topology built on the simulated kernel, with the same iproute2
// commands as the netns backend (underlayPlan). Runs anywhere Node and a POSIX shell do, as any user.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mode } from '../../plugin/config.ts';
import { ipamBundle, nodeBundle, pluginBundle, simBundle, simHostBundle } from '../../shared/paths.ts';
import { SIM_PROGRAMS } from '../../sim/core/commands.ts';
import { failingScript, nodeRunner } from '../../shared/bundleShim.ts';
import { scriptForm } from '../../shared/scriptForm.ts';
import { initWorld } from '../../sim/host/store.ts';
import { BackendUnavailableError, readStateFile, writeStateFile, type ClusterBackend, type ClusterState, type DownResult, type Progress, type UpResult } from '../backend.ts';
import { installBundle, installNodeFiles, writeIfChanged, type Bundles } from '../nodeFiles.ts';
import { workers, type Topology, type WorkerNode } from '../topology.ts';
import { SimLayout } from './layout.ts';
import { buildUnderlayWorld, clusterNamespaces } from './underlayWorld.ts';
import { nodeViewAvailable, prepareNodeView } from './nodeView.ts';
import { relaunchBundles, SimDriver } from './simDriver.ts';
import { msg, TextError } from '../../i18n/text.ts';

/** Network tools a sim node has no model of, and what answers instead. */
const UNMODELLED: Record<string, string> = {
  ifconfig: 'ip addr / ip link',
  route: 'ip route',
  arp: 'ip neigh',
  brctl: 'bridge / ip link',
  netstat: 'ip route / ip -s link',
  iptables: 'nft (the masquerade the plugin sets up)',
  ethtool: 'ip -d link',
  // Lab 09's runtime: on a simulated node it would reach this machine's own containerd.
  ctr: 'a real node for lab 09 (namespaces as root, or the VMs): containerd needs a real kernel',
  containerd: 'a real node for lab 09 (namespaces as root, or the VMs): containerd needs a real kernel',
  runc: 'a real node for lab 09 (namespaces as root, or the VMs): containerd needs a real kernel',
};

export class SimBackend implements ClusterBackend {
  readonly name = 'sim' as const;
  readonly layout: SimLayout;
  readonly driver: SimDriver;

  constructor(
    readonly topology: Topology,
    cluster: string,
  ) {
    this.layout = new SimLayout(cluster);
    this.driver = new SimDriver(topology, this.layout);
  }

  get cluster() {
    return this.layout.cluster;
  }

  async requireSupport() {
    if (process.platform === 'win32') {
      throw new BackendUnavailableError(msg('err.backend.simShell'));
    }
  }

  readState() {
    return readStateFile(this.layout.stateFile);
  }

  writeState(state: ClusterState) {
    writeStateFile(this.layout.stateFile, state);
  }

  async up(opts: { mode: Mode; progress?: Progress }): Promise<UpResult> {
    const progress = opts.progress ?? (() => {});
    await this.requireSupport();
    for (const b of [pluginBundle(), ipamBundle(), nodeBundle(), simBundle(), simHostBundle()]) if (!fs.existsSync(b)) throw new TextError(msg('err.build.missing', { file: b }));
    const prior = this.readState();
    if (prior?.complete && fs.existsSync(this.layout.kernelFile)) {
      progress('cluster already up; refreshing node configs');
      this._installPrograms();
      relaunchBundles(this.topology, this.layout);
      for (const n of workers(this.topology)) await this.installNodeFiles(n, opts.mode);
      const state = { ...prior, mode: opts.mode };
      this.writeState(state);
      return { created: false, state };
    }
    if (prior) {
      progress('an earlier `cluster up` did not finish; removing what it left');
      await this.down();
    }
    const t = this.topology;
    const state: ClusterState = {
      name: this.cluster,
      backend: 'sim',
      mode: opts.mode,
      createdAt: new Date().toISOString(),
      complete: false,
      namespaces: clusterNamespaces(t),
      etcDirs: [],
    };
    this.writeState(state);
    progress(`simulated kernel: ${state.namespaces.join(', ')}`);
    initWorld(this.layout.kernelFile, buildUnderlayWorld(t));
    progress('programs: ip, bridge, ping, sysctl, nft, nsenter, traceroute, nc, ss, tcpdump');
    this._installPrograms();
    for (const n of workers(t)) {
      progress(`${n.name}: CNI files (plugin, ipam.config ${n.podSubnet})`);
      await this.installNodeFiles(n, opts.mode);
    }
    state.complete = true;
    this.writeState(state);
    return { created: true, state };
  }

  async down(opts: { progress?: Progress } = {}): Promise<DownResult> {
    const state = this.readState();
    if (!state && !fs.existsSync(this.layout.stateDir)) return { removed: [], busy: [] };
    opts.progress?.(`removing ${this.layout.stateDir}`);
    fs.rmSync(this.layout.stateDir, { recursive: true, force: true });
    try {
      fs.rmdirSync(this.layout.root); // only when no other simulated cluster is left
    } catch {
      // others remain
    }
    return { removed: state?.namespaces ?? [], busy: [] };
  }

  async installNodeFiles(n: WorkerNode, mode: Mode) {
    const paths = this.layout.nodePaths(n.name);
    installNodeFiles(this.topology, n, mode, {
      etcDir: this.layout.etcDir(n.name),
      paths,
      nodeDir: this.layout.nodeDir(n.name),
      extraDirs: [this.layout.podNetnsDir(n.name)],
      launcher: simHostBundle(),
      bashrc: [
        ...Object.entries(this.layout.shellVars(n.name)).map(([k, v]) => `export ${k}=${v}`),
        'cd ~', // the node's home, as on every backend (the prompt reads node1:~#)
        nodeViewAvailable()
          ? `echo "Simulated node ${n.name}: ip, bridge, ping, tcpdump… answer from the simulated kernel; /etc/cni and /run/simplecni-lab are the node's own."`
          : `echo "Simulated node ${n.name}: ip, bridge, ping, tcpdump… answer from the simulated kernel. This node's /etc/cni is ${this.layout.etcDir(n.name)}"`,
      ],
    });
    if (nodeViewAvailable()) prepareNodeView(this.layout, n.name);
  }

  async installBundles(bundles: Bundles) {
    for (const n of workers(this.topology)) {
      const bin = this.layout.nodePaths(n.name).binDir;
      for (const [name, file] of Object.entries(bundles)) installBundle(bin, bin, name, file, simHostBundle());
    }
  }

  /** One shim per program of the simulated kernel, first on every sim node's PATH. */
  private _installPrograms() {
    fs.mkdirSync(this.layout.binDir, { recursive: true });
    const form = scriptForm();
    const node = process.execPath;
    for (const prog of SIM_PROGRAMS) {
      writeIfChanged(path.join(this.layout.binDir, prog), nodeRunner(form, `${prog} of the simulated kernel`, node, simBundle(), [prog]), 0o755);
    }
    // `node <bundle>.cjs` typed on a node runs the bundle in the plugin host, as the node's shims do:
    // a plugin started by hand meets the node's simulated kernel (its /proc/sys), never this machine's.
    const why = 'node on a simulated node: a bundled program (.cjs) runs in the plugin host, on the node\'s kernel';
    const nodeShim =
      form === 'sh'
        ? `#!/bin/sh\n# ${why}\ncase "$1" in *.cjs) exec ${node} ${simHostBundle()} "$@" ;; esac\nexec ${node} "$@"\n`
        : `#!${node}\n// ${why}\nconst args = process.argv.slice(2);\nif (args[0]?.endsWith('.cjs')) {\n  process.argv.splice(1, 1, ${JSON.stringify(simHostBundle())});\n  import(${JSON.stringify(`file://${simHostBundle()}`)});\n} else {\n  import('node:child_process').then((cp) => {\n    process.exitCode = cp.spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;\n  });\n}\n`;
    writeIfChanged(path.join(this.layout.binDir, 'node'), nodeShim, 0o755);
    // Tools the simulated kernel does not model must not answer from the real machine's network.
    for (const [prog, instead] of Object.entries(UNMODELLED)) {
      const message = `${prog}: not modelled by the simulated kernel (it would show this machine's own network, not the node's); use ${instead}`;
      writeIfChanged(path.join(this.layout.binDir, prog), failingScript(form, node, message, 127), 0o755);
    }
  }
}
