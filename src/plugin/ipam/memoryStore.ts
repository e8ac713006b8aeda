import { sameOwner, type IpamStore, type Lease, type Owner } from './store.ts';

/** An in-memory IpamStore for unit tests and the simulated kernel. */
export class MemoryStore implements IpamStore {
  private readonly _leases = new Map<string, Owner>();
  private _last: string | undefined;

  async reserve(ip: string, owner: Owner): Promise<boolean> {
    if (this._leases.has(ip)) return false;
    this._leases.set(ip, { ...owner });
    return true;
  }

  async releaseByOwner(owner: Owner): Promise<string[]> {
    const freed = [...this._leases].filter(([, o]) => sameOwner(o, owner)).map(([ip]) => ip);
    for (const ip of freed) this._leases.delete(ip);
    return freed;
  }

  async list(): Promise<Lease[]> {
    return [...this._leases].map(([ip, o]) => ({ ip, ...o }));
  }

  async lastReserved() {
    return this._last;
  }

  async setLastReserved(ip: string) {
    this._last = ip;
  }

  async sweep() {
    return 0;
  }
}
