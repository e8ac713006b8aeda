// What running a command returns, and how it may be run: shared by every node driver, including
// the page engine's simulated machine (platform-free: no Node.js types here).
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  input?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}
