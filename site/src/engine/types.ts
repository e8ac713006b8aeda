// The engine interface: everything a lab page needs from "where the labs run". Components use only
// this (through useEngine()); they never know whether a lab server or the tab itself answers.
// Implementations: server/ (the lab server's HTTP + WebSocket API), page/ (all in the tab) and
// webcontainer/ (the kit itself on StackBlitz's Node.js runtime in the tab).
import type {
  ApiCheckDone,
  ApiCheckResult,
  ApiDone,
  ApiHints,
  ApiLab,
  ApiLabs,
  ApiSolution,
  ApiTopology,
  ApiTrace,
} from '../../../src/server/api.ts';
import type { EngineError } from './errors.ts';
import type { Text } from '../../../src/i18n/index.ts';

export type {
  ApiCheckDone,
  ApiCheckResult,
  ApiDone,
  ApiHints,
  ApiLab,
  ApiLabs,
  ApiNode,
  ApiSolution,
  ApiTopology,
  ApiTrace,
  ApiTraceHop,
} from '../../../src/server/api.ts';

/** Which engine runs, for the badge in the top bar. */
export interface EngineInfo {
  kind: 'server' | 'page' | 'webcontainer';
  /** Short badge text: "lab server", "in this tab" (messages, shown in the site's language). */
  label: Text;
  /** One sentence: where terminals and checks run. */
  description: Text;
  /** Where the kernel is: "simulated kernel", or the cluster's backend. */
  kernel: Text;
  /** More to say about it (whose runtime, what it needs), a paragraph each. */
  details?: Text[];
}

/** One terminal tab: a node's shell, or the student's own machine ("workstation"). */
export interface TerminalInfo {
  id: string;
  label: string;
  kind: 'node' | 'workstation';
}

/** The lab list with the terminals the engine offers. */
export interface EngineLabs extends ApiLabs {
  terminals: TerminalInfo[];
}

export type ConnState =
  | { status: 'connecting' }
  | { status: 'open' }
  | { status: 'reconnecting'; attempt: number; retryAt: number; reason: string }
  | { status: 'exited'; code: number }
  | { status: 'failed'; message: string };

/** Where a terminal session writes: the xterm the panel owns. */
export interface TerminalSink {
  output(data: string): void;
  state(s: ConnState): void;
}

/** A terminal session: keystrokes in, output out through the sink. */
export interface TerminalConnection {
  input(data: string): void;
  resize(cols: number, rows: number): void;
  /** Try to connect again now (after a drop). */
  retryNow(): void;
  /** A fresh shell (after an exit, or when asked for). */
  restart(): void;
  close(): void;
}

export type CheckEvent = { type: 'check'; result: ApiCheckResult } | { type: 'done'; done: ApiCheckDone };

/** The student's files for the lab in the workspace (optional capability). */
export interface WorkFile {
  path: string;
  text: string;
}

export interface DeployResult {
  ok: boolean;
  /** On failure: the build errors, each `file:line:col: message`. */
  errors: string[];
  done: string[];
}

/** Saving, exporting and importing the student's work (optional capability). */
export interface WorkStore {
  /** The whole of the student's work as one JSON text (progress, files, check results). */
  exportWork(): Promise<string>;
  /** Restores an exported text; throws an EngineError that says what is wrong with it. */
  importWork(text: string): Promise<void>;
  /** Forget everything: progress, files, the cluster. */
  startOver(): Promise<void>;
}

export interface Engine {
  readonly info: EngineInfo;
  /** False when the engine cannot be used from this page at all (the server engine without its token). */
  hasAccess(): boolean;
  /** Called when the engine's access is refused while in use. */
  onAccessRefused(l: (err: EngineError) => void): () => void;
  labs(signal?: AbortSignal): Promise<EngineLabs>;
  openTerminal(id: string, sink: TerminalSink): TerminalConnection;
  /** Runs the lab's checks; onEvent as each one finishes; resolves with the last line. */
  check(id: string, onEvent: (e: CheckEvent) => void, signal?: AbortSignal): Promise<ApiCheckDone>;
  hints(id: string): Promise<ApiHints>;
  nextHint(id: string): Promise<ApiHints>;
  solution(id: string): Promise<ApiSolution>;
  reset(id: string): Promise<ApiDone>;
  // Optional capabilities: the UI hides what an engine does not have.
  solve?(id: string): Promise<ApiDone>;
  topology?(signal?: AbortSignal): Promise<ApiTopology>;
  trace?(from: string, to: string, signal?: AbortSignal): Promise<ApiTrace>;
  files?(id: string): Promise<WorkFile[]>;
  saveFile?(id: string, file: WorkFile): Promise<void>;
  deploy?(id: string, files: WorkFile[]): Promise<DeployResult>;
  work?: WorkStore;
  /**
   * Installs bundles built in the page (the student's plugin, from the editor's Deploy) on every
   * node, as `cnilab deploy` does; returns the line to show.
   */
  installBundles?(bundles: Partial<Record<'simplecni' | 'simplecni-ipam' | 'simplecni-node', string>>): Promise<string>;
  /**
   * What this engine cannot do of a lab (shown on the lab page): `runs` false when the lab cannot be
   * done here at all, true when only a step differs (the note says which). Undefined: all of it runs.
   */
  labNote?(id: string): { text: string; runs: boolean } | undefined;
}

export type { ApiLab as EngineLab };
