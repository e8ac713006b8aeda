// The student's progress as data, without where it is kept (a file for the CLI, the browser for
// the page engine).
export interface Progress {
  /** lab id → when it first passed */
  passed: Record<string, string>;
  /** lab id → how many hints were shown */
  hints: Record<string, number>;
  /** the lab the workspace was last started for */
  current?: string;
}

/** The hints of a lab revealed so far in p; with `revealNext`, one more first (up to all). Updates p.hints. */
export function revealHints(p: Progress, lab: { id: string; hints: string[] }, revealNext: boolean): { hints: string[]; remaining: number } {
  const shown = Math.min((p.hints[lab.id] ?? 0) + (revealNext ? 1 : 0), lab.hints.length);
  if (revealNext) p.hints[lab.id] = shown;
  return { hints: lab.hints.slice(0, shown), remaining: lab.hints.length - shown };
}
