// Picks a free address for a pod, round-robin from the last one handed out (as host-local does),
// so a just-freed address is not reused at once by the next pod.
import { CniError, ErrCode } from '../errors.ts';
import { intToIp, ipToInt, type IpamRange } from './ipamFile.ts';
import type { IpamStore, Owner } from './store.ts';

/** Every address a pod may get, in order: never the network, gateway or broadcast address. */
export function* candidateAddresses(range: IpamRange, after?: string): Generator<string> {
  // @lab 03 begin: every address a pod may get, round-robin after the last one handed out
  const first = ipToInt(range.network) + 1;
  const last = ipToInt(range.broadcast) - 1;
  const gateway = ipToInt(range.gateway);
  const size = last - first + 1;
  const hint = after === undefined ? last : ipToInt(after);
  const start = hint >= first && hint <= last ? hint + 1 : first;
  for (let i = 0; i < size; i++) {
    const n = first + ((start - first + i) % size);
    if (n !== gateway) yield intToIp(n);
  }
  // @lab 03 end
}

export async function allocate(store: IpamStore, range: IpamRange, owner: Owner): Promise<string> {
  // @lab 03 begin: lease a free address for the owner; refuse a second lease for the same owner
  const existing = (await store.list()).filter((l) => l.containerId === owner.containerId && l.ifname === owner.ifname);
  if (existing.length > 0) {
    throw new CniError(
      ErrCode.AlreadyAttached,
      `container "${owner.containerId}" already has address ${existing[0]!.ip} on "${owner.ifname}"; a second ADD needs a DEL first`,
    );
  }
  for (const ip of candidateAddresses(range, await store.lastReserved())) {
    if (await store.reserve(ip, owner)) {
      await store.setLastReserved(ip);
      return ip;
    }
  }
  throw new CniError(
    ErrCode.AddressPoolExhausted,
    `no free addresses left in ${range.subnet}: every address except network, gateway and broadcast is leased`,
  );
  // @lab 03 end
}
