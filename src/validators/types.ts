// What a check is: a look at a cluster's final state, answering pass/fail with expected vs found,
// and a hint that teaches without handing over a command to paste.
import type { NodeDriver } from '../cluster/driver.ts';
import type { CniRuntime } from '../runtime/cniRuntime.ts';
import type { Pods } from '../runtime/pods.ts';

export interface Verdict {
  passed: boolean;
  expected: string;
  found: string;
  /** Shown when the check fails: where to look, not what to type. */
  hint: string;
}

export interface CheckResult extends Verdict {
  id: string;
  title: string;
}

export interface CheckContext {
  driver: NodeDriver;
  runtime: CniRuntime;
  pods: Pods;
  /** The cluster's current data-plane mode. */
  mode: string;
}

export type CheckFn = (ctx: CheckContext) => Promise<Verdict>;

export const pass = (expected: string, found = expected): Verdict => ({ passed: true, expected, found, hint: '' });
export const fail = (expected: string, found: string, hint: string): Verdict => ({ passed: false, expected, found, hint });
