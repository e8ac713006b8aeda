// Where leases are recorded. The allocator only talks to this interface, so it runs
// unchanged on disk (DiskStore) and in memory (MemoryStore, for tests and the simulator).

export interface Owner {
  containerId: string;
  ifname: string;
}

export interface Lease extends Owner {
  ip: string;
}

export interface IpamStore {
  /** Atomically records `ip` for `owner`. False if the address is already taken. */
  reserve(ip: string, owner: Owner): Promise<boolean>;
  /** Removes every lease of `owner`; returns the addresses freed. Missing leases are not an error. */
  releaseByOwner(owner: Owner): Promise<string[]>;
  /** Every lease, read fresh. */
  list(): Promise<Lease[]>;
  /** The address reserved last (a round-robin hint, never a source of truth). */
  lastReserved(): Promise<string | undefined>;
  setLastReserved(ip: string): Promise<void>;
  /** Removes debris that a killed process can leave (e.g. half-written temp files). */
  sweep(): Promise<number>;
}

export const sameOwner = (a: Owner, b: Owner) => a.containerId === b.containerId && a.ifname === b.ifname;
