// The plugin's only door to the kernel: iproute2 commands and sysctls. A real implementation
// runs `ip` (via `nsenter --net=<path>` inside a pod); the simulated kernel answers the same
// commands, so cmdAdd/cmdDel/cmdCheck run unchanged on either.

export interface Host {
  /** `ip <args>` on the node, or inside the network namespace at `netns` (any path). Returns stdout. */
  ip(args: readonly string[], netns?: string): Promise<string>;
  /**
   * Several ip commands in one process (`ip -batch -`), stopping at the first failure.
   * Throws CommandError with `batchLine` set to the failed line (1-based).
   */
  ipBatch(lines: readonly (readonly string[])[], netns?: string, opts?: { json?: boolean }): Promise<string>;
  /** Loads an nftables script on the node (`nft -f -`): one atomic transaction. */
  nft(script: string): Promise<void>;
  /** e.g. setSysctl("net.ipv4.ip_forward", "1") on the node. */
  setSysctl(key: string, value: string): Promise<void>;
  getSysctl(key: string): Promise<string>;
}
