// What the benchmark creates on the machine, and how it removes exactly that again:
// a temp dir, one "node" netns (`ip netns add bench-<random>`), and pod netns pinned as files
// under the temp dir (`touch F; unshare --net=F true`), which `ip netns list` does not show.
// Nothing here touches the machine's own network namespace.
//
// Everything is asynchronous: under `npx tsx`, a process whose event loop is blocked for more
// than ~30 ms when a signal arrives gets SIGKILLed by tsx's signal relay, and then nothing could
// clean up. Only cleanupSync (for process 'exit', the last resort) blocks.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Runs a command to completion; rejects with its stderr if it fails. */
export function sh(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${[cmd, ...args].join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

function shSync(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) throw new Error(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${[cmd, ...args].join(' ')} failed: ${r.stderr.trim()}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Mount points at or below `dir`, from this process's mount table. */
export function mountsUnder(dir: string): string[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined)
    .map(unescape)
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

const netnsId = (nsPath: string) => `net:[${fs.statSync(nsPath).ino}]`;

/** Fields of /proc/<pid>/stat after "(comm) ", which may itself hold spaces and parentheses. */
const statFields = (pid: string) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');

/** One step of cleanup: a command, a function, or a pause. Run by the async or the sync runner. */
type Step = { what: string; argv: string[] } | { what: string; fn: () => void } | { what: string; pauseMs: number };

/** A failed unmount is no problem if the mount is gone anyway (a step of the main flow got there first). */
const stillNeeded = (step: Step) => !('argv' in step && step.argv[0] === 'umount' && mountsUnder(step.argv.at(-1)!).length === 0);

export class Sandbox {
  readonly nodeName = `bench-${randomBytes(4).toString('hex')}`;
  readonly nodePath = `/run/netns/${this.nodeName}`;
  readonly dir: string;
  private readonly _netnsDir: string;
  private _nodeCreated = false;
  private readonly _pods = new Set<string>();
  /** Every netns this sandbox made, as `net:[inode]`: a process in one of them was started by this run. */
  private readonly _netnsIds = new Set<string>();
  private _cleaned = false;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simplecni-bench-'));
    this._netnsDir = path.join(this.dir, 'netns');
    fs.mkdirSync(this._netnsDir);
  }

  async createNode(): Promise<void> {
    this._checkOpen();
    if (fs.existsSync(this.nodePath)) throw new Error(`netns ${this.nodeName} already exists; not touching it`);
    this._nodeCreated = true; // set first: a half-made netns is still ours to remove
    await sh('ip', ['netns', 'add', this.nodeName]);
    this._netnsIds.add(netnsId(this.nodePath));
    await sh('ip', ['-n', this.nodeName, 'link', 'set', 'lo', 'up']);
  }

  /** A fresh pod netns pinned at <dir>/netns/<name>; returns its path (CNI_NETNS). */
  async createPod(name: string): Promise<string> {
    this._checkOpen();
    const f = path.join(this._netnsDir, name);
    this._pods.add(f);
    fs.writeFileSync(f, '', { flag: 'wx' });
    await sh('unshare', [`--net=${f}`, 'true']);
    this._netnsIds.add(netnsId(f));
    return f;
  }

  async removePod(f: string): Promise<void> {
    if (this._cleaned) return; // cleanup owns it now
    if (mountsUnder(f).length > 0) await sh('umount', [f]);
    fs.rmSync(f, { force: true });
    this._pods.delete(f);
  }

  private _checkOpen() {
    if (this._cleaned) throw new Error('the benchmark is being cleaned up');
  }

  /** Links in the node netns, optionally of one type (e.g. "veth"); read-only. */
  async nodeLinks(type?: string): Promise<{ ifname: string }[]> {
    const out = (await sh('ip', ['-n', this.nodeName, '-j', 'link', 'show', ...(type ? ['type', type] : [])])).trim();
    return out ? (JSON.parse(out) as { ifname: string }[]) : [];
  }

  /** A sysctl as seen inside the node netns; read-only. */
  async nodeSysctl(key: string): Promise<string> {
    return (await sh('nsenter', [`--net=${this.nodePath}`, 'cat', `/proc/sys/${key.replace(/\./g, '/')}`])).trim();
  }

  /** Processes of this process group inside one of this sandbox's netns: only this run's plugins and their children. */
  private _strays(): number[] {
    const pgid = Number(statFields('self')[2]);
    const pids: number[] = [];
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
      try {
        const st = statFields(pid);
        if (st[0] !== 'Z' && Number(st[2]) === pgid && this._netnsIds.has(fs.readlinkSync(`/proc/${pid}/ns/net`))) pids.push(Number(pid));
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    return pids;
  }

  /**
   * The cleanup, in order: SIGKILL stray plugins (a killed driver's jobs would go on writing
   * leases into the temp dir), delete the node netns, unmount and remove every pod netns file,
   * then the temp dir. Generated lazily so each step sees the state the previous ones left.
   */
  private *_cleanupSteps(): Generator<Step> {
    for (let round = 0; round < 100; round++) {
      const pids = this._strays();
      if (pids.length === 0) break;
      yield { what: `kill ${pids.length} leftover plugin process(es)`, fn: () => pids.forEach((p) => process.kill(p, 'SIGKILL')) };
      yield { what: 'wait for them', pauseMs: 20 };
    }
    if (this._nodeCreated && fs.existsSync(this.nodePath)) yield { what: `delete netns ${this.nodeName}`, argv: ['ip', 'netns', 'del', this.nodeName] };
    for (const f of [...this._pods]) {
      if (mountsUnder(f).length > 0) yield { what: `unmount ${f}`, argv: ['umount', f] };
      yield { what: `remove ${f}`, fn: () => (fs.rmSync(f, { force: true }), this._pods.delete(f)) };
    }
    for (const m of mountsUnder(this.dir)) yield { what: `unmount ${m}`, argv: ['umount', '-l', m] };
    if (mountsUnder(this.dir).length === 0) yield { what: `remove ${this.dir}`, fn: () => fs.rmSync(this.dir, { recursive: true, force: true }) };
    else yield { what: `keep ${this.dir}`, fn: () => { throw new Error('something is still mounted below it'); } };
  }

  /** Removes everything this sandbox made. Idempotent. Returns what went wrong, if anything. */
  async cleanup(): Promise<string[]> {
    if (this._cleaned) return [];
    this._cleaned = true;
    const problems: string[] = [];
    for (const step of this._cleanupSteps()) {
      try {
        if ('pauseMs' in step) await sleep(step.pauseMs);
        else if ('argv' in step) await sh(step.argv[0]!, step.argv.slice(1));
        else step.fn();
      } catch (err) {
        if (!stillNeeded(step)) continue;
        problems.push(`${step.what}: ${(err as Error).message}`);
      }
    }
    return problems;
  }

  /** The same, blocking: only for process 'exit', when nothing asynchronous can run any more. */
  cleanupSync(): string[] {
    if (this._cleaned) return [];
    this._cleaned = true;
    const problems: string[] = [];
    for (const step of this._cleanupSteps()) {
      try {
        if ('pauseMs' in step) sleepSync(step.pauseMs);
        else if ('argv' in step) shSync(step.argv[0]!, step.argv.slice(1));
        else step.fn();
      } catch (err) {
        if (!stillNeeded(step)) continue;
        problems.push(`${step.what}: ${(err as Error).message}`);
      }
    }
    return problems;
  }
}
