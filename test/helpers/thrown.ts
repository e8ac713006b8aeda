import { expect } from 'vitest';

/** The error `f` throws, which must be a `kind`; a call that throws nothing fails the test. */
export function thrownBy<E>(f: () => unknown, kind: abstract new (...args: never[]) => E): E {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(kind);
    return err as E;
  }
  throw new Error('expected an error');
}
