// The tiny shim `<binDir>/<name>` that runs a bundled program (plugin, IPAM plugin, node agent):
// `exec <node> [<launcher>] <binDir>/<name>.cjs "$@"`. On a simulated node the launcher is the
// plugin host, which gives the program the node's kernel (its /proc/sys) instead of this machine's.

export function bundleShim(name: string, nodeJs: string, bundle: string, launcher?: string): string {
  const how = launcher ? 'run by the plugin host of the simulated node' : "run by the node's Node.js";
  return `#!/bin/sh\n# ${name}: one bundled JavaScript file, ${how}.\nexec ${nodeJs} ${launcher ? `${launcher} ` : ''}${bundle} "$@"\n`;
}

/** The bundle a shim runs (undefined when the text is not such a shim). */
export function bundleOfShim(text: string): string | undefined {
  if (!text.startsWith('#!/bin/sh\n')) return undefined;
  return /^exec \S+ (?:\S+ )?(\S+\.cjs) "\$@"$/m.exec(text)?.[1];
}
