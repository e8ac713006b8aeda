// The tiny shim `<binDir>/<name>` that runs a bundled program (plugin, IPAM plugin, node agent):
// `exec <node> [<launcher>] <binDir>/<name>.cjs "$@"`. On a simulated node the launcher is the
// plugin host, which gives the program the node's kernel (its /proc/sys) instead of this machine's.
// Source maps are on: a student's bundle carries one, so its stack traces name the student's
// TypeScript file and line (Node 12.12+).
//
// Where no POSIX shell runs scripts (a WebContainer: its commands on PATH are Node.js scripts),
// the same shim is a Node.js script that loads the launcher or bundle in its own process (see
// scriptForm.ts for the choice, made by what the machine can do).

export type ShimForm = 'sh' | 'node';

/** A script that runs `<script> <fixed args…> "$@"` with Node.js, in the form the machine runs. */
export function nodeRunner(form: ShimForm, comment: string, nodeJs: string, script: string, fixed: readonly string[] = [], nodeFlags = ''): string {
  if (form === 'sh') return `#!/bin/sh\n# ${comment}\nexec ${nodeJs} ${nodeFlags ? `${nodeFlags} ` : ''}${[script, ...fixed].join(' ')} "$@"\n`;
  // argv becomes [node, script, …fixed, …args], as the sh form's exec makes it; import() loads a
  // CommonJS file from an ES module scope too (the shim has no extension).
  return (
    `#!${nodeJs}\n// ${comment}\n` +
    `process.argv.splice(1, 1, ${[script, ...fixed].map((a) => JSON.stringify(a)).join(', ')});\n` +
    `import(${JSON.stringify(`file://${script}`)});\n`
  );
}

/** A script that prints `message` on stderr and exits with `code`. */
export function failingScript(form: ShimForm, nodeJs: string, message: string, code: number): string {
  if (form === 'sh') return `#!/bin/sh\necho "${message}" >&2\nexit ${code}\n`;
  return `#!${nodeJs}\nprocess.stderr.write(${JSON.stringify(`${message}\n`)});\nprocess.exitCode = ${code};\n`;
}

export function bundleShim(name: string, nodeJs: string, bundle: string, launcher?: string, form: ShimForm = 'sh'): string {
  const how = launcher ? 'run by the plugin host of the simulated node' : "run by the node's Node.js";
  const comment = `${name}: one bundled JavaScript file, ${how}.`;
  if (form === 'sh') return nodeRunner('sh', comment, nodeJs, launcher ?? bundle, launcher ? [bundle] : [], '--enable-source-maps');
  return nodeRunner('node', comment, nodeJs, launcher ?? bundle, launcher ? [bundle] : []).replace('\n// ', `\nprocess.setSourceMapsEnabled?.(true);\n// `);
}

/** The bundle a shim runs (undefined when the text is not such a shim). */
export function bundleOfShim(text: string): string | undefined {
  if (text.startsWith('#!/bin/sh\n')) return /^exec \S+ (?:\S+ )*?(\S+\.cjs) "\$@"$/m.exec(text)?.[1];
  if (text.startsWith('#!')) {
    const m = /^process\.argv\.splice\(1, 1, (.*)\);$/m.exec(text);
    if (!m) return undefined;
    // [launcher, bundle] or [bundle]: the bundle is last (a kernel program's shim ends in its name).
    const last = (JSON.parse(`[${m[1]}]`) as string[]).at(-1);
    return last?.endsWith('.cjs') ? last : undefined;
  }
  return undefined;
}
