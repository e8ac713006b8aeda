// A student's cluster as the grader reaches it: a check context, and a way to let go of it.
// Machines from an inventory get an ssh config of the grader's own in a temp dir (nothing is
// written to the student's machines, nor to the cluster state of this machine); a cluster on this
// machine is opened as every other command opens it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseBackend } from '../cluster/backends.ts';
import type { NodeDriver } from '../cluster/driver.ts';
import { VM_PATHS } from '../cluster/nodeConfig.ts';
import { InventoryError, needsSudo, parseInventory, renderSshConfig } from '../cluster/ssh/inventory.ts';
import { SshConnections, type SshNode } from '../cluster/ssh/sshConnection.ts';
import type { ExecOptions, ExecResult } from '../shared/exec.ts';
import { SshDriver } from '../cluster/ssh/sshDriver.ts';
import { workers, type Topology } from '../cluster/topology.ts';
import { checkContext } from '../labs/solve.ts';
import { Pods } from '../runtime/pods.ts';
import type { CheckContext } from '../validators/types.ts';
import type { StudentSpec } from './classFile.ts';

export interface StudentTarget {
  hostname: string;
  ctx: CheckContext;
  close(): Promise<void>;
}

/** The student's cluster cannot be reached: no ssh connection, or no such cluster here. */
export class Unreachable extends Error {}

/**
 * ssh with a control socket per student (two students' machines may share an address behind
 * different jump hosts) and a connect timeout within the student's time.
 */
class GradeSshConnections extends SshConnections {
  constructor(
    configFile: string,
    private readonly _controlDir: string,
    private readonly _connectTimeoutS: number,
  ) {
    super(configFile);
  }
  private _closed = false;

  /** After the student's time is up: no new connection, no new command (an abandoned check stops at its next one). */
  stop() {
    this._closed = true;
  }
  override connect(node: SshNode): Promise<void> {
    return this._closed ? Promise.reject(new Error('grading of this student stopped')) : super.connect(node);
  }
  override exec(node: SshNode, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (this._closed) return Promise.resolve({ code: 255, stdout: '', stderr: 'grading of this student stopped' });
    return super.exec(node, argv, opts);
  }
  override sshArgv(): string[] {
    return super.sshArgv().map((a) => (a.startsWith('ControlPath=') ? `ControlPath=${this._controlDir}/%C` : a.startsWith('ConnectTimeout=') ? `ConnectTimeout=${this._connectTimeoutS}` : a));
  }
}

/**
 * Opens a student's cluster. `onClose` learns how to let go of it as soon as there is something
 * to let go of: a student who times out while still connecting has ssh connections to close too.
 */
export async function openStudent(s: StudentSpec, topology: Topology, workDir: string, timeoutS: number, onClose: (close: () => Promise<void>) => void = () => {}): Promise<StudentTarget> {
  if (s.inventory) return openInventory(s, s.inventory, topology, workDir, timeoutS, onClose);
  return openLocal(s.cluster!, topology);
}

async function openLocal(cluster: string, topology: Topology): Promise<StudentTarget> {
  const { backend } = await chooseBackend(topology, cluster);
  const state = backend.readState();
  if (!state?.complete) throw new Unreachable(`no cluster "${cluster}" is up on this machine`);
  await backend.requireSupport().catch((err: Error) => {
    throw new Unreachable(err.message);
  });
  const env = { topology, backend, driver: backend.driver };
  await probe(backend.driver, topology);
  return { hostname: `${cluster} (${backend.name})`, ctx: checkContext(env), close: async () => {} };
}

async function openInventory(s: StudentSpec, file: string, topology: Topology, workDir: string, timeoutS: number, onClose: (close: () => Promise<void>) => void): Promise<StudentTarget> {
  let inv;
  try {
    inv = parseInventory(fs.readFileSync(file, 'utf8'), file, topology);
  } catch (err) {
    if (err instanceof InventoryError) throw new Unreachable(err.message);
    throw err;
  }
  const dir = path.join(workDir, s.id);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const config = path.join(dir, 'ssh_config');
  fs.writeFileSync(config, renderSshConfig(inv, path.join(dir, 'known_hosts')));
  const connections = new GradeSshConnections(config, dir, Math.max(1, Math.min(60, Math.ceil(timeoutS))));
  const nodes: Record<string, SshNode> = Object.fromEntries(Object.entries(inv.nodes).map(([n, h]) => [n, { alias: n, sudo: needsSudo(h) }]));
  const driver = new SshDriver('ssh', topology, connections, (n) => nodes[n]!);
  const close = async () => {
    connections.stop();
    await Promise.all(Object.values(nodes).map((n) => connections.close(n)));
  };
  onClose(close);
  try {
    await probe(driver, topology);
  } catch (err) {
    await close();
    throw err;
  }
  const pods = new Pods(driver);
  // The data-plane mode the student's nodes were set up with (lab 10's MTU check needs it).
  const cf = await driver.exec(workers(topology)[0]!.name, ['cat', VM_PATHS.clusterFile]);
  let mode = 'host-gw';
  try {
    mode = (JSON.parse(cf.stdout) as { mode?: string }).mode ?? mode;
  } catch {
    // No cluster file yet: lab 00 will say so.
  }
  return { hostname: inv.nodes.node1?.host ?? Object.values(inv.nodes)[0]!.host, ctx: { driver, runtime: pods.runtime, pods, mode }, close };
}

/** Every node answers a trivial command; ssh's own failure (exit 255) means unreachable. */
async function probe(driver: NodeDriver, topology: Topology): Promise<void> {
  const results = await Promise.all(topology.nodes.map(async (n) => ({ node: n.name, r: await driver.exec(n.name, ['true']) })));
  const dead = results.filter((x) => x.r.code !== 0);
  if (dead.length) throw new Unreachable(dead.map((d) => `${d.node}: ${d.r.stderr.trim().split('\n')[0] || `exit ${d.r.code}`}`).join('; '));
}
