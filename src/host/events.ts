// A small EventEmitter (node:events) for hosted programs: child processes, streams, process.

type Listener = (...args: any[]) => void;

export class EventEmitter {
  private _events = new Map<string | symbol, { fn: Listener; once: boolean }[]>();
  static defaultMaxListeners = 10;

  on(event: string | symbol, fn: Listener): this {
    return this._add(event, fn, false, false);
  }
  addListener(event: string | symbol, fn: Listener): this {
    return this.on(event, fn);
  }
  prependListener(event: string | symbol, fn: Listener): this {
    return this._add(event, fn, false, true);
  }
  once(event: string | symbol, fn: Listener): this {
    return this._add(event, fn, true, false);
  }
  off(event: string | symbol, fn: Listener): this {
    const list = this._events.get(event);
    if (list) {
      const i = list.findIndex((l) => l.fn === fn);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }
  removeListener(event: string | symbol, fn: Listener): this {
    return this.off(event, fn);
  }
  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this._events.clear();
    else this._events.delete(event);
    return this;
  }
  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this._events.get(event);
    if (!list || list.length === 0) {
      if (event === 'error') throw args[0] instanceof Error ? args[0] : new Error(`Unhandled error. (${String(args[0])})`);
      return false;
    }
    for (const l of [...list]) {
      if (l.once) this.off(event, l.fn);
      l.fn.apply(this, args);
    }
    return true;
  }
  listeners(event: string | symbol): Listener[] {
    return (this._events.get(event) ?? []).map((l) => l.fn);
  }
  listenerCount(event: string | symbol): number {
    return this._events.get(event)?.length ?? 0;
  }
  eventNames(): (string | symbol)[] {
    return [...this._events.keys()].filter((k) => (this._events.get(k)?.length ?? 0) > 0);
  }
  setMaxListeners(): this {
    return this;
  }
  getMaxListeners(): number {
    return EventEmitter.defaultMaxListeners;
  }
  private _add(event: string | symbol, fn: Listener, once: boolean, first: boolean): this {
    const list = this._events.get(event) ?? [];
    if (first) list.unshift({ fn, once });
    else list.push({ fn, once });
    this._events.set(event, list);
    return this;
  }
}

/** events.once(emitter, name): the next emission's arguments. */
export function once(emitter: EventEmitter, event: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const onError = (err: unknown) => {
      emitter.off(event, onEvent);
      reject(err);
    };
    const onEvent = (...args: unknown[]) => {
      emitter.off('error', onError);
      resolve(args);
    };
    emitter.once(event, onEvent);
    if (event !== 'error') emitter.once('error', onError);
  });
}

export const eventsModule = Object.assign(EventEmitter, { EventEmitter, once, default: EventEmitter });
