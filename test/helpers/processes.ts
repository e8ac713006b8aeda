// This machine's processes, found by what their command line names.
import * as fs from 'node:fs';

/** PIDs whose command line contains `text` (processes gone meanwhile are skipped). */
export function processesNaming(text: string): string[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    });
}
