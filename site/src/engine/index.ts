export type * from './types.ts';
export { EngineError, errorMessage, isAborted, type EngineErrorKind } from './errors.ts';
export { EngineProvider, useEngine } from './context.tsx';
