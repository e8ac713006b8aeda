// The simulated kernel's state between processes: one JSON file per cluster. Every command
// runs first on a snapshot without the lock (most commands only read); if it changed the world,
// it runs again under the lock on a fresh read and the result is written atomically — so
// concurrent plugin runs serialise their changes and readers never see half a write.
import * as fs from 'node:fs';
import lockfile from 'proper-lockfile';
import { createWorld, type World } from '../core/model.ts';

export class WorldFileError extends Error {}

export function readWorld(file: string): World {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new WorldFileError(`the simulated cluster's state ${file} does not exist: is the cluster up? (cnilab cluster up --backend sim)`);
    }
    throw err;
  }
  try {
    const w = JSON.parse(text) as World;
    if (w.version !== 1 || typeof w.namespaces !== 'object') throw new Error('not a simulated kernel state (version 1)');
    return w;
  } catch (err) {
    throw new WorldFileError(`the simulated cluster's state ${file} is corrupt (${(err as Error).message}); recreate the cluster: cnilab cluster down && cnilab cluster up --backend sim`);
  }
}

export function writeWorld(file: string, world: World) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(world));
  fs.renameSync(tmp, file);
}

export function initWorld(file: string, world: World = createWorld()) {
  writeWorld(file, world);
}

const LOCK_OPTS = { realpath: false, stale: 5000, retries: { retries: 400, minTimeout: 2, maxTimeout: 40, randomize: true } };

/** Runs fn under the lock on a fresh read, and saves the world when fn changed it. */
export async function updateWorld<T>(file: string, fn: (world: World) => T): Promise<T> {
  const release = await lockfile.lock(file, LOCK_OPTS);
  try {
    return changeLocked(file, fn);
  } finally {
    await release();
  }
}

/** fn on a fresh read of the world, saved when fn changed it; the caller holds the lock. */
function changeLocked<T>(file: string, fn: (world: World) => T): T {
  const world = readWorld(file);
  pruneCaptures(world);
  const before = JSON.stringify(world);
  const out = fn(world);
  if (JSON.stringify(world) !== before) writeWorld(file, world);
  return out;
}

/**
 * updateWorld for a caller that cannot wait asynchronously (a file write of a hosted program, such
 * as a sysctl written through /proc/sys): the same lock, taken by retrying with short sleeps.
 */
export function updateWorldSync<T>(file: string, fn: (world: World) => T): T {
  const release = lockSync(file);
  try {
    return changeLocked(file, fn);
  } finally {
    release();
  }
}

function lockSync(file: string): () => void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      return lockfile.lockSync(file, { realpath: false, stale: LOCK_OPTS.stale });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || attempt >= LOCK_OPTS.retries.retries) throw err;
      Atomics.wait(sleeper, 0, 0, Math.min(LOCK_OPTS.retries.maxTimeout, 2 + attempt));
    }
  }
}

/** Read-mostly: fn runs on a snapshot; only if it changed the world does it run again, locked. */
export async function withWorld<T>(file: string, fn: (world: World) => T): Promise<T> {
  const world = readWorld(file);
  const before = JSON.stringify(world);
  const out = fn(world);
  if (JSON.stringify(world) === before) return out;
  return updateWorld(file, fn);
}

/** Captures whose tcpdump is gone (killed by `timeout`, say) stop collecting. */
function pruneCaptures(world: World) {
  world.captures = world.captures.filter((c) => c.pid === undefined || alive(c.pid));
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** withWorld for a worker thread, which may block: a change is saved under the lock taken synchronously. */
export function withWorldSync<T>(file: string, fn: (world: World) => T): T {
  const world = readWorld(file);
  const before = JSON.stringify(world);
  const out = fn(world);
  if (JSON.stringify(world) === before) return out;
  return updateWorldSync(file, fn);
}
