// CNI error codes (spec 1.1.0 §6) plus SimpleCNI's own codes (100+ are free for plugins).
export const ErrCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnv: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidConfig: 7,
  TryAgainLater: 11,
  NotAvailable: 50,
  NotAvailableDegraded: 51,
  // SimpleCNI-specific
  AddressPoolExhausted: 100,
  AlreadyAttached: 101,
  KernelCommandFailed: 102,
  StateDrifted: 103,
  Internal: 999,
} as const;

export type ErrCodeValue = (typeof ErrCode)[keyof typeof ErrCode];

/** An error the plugin reports to the runtime as `{cniVersion, code, msg, details}`. */
export class CniError extends Error {
  constructor(
    public readonly code: ErrCodeValue,
    message: string,
    public readonly details = '',
  ) {
    super(message);
    this.name = 'CniError';
  }
}

/** An iproute2 command failed; `stderr` is what it printed (e.g. "RTNETLINK answers: File exists"). */
export class CommandError extends Error {
  constructor(
    public readonly argv: readonly string[],
    public readonly exitCode: number,
    public readonly stderr: string,
    /** For `ip -batch`: the 1-based line that failed, when ip reported it. */
    public readonly batchLine?: number,
  ) {
    super(`${argv.join(' ')}: ${stderr.trim() || `exit code ${exitCode}`}`);
    this.name = 'CommandError';
  }

  get fileExists(): boolean {
    return /File exists/.test(this.stderr);
  }

  get notFound(): boolean {
    return /Cannot find device|does not exist|No such device|No such file or directory|Cannot open network namespace/.test(
      this.stderr,
    );
  }
}
