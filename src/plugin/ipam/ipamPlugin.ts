// simplecni-ipam: the IPAM half of SimpleCNI as a plugin of its own, like the reference host-local.
// ADD leases an address and prints it; DEL gives it back. No interfaces, no netns needed.
import { CniError, ErrCode } from '../errors.ts';
import { requireVersion, runPlugin, versionOutput, type Runner } from '../main.ts';
import { loadIpamRange } from '../plugin.ts';
import { formatResult } from '../result.ts';
import { supportsCheck, supportsGcAndStatus } from '../version.ts';
import { allocate } from './allocator.ts';
import { usableCount } from './ipamFile.ts';

export const runIpam: Runner = async (args, conf, deps) => {
  const v = conf.cniVersion;
  const owner = { containerId: args.containerId, ifname: args.ifname };
  switch (args.command) {
    case 'ADD': {
      const range = await loadIpamRange(conf, deps);
      const ip = await allocate(deps.store, range, owner);
      deps.log.info(`ADD ${args.containerId}/${args.ifname}: leased ${ip} from ${range.subnet}`);
      const { interfaces: _none, ...result } = formatResult(
        { cniVersion: v, ips: [{ address: `${ip}/${range.prefixLength}`, gateway: range.gateway }], routes: [{ dst: '0.0.0.0/0', gw: range.gateway }] },
        v,
      );
      return JSON.stringify(result);
    }
    case 'DEL': {
      const freed = await deps.store.releaseByOwner(owner);
      deps.log.info(`DEL ${args.containerId}/${args.ifname}: ${freed.length ? `freed ${freed.join(', ')}` : 'no lease left'}`);
      return '';
    }
    case 'CHECK': {
      requireVersion(supportsCheck(v), 'CHECK', v, '0.4.0');
      const lease = (await deps.store.list()).find((l) => l.containerId === owner.containerId && l.ifname === owner.ifname);
      if (!lease) throw new CniError(ErrCode.StateDrifted, `no lease recorded for container "${owner.containerId}" interface "${owner.ifname}"`);
      return '';
    }
    case 'STATUS': {
      requireVersion(supportsGcAndStatus(v), 'STATUS', v, '1.1.0');
      let range;
      try {
        range = await loadIpamRange(conf, deps);
      } catch (err) {
        throw new CniError(ErrCode.NotAvailable, `not ready: ${(err as Error).message}`);
      }
      if ((await deps.store.list()).length >= usableCount(range)) throw new CniError(ErrCode.NotAvailable, `not ready: all addresses of ${range.subnet} are leased`);
      return '';
    }
    case 'GC': {
      requireVersion(supportsGcAndStatus(v), 'GC', v, '1.1.0');
      if (!conf.validAttachments) throw new CniError(ErrCode.InvalidConfig, 'GC needs "cni.dev/valid-attachments" (or "cni.dev/attachments") in the config');
      const valid = new Set(conf.validAttachments.map((a) => `${a.containerID}\n${a.ifname}`));
      await deps.store.sweep();
      for (const l of await deps.store.list()) if (!valid.has(`${l.containerId}\n${l.ifname}`)) await deps.store.releaseByOwner(l);
      return '';
    }
    case 'VERSION':
      return versionOutput(v);
  }
};

export const ipamMain = (env: NodeJS.ProcessEnv, stdin: string) => runPlugin(env, stdin, runIpam);
