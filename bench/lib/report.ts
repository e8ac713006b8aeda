// Plain-text tables for the benchmark report.

export const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '—');
export const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)}×` : '—');

/**
 * Aligns rows into columns: the first column left-aligned, the others right-aligned.
 * Returns the lines; the header line is followed by a rule.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? '')].length)));
  const line = (r: readonly string[]) =>
    indent +
    r
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c]! - [...cell].length);
        return c === 0 ? cell + pad : pad + cell;
      })
      .join('   ')
      .trimEnd();
  const rule = indent + widths.map((w) => '─'.repeat(w)).join('   ');
  return [line(header), rule, ...rows.map(line)];
}
