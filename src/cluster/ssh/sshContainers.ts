// Real containers on ssh nodes (lab 09's end state on the VMs or on a student's own machines, built
// by `cnilab solve 09`): the node's own containerd — the system service the lab text uses too; the
// kit starts no daemon there — and `ctr run --cni`, which runs the node's plugin from /opt/cni/bin
// with the conflist in /etc/cni/net.d, the standard places the ssh backend installs them.
//
// The kit's containers live in a containerd namespace of their own (`cnilab`), so `stopAll` ends
// exactly those and never a container the student ran by hand. The image is the kit's busybox OCI
// tar, built on this machine (the nodes need no registry and no busybox) and imported over ssh.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExecResult } from '../../shared/exec.ts';
import type { ContainerHost, RuntimeContainer } from '../backend.ts';
import { buildBusyboxOciTar, DEFAULT_BUSYBOX_REF } from '../containerd/ociImage.ts';
import type { NodeDriver } from '../driver.ts';
import { containerAddress4, hasImage, removeContainer, taskRunning, type Ctr } from '../containerd/ctr.ts';
import { ContainersUnavailableError } from '../containerd/errors.ts';
import { workerByName, workers, type Topology } from '../topology.ts';
import { msg } from '../../i18n/text.ts';

/** The containerd namespace of the kit's containers; ctr names their CNI container ids `<namespace>-<name>`. */
const NAMESPACE = 'cnilab';
/** What the container runs: it only has to stay up (busybox's sleep takes no "infinity"). */
const KEEP_RUNNING = ['sleep', '1000000000'];
const PACKAGES = 'apt-get install -y --no-install-recommends containerd runc';

export class SshContainers implements ContainerHost {
  constructor(
    private readonly _topology: Topology,
    private readonly _driver: Pick<NodeDriver, 'exec'>,
  ) {}

  private _ctr(node: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return this._driver.exec(node, ['ctr', '--namespace', NAMESPACE, ...args], { timeoutMs: 60_000, ...opts });
  }
  private _ctrOf(node: string): Ctr {
    return (args) => this._ctr(node, args);
  }

  async runOnNetwork(node: string, name: string): Promise<RuntimeContainer> {
    workerByName(this._topology, node);
    await this._requireContainerd(node);
    const container: RuntimeContainer = { node, cniContainerId: `${NAMESPACE}-${name}`, address: '' };
    const ctr = this._ctrOf(node);
    if (await taskRunning(ctr, name)) return { ...container, address: await containerAddress4(ctr, node, name) };
    await removeContainer(ctr, name);
    if (!(await hasImage(ctr, DEFAULT_BUSYBOX_REF))) await this._importImage(node);
    const r = await this._ctr(node, ['run', '-d', '--null-io', '--cni', DEFAULT_BUSYBOX_REF, name, ...KEEP_RUNNING], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new ContainersUnavailableError(msg('err.containerd.failed', { what: `ctr run --cni on ${node}`, error: (r.stderr || r.stdout).trim() }));
    return { ...container, address: await containerAddress4(ctr, node, name) };
  }

  /** The node has ctr and its containerd answers; otherwise what to install or start, there. */
  private async _requireContainerd(node: string) {
    const tools = await this._driver.exec(node, ['sh', '-c', 'for t in ctr containerd runc; do command -v "$t" >/dev/null || echo "$t"; done; true']);
    const missing = tools.stdout.split('\n').filter(Boolean);
    if (missing.length > 0) throw new ContainersUnavailableError(msg('err.containerd.missing', { tools: `${missing.join(', ')} on ${node}`, packages: PACKAGES }));
    const v = await this._ctr(node, ['version'], { timeoutMs: 20_000 });
    if (v.code !== 0) {
      throw new ContainersUnavailableError(msg('err.containerd.noAnswer', { node, error: (v.stderr || v.stdout).trim().split('\n').at(-1) ?? '' }));
    }
  }

  /** Builds the kit's image here and imports it on the node (as base64 text: the connection carries text). */
  private async _importImage(node: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnilab-image-'));
    try {
      const tar = path.join(dir, 'busybox-oci.tar');
      await buildBusyboxOciTar(tar, DEFAULT_BUSYBOX_REF);
      const script = 't=$(mktemp) && base64 -d > "$t" && ctr --namespace "$0" image import "$t"; rc=$?; rm -f "$t"; exit $rc';
      const r = await this._driver.exec(node, ['sh', '-c', script, NAMESPACE], { input: fs.readFileSync(tar).toString('base64'), timeoutMs: 180_000 });
      if (r.code !== 0) throw new ContainersUnavailableError(msg('err.containerd.failed', { what: `ctr image import on ${node}`, error: (r.stderr || r.stdout).trim() }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Ends the kit's containers on every worker (its namespace only; the daemon stays, it is the
   * node's). A node without ctr, or whose containerd is down, has none to end.
   */
  async stopAll(): Promise<RuntimeContainer[]> {
    const gone: RuntimeContainer[] = [];
    for (const w of workers(this._topology)) {
      const ls = await this._ctr(w.name, ['container', 'ls', '-q'], { timeoutMs: 20_000 }).catch(() => undefined);
      if (!ls || ls.code !== 0) continue;
      for (const id of ls.stdout.split('\n').filter(Boolean)) {
        await removeContainer(this._ctrOf(w.name), id);
        gone.push({ node: w.name, cniContainerId: `${NAMESPACE}-${id}`, address: '' });
      }
    }
    return gone;
  }
}
