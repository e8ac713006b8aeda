// The simulated machine: a whole cluster in one object, for the page engine (browser) and tests (Node).
export { SimMachine, type MachineExecOptions, type MachineExecResult, type MachineProgram, type MachineProgramContext, type MachineSnapshot, type SimMachineOptions } from './machine.ts';
export { MachineDriver } from './driver.ts';
export { ShellSession, type RunIO, type SessionState } from './session.ts';
export { SyncFs, FsError, type SyncStat } from './syncFs.ts';
export { MACHINE_PATHS, CNI_PROGRAMS, podNetnsDir } from './nodeFiles.ts';
export { NOT_MODELLED, shQuote } from './commands.ts';
export { hostedBundle, installBundles, type HostedOptions } from './hosted.ts';
