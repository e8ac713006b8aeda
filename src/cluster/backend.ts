// A backend makes and removes a cluster of the one topology, and hands out its node driver.
// The netns backend builds nodes from Linux network namespaces (root); the sim backend from the
// simulated kernel (any machine); the vagrant backend from VMs; the ssh backend takes machines
// that already exist. Everything above this line — CLI, labs, validators, server — works on any.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mode } from '../shared/cniSpec.ts';
import type { Backend, NodeDriver } from './driver.ts';
import type { Bundles } from './nodeFiles.ts';
import type { SshNode } from './ssh/sshConnection.ts';
import type { Topology, WorkerNode } from './topology.ts';
import { TextError } from '../i18n/text.ts';

export type Progress = (step: string) => void;

/** A cluster as the labs, checks and trace work on it: its topology, its backend, its nodes. */
export interface LabEnv {
  topology: Topology;
  backend: ClusterBackend;
  driver: NodeDriver;
}

export interface ClusterState {
  name: string;
  backend: Backend;
  mode: string;
  createdAt: string;
  /** False while `up` is still building: a killed `up` leaves this false, and the next `up` rebuilds. */
  complete: boolean;
  /** netns: the namespaces made; sim: the namespaces of the world. */
  namespaces: string[];
  /** netns: the /etc/netns/<ns> dirs made. */
  etcDirs: string[];
  /** vagrant, ssh: how each node is reached (its Host entry in the cluster's ssh config). */
  ssh?: { nodes: Record<string, SshNode>; inventory?: string };
}

export interface UpResult {
  created: boolean;
  state: ClusterState;
}

export interface DownResult {
  /** What went: namespaces (netns, sim), VMs (vagrant), pods (ssh: the machines stay). */
  removed: string[];
  busy: { ns: string; pids: number[] }[];
}

/** A container that a real container runtime (containerd, through ctr) started on a node's CNI network. */
export interface RuntimeContainer {
  node: string;
  /** What the runtime passed as CNI_CONTAINERID ("<containerd namespace>-<id>"), which owns the lease. */
  cniContainerId: string;
  /** Its eth0 address on the node's pod subnet (no prefix length). */
  address: string;
}

/**
 * Real containers on the nodes (lab 09's end state), run by ctr with --cni: on namespaces a private
 * containerd per node, on machines over ssh (the VMs) the machine's own. The simulated kernel has
 * none; there a lab that needs it says so.
 */
export interface ContainerHost {
  /** Starts the node's containerd if needed, imports the kit's image and runs `name` detached on the node's CNI network. */
  runOnNetwork(node: string, name: string): Promise<RuntimeContainer>;
  /** Ends the containers the kit ran (and any containerd it started, by PID), removes their state; returns the containers that held leases. Safe after a failure. */
  stopAll(): Promise<RuntimeContainer[]>;
}

/** The backend can't run here (not Linux, not root, a tool missing): the message says what to do. */
export class BackendUnavailableError extends TextError {}

export interface ClusterBackend {
  readonly name: Backend;
  readonly cluster: string;
  readonly topology: Topology;
  readonly driver: NodeDriver;
  /** Throws BackendUnavailableError when this machine can't run the backend. */
  requireSupport(): Promise<void>;
  readState(): ClusterState | undefined;
  writeState(state: ClusterState): void;
  up(opts: { mode: Mode; progress?: Progress }): Promise<UpResult>;
  down(opts?: { progress?: Progress }): Promise<DownResult>;
  /** The node's conflist, IPAM file and cluster file for a mode (and the reference plugin where none is). */
  installNodeFiles(node: WorkerNode, mode: Mode): Promise<void>;
  /** Installs plugin bundles (the reference's or a student's build) on every worker. */
  installBundles(bundles: Bundles): Promise<void>;
  /** Real containers on the nodes; absent where containerd can't run (the simulated kernel). */
  readonly containers?: ContainerHost;
}

/** A cluster's state file; absent or unreadable is "not made". */
export function readStateFile(file: string): ClusterState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** Replaces the state file atomically (a reader sees the old state or the new one). */
export function writeStateFile(file: string, state: ClusterState) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}
