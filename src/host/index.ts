// The plugin host: runs a CommonJS bundle as if it were a process, on any platform.
export { runBundle, startBundle, DEFAULT_NODE_VERSION, type HostedProcess } from './runBundle.ts';
export type { HostCommandRunner, HostFs, HostStats, RunBundleOptions, RunResult } from './types.ts';
export { fsError, hasCode, type FsError } from './fsError.ts';
export { MemoryFs } from './memoryFs.ts';
export { withProcSys, type HostSysctls } from './procSys.ts';
