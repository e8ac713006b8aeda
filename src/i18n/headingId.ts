// Explicit heading anchors in lab pages (`## Objectives {#objectives}`), the Kubernetes docs' way:
// links survive translation. Platform-free: the site's build and its heading component use it too.

/** `## Title {#anchor}` at the end of a heading line: the anchor both languages share. */
export const HEADING_ID = /\s*\{#([\w-]+)\}\s*$/;

/** MDX reads `{…}` as a JavaScript expression: explicit anchors become literal text for the site to take off. */
export function escapeHeadingIds(source: string): string {
  return mapOutsideCode(source, (line) => (/^#{1,6}\s/.test(line) ? line.replace(HEADING_ID, (m, id: string) => ` \\{#${id}\\}`) : line));
}

export function mapOutsideCode(source: string, f: (line: string, index: number) => string): string {
  let inCode = '';
  return source
    .split('\n')
    .map((line, i) => {
      const m = /^\s*(`{3,}|~{3,})/.exec(line);
      if (m) {
        if (!inCode) inCode = m[1]!;
        else if (line.trim().replace(/[`~]/g, '') === '' && line.trim().startsWith(inCode)) inCode = '';
        return line;
      }
      return inCode ? line : f(line, i);
    })
    .join('\n');
}

