// Every lab's checks by id, and running a lab's checks in the order labs.yaml lists them.
import type { Lab } from '../labs/catalog.ts';
import { msg, t } from '../i18n/index.ts';
import { errorText } from '../i18n/text.ts';
import { checks as lab00 } from './labs/lab00.ts';
import { checks as lab01 } from './labs/lab01.ts';
import { checks as lab02 } from './labs/lab02.ts';
import { checks as lab03 } from './labs/lab03.ts';
import { checks as lab04 } from './labs/lab04.ts';
import { checks as lab05 } from './labs/lab05.ts';
import { checks as lab06 } from './labs/lab06.ts';
import { checks as lab07 } from './labs/lab07.ts';
import { checks as lab08 } from './labs/lab08.ts';
import { checks as lab09 } from './labs/lab09.ts';
import { checks as lab10 } from './labs/lab10.ts';
import { checks as lab11 } from './labs/lab11.ts';
import type { CheckContext, CheckFn, CheckResult } from './types.ts';

export const CHECKS: Record<string, CheckFn> = { ...lab00, ...lab01, ...lab02, ...lab03, ...lab04, ...lab05, ...lab06, ...lab07, ...lab08, ...lab09, ...lab10, ...lab11 };

export interface LabReport {
  lab: string;
  passed: boolean;
  checks: CheckResult[];
}

/**
 * Runs a lab's checks at once (they only read node state, or work in scratch corners of their
 * own), reported in the order labs.yaml lists them.
 */
export async function runLabChecks(lab: Lab, ctx: CheckContext, onResult?: (r: CheckResult) => void): Promise<LabReport> {
  const results = await Promise.all(
    lab.checks.map(async (meta): Promise<CheckResult> => {
      const fn = CHECKS[meta.id];
      if (!fn) throw new Error(`check "${meta.id}" of lab ${lab.id} has no implementation in src/validators/labs/`);
      let r: CheckResult;
      try {
        r = { id: meta.id, title: meta.title, ...(await fn(ctx)) };
      } catch (err) {
        const found = msg('check.couldNotRun', { error: errorText(err) });
        const hint = msg('check.couldNotRunHint');
        r = { id: meta.id, title: meta.title, passed: false, expected: meta.title, found: t('en', found), hint: t('en', hint), msg: { expected: meta.title, found, hint } };
      }
      onResult?.(r);
      return r;
    }),
  );
  return { lab: lab.id, passed: results.every((r) => r.passed), checks: results };
}
