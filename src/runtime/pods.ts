// Pods, as far as networking goes: a network namespace on a node plus the CNI ADD that wired it.
// This is what a container runtime does for a pod sandbox, minus the containers.
import type { NodeDriver } from '../cluster/driver.ts';
import { workers } from '../cluster/topology.ts';
import { CniRuntime, type Attachment } from './cniRuntime.ts';
import { msg, TextError } from '../i18n/text.ts';

export const POD_IFNAME = 'eth0';
/** Every pod of the kit lives in one Kubernetes namespace. */
export const POD_NAMESPACE = 'default';

/** What kubelet's runtimes pass in CNI_ARGS: the pod's identity (plugins that don't know a key ignore it). */
export function podCniArgs(pod: string): string {
  return `IgnoreUnknown=1;K8S_POD_NAMESPACE=${POD_NAMESPACE};K8S_POD_NAME=${pod};K8S_POD_INFRA_CONTAINER_ID=${pod}`;
}

export interface PodInfo {
  node: string;
  name: string;
  /** e.g. "10.244.1.2/24"; absent if the pod has no cached ADD result. */
  address?: string;
  netns: string;
  /** The labels it was added with (absent when none: the JSON of an unlabelled pod is as before). */
  labels?: Record<string, string>;
}

export class Pods {
  readonly runtime: CniRuntime;

  constructor(private readonly _driver: NodeDriver) {
    this.runtime = new CniRuntime(_driver);
  }

  get driver(): NodeDriver {
    return this._driver;
  }

  private _attachment(pod: string, netns: string): Attachment {
    return { containerId: pod, netns, ifname: POD_IFNAME, args: podCniArgs(pod) };
  }

  async add(node: string, pod: string, labels: Record<string, string> = {}): Promise<PodInfo> {
    const netns = await this._driver.createPodNetns(node, pod);
    try {
      const result = await this.runtime.add(node, { ...this._attachment(pod, netns), labels });
      const info: PodInfo = { node, name: pod, netns };
      if (Object.keys(labels).length > 0) info.labels = labels;
      const address = result.ips?.[0]?.address;
      if (address) info.address = address;
      return info;
    } catch (err) {
      await this._driver.deletePodNetns(node, pod);
      throw err;
    }
  }

  /** DEL through the runtime (with the cached result), then remove the netns. Idempotent. */
  async del(node: string, pod: string): Promise<{ existed: boolean }> {
    const existing = (await this._driver.listPodNetns(node)).find((p) => p.pod === pod);
    const netns = existing?.netns ?? '';
    await this.runtime.del(node, this._attachment(pod, netns));
    if (existing) await this._driver.deletePodNetns(node, pod);
    return { existed: existing !== undefined };
  }

  async check(node: string, pod: string): Promise<void> {
    const existing = (await this._driver.listPodNetns(node)).find((p) => p.pod === pod);
    if (!existing) throw new TextError(msg('err.pod.noSuch', { pod, node }));
    await this.runtime.check(node, this._attachment(pod, existing.netns));
  }

  async list(node?: string): Promise<PodInfo[]> {
    const nodes = node ? [node] : workers(this._driver.topology).map((w) => w.name);
    // Every node asked at once, its ADD cache and its pod namespaces at once: a check's answer waits
    // for one round trip, not six.
    const perNode = await Promise.all(
      nodes.map(async (n) => {
        const [entries, pinned] = await Promise.all([this.runtime.listCache(n), this._driver.listPodNetns(n)]);
        const cache = new Map(entries.map((c) => [c.containerId, c]));
        return pinned.map(({ pod, netns }) => {
          const info: PodInfo = { node: n, name: pod, netns };
          const labels = cache.get(pod)?.labels;
          if (labels && Object.keys(labels).length > 0) info.labels = labels;
          const address = cache.get(pod)?.result.ips?.[0]?.address;
          if (address) info.address = address;
          return info;
        });
      }),
    );
    return perNode.flat();
  }
}
