// The running lab server of a cluster, written down so a second `cnilab serve` (a lost URL, a
// closed terminal) can print the URL again instead of failing on a busy port. The file holds the
// token: it is the user's alone (0600) and removed when the server stops.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../shared/paths.ts';

export interface ServerRecord {
  pid: number;
  cluster: string;
  port: number;
  url: string;
  startedAt: string;
}

/** `.cnilab/serve-<cluster>.json` in the kit's folder, beside the progress file. */
export const serverFile = (cluster: string) => path.join(repoRoot(), '.cnilab', `serve-${cluster}.json`);

export function writeServerRecord(r: ServerRecord): string {
  const file = serverFile(r.cluster);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, JSON.stringify(r, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
  return file;
}

/** Removes the record if it is this process's (another server may have written it since). */
export function removeServerRecord(cluster: string, pid = process.pid): void {
  const r = readServerRecord(cluster);
  if (r?.pid === pid) fs.rmSync(serverFile(cluster), { force: true });
}

export function readServerRecord(cluster: string): ServerRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(serverFile(cluster), 'utf8')) as ServerRecord;
    return typeof r.pid === 'number' && typeof r.url === 'string' && typeof r.port === 'number' ? r : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The cluster's lab server, if one is running and answers with its token for this cluster; a
 * record left by a server that died is removed.
 */
export async function findRunningServer(cluster: string): Promise<ServerRecord | undefined> {
  const r = readServerRecord(cluster);
  if (!r) return undefined;
  if (alive(r.pid)) {
    try {
      const u = new URL(r.url);
      const token = new URLSearchParams(u.hash.slice(1)).get('token') ?? '';
      const res = await fetch(`${u.origin}/api/labs`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3000) });
      if (res.ok && ((await res.json()) as { cluster?: string }).cluster === cluster) return r;
    } catch {
      // not answering: treated as gone
    }
  }
  fs.rmSync(serverFile(cluster), { force: true });
  return undefined;
}

/** Who listens on a TCP port of this machine (Linux's /proc; undefined elsewhere or when not ours to see). */
export function portHolder(port: number): { pid: number; command: string } | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; the inode is the 10th field.
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1]!.split(':').at(-1)!, 16) === port) inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) {
        let command = '';
        try {
          command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
        } catch {
          // gone meanwhile
        }
        return { pid: Number(pid), command: command.length > 120 ? command.slice(0, 117) + '…' : command };
      }
    }
  }
  return undefined;
}
