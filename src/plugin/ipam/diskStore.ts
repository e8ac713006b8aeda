// Leases on disk, one file per address, in host-local's layout:
//   <dataDir>/<network>/10.244.1.2        contains "<containerID>\r\n<ifname>"
//   <dataDir>/<network>/last_reserved_ip  the round-robin hint
//
// Why this needs no lock file: a lease is claimed with link(2), which atomically fails with
// EEXIST if the name is taken. The lease's full content is written to a private temp file
// first and then linked into place, so a lease file is never seen half-written, and two
// concurrent ADDs can never both own one address. (The seed's read-increment-write of IPIndex
// is exactly the race this avoids.) A process killed mid-reserve leaves at most a temp file
// named with its PID, which `sweep` (run by GC) removes once that PID is gone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CniError, ErrCode } from '../errors.ts';
import { sameOwner, type IpamStore, type Lease, type Owner } from './store.ts';

const LEASE_NAME = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const TEMP_NAME = /^\.tmp-(\d+)-/;
const LAST_RESERVED = 'last_reserved_ip';

export class DiskStore implements IpamStore {
  constructor(public readonly dir: string) {}

  /** `<dataDir>/<network name>` */
  static forNetwork(dataDir: string, network: string): DiskStore {
    return new DiskStore(path.join(dataDir, network));
  }

  private _io<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new CniError(ErrCode.IoFailure, `could not ${what} in "${this.dir}": ${(err as Error).message}`);
    }
  }

  private _ensureDir() {
    this._io('create the lease directory', () => fs.mkdirSync(this.dir, { recursive: true, mode: 0o755 }));
  }

  async reserve(ip: string, owner: Owner): Promise<boolean> {
    // @lab 03 begin: claim the address atomically (a temp file, then link(2) to the address's name)
    this._ensureDir();
    const tmp = path.join(this.dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
    this._io('write a lease', () => fs.writeFileSync(tmp, `${owner.containerId}\r\n${owner.ifname}`, { mode: 0o600 }));
    try {
      fs.linkSync(tmp, path.join(this.dir, ip));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new CniError(ErrCode.IoFailure, `could not record lease ${ip} in "${this.dir}": ${(err as Error).message}`);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    // @lab 03 end
  }

  async releaseByOwner(owner: Owner): Promise<string[]> {
    // @lab 03 begin: remove every lease of this owner
    const freed: string[] = [];
    for (const lease of await this.list()) {
      if (!sameOwner(lease, owner)) continue;
      this._io(`remove lease ${lease.ip}`, () => fs.rmSync(path.join(this.dir, lease.ip), { force: true }));
      freed.push(lease.ip);
    }
    return freed;
    // @lab 03 end
  }

  async list(): Promise<Lease[]> {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new CniError(ErrCode.IoFailure, `could not read leases in "${this.dir}": ${(err as Error).message}`);
    }
    const leases: Lease[] = [];
    for (const name of names) {
      if (!LEASE_NAME.test(name)) continue;
      let text: string;
      try {
        text = fs.readFileSync(path.join(this.dir, name), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
        throw new CniError(ErrCode.IoFailure, `could not read lease ${name} in "${this.dir}": ${(err as Error).message}`);
      }
      // host-local writes "<id>\r\n<ifname>"; very old records hold the id alone.
      const [containerId = '', ifname = ''] = text.split(/\r?\n/);
      leases.push({ ip: name, containerId: containerId.trim(), ifname: ifname.trim() });
    }
    return leases;
  }

  async lastReserved(): Promise<string | undefined> {
    try {
      const ip = fs.readFileSync(path.join(this.dir, LAST_RESERVED), 'utf8').trim();
      return LEASE_NAME.test(ip) ? ip : undefined;
    } catch {
      return undefined; // only a hint: missing or unreadable means "start at the beginning"
    }
  }

  async setLastReserved(ip: string): Promise<void> {
    // Write-then-rename so a reader never sees a torn value. Only a hint, like reading it: if it
    // cannot be written (say, something else holds the name), the lease just taken still stands.
    const tmp = path.join(this.dir, `.tmp-${process.pid}-last`);
    try {
      fs.writeFileSync(tmp, ip);
      fs.renameSync(tmp, path.join(this.dir, LAST_RESERVED));
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }

  async sweep(): Promise<number> {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const m = TEMP_NAME.exec(name);
      if (!m || isAlive(Number(m[1]))) continue;
      const file = path.join(this.dir, name);
      // Only a file can be a temp lease of ours; anything else of that name is left alone.
      if (!fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) continue;
      this._io(`remove the stale temp file ${name}`, () => fs.rmSync(file, { force: true }));
      removed++;
    }
    return removed;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
