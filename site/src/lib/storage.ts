// Storage that never throws (private windows, disabled storage): falls back to memory.
const memory = new Map<string, string>();

function store(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null;
  }
}

export function readStored(kind: 'local' | 'session', key: string): string | null {
  try {
    const value = store(kind)?.getItem(key);
    if (value !== null && value !== undefined) return value;
  } catch {
    /* fall through */
  }
  return memory.get(`${kind}:${key}`) ?? null;
}

export function writeStored(kind: 'local' | 'session', key: string, value: string | null): void {
  const mkey = `${kind}:${key}`;
  if (value === null) memory.delete(mkey);
  else memory.set(mkey, value);
  try {
    const s = store(kind);
    if (value === null) s?.removeItem(key);
    else s?.setItem(key, value);
  } catch {
    /* memory copy is enough */
  }
}
