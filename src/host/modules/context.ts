// What a built-in module of the host needs from the program it serves.
import type { Life } from '../life.ts';
import type { HostTimers } from '../timers.ts';
import type { HostCommandRunner, HostFs } from '../types.ts';

export interface ModuleContext {
  life: Life;
  timers: HostTimers;
  fs: HostFs;
  runner: HostCommandRunner;
  env(): Record<string, string>;
  cwd(): string;
  pid: number;
  hostname: string;
  /** The rest of standard input (reading it consumes it, as from a pipe). */
  takeStdin(): string;
}
