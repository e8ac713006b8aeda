// Errors every engine throws: a kind the UI can branch on, and a message a student can act on.
export type EngineErrorKind = 'no-token' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'server' | 'network' | 'bad-response' | 'aborted' | 'unsupported';

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    readonly status: number,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export function isAborted(e: unknown): boolean {
  return e instanceof EngineError && e.kind === 'aborted';
}
