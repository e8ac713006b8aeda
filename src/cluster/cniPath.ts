// How a runtime finds a CNI plugin on a node: the first executable named like the plugin's "type"
// in a directory of CNI_PATH, exec'd in one process on the node (a shell that becomes the plugin).
// `exit $?` after exec: a shell whose exec returns, as the page's shell language does, must not
// fall through to "not found".

const FIND_AND_EXEC =
  'IFS=:; for d in $CNI_PATH; do if [ -x "$d/$0" ]; then exec "$d/$0"; exit $?; fi; done; ' +
  'echo "plugin \\"$0\\" not found in CNI_PATH=$CNI_PATH" >&2; exit 127';

/** argv that finds plugin `type` along $CNI_PATH on the node and runs it. */
export const findPluginArgv = (type: string): string[] => ['sh', '-c', FIND_AND_EXEC, type];

/** The plugin type when argv is findPluginArgv's (a driver may resolve it without a shell). */
export const pluginLookupOf = (argv: readonly string[]): string | undefined =>
  argv.length === 4 && argv[0] === 'sh' && argv[1] === '-c' && argv[2] === FIND_AND_EXEC ? argv[3] : undefined;

/** What the lookup says when no directory has the plugin (exit code 127). */
export const pluginNotFound = (type: string, cniPath: string) => `plugin "${type}" not found in CNI_PATH=${cniPath}\n`;
