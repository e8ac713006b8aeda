// The exact commands the WebContainer engine spawns, and the environment it gives them: one list
// for the engine and for the offline test that runs them with plain Node.js on the same tree.
import { TREE_PATHS } from './tree.ts';

/** The container's one cluster (its state is under the tree's .sim, so the name never meets another's). */
export const CONTAINER_CLUSTER = 'tab';

const cli = (...args: string[]): [string, ...string[]] => ['node', TREE_PATHS.cli, '--cluster', CONTAINER_CLUSTER, ...args];
const langFlag = (lang: string | undefined): string[] => (lang && lang !== 'en' ? ['--lang', lang] : []);

export const containerCommands = {
  clusterUp: () => cli('cluster', 'up', '--backend', 'sim'),
  /** The environment of a node's shell (JSON on stdout): a terminal's jsh starts with it. */
  shellEnv: (node: string) => cli('shell', node, '--env-json'),
  /** One JSON line per check as it finishes, then {"type":"done",…}. */
  check: (lab: string) => cli('check', lab, '--jsonl'),
  /** What was done, in the page's language (`lang`, a language the CLI has; English when not given). */
  solve: (lab: string, lang?: string) => cli('solve', lab, '--yes', '--json', ...langFlag(lang)),
  reset: (lab: string, lang?: string) => cli('reset', lab, '--yes', '--dir', TREE_PATHS.workspace, ...langFlag(lang)),
  hint: (lab: string) => cli('hint', lab, '--json'),
  labs: () => cli('labs', '--json'),
  /** Builds the workspace (esbuild-wasm where no native esbuild runs) and installs it on every node. */
  deploy: () => cli('deploy', '--dir', TREE_PATHS.workspace),
} as const;

/** Variables every container process gets, for a container whose working directory is `workdir`. */
export const containerEnv = (workdir: string): Record<string, string> => ({
  SIMPLECNI_SIM_ROOT: `${workdir}/${TREE_PATHS.simRoot}`,
  // The CLI prints for a terminal: no spinner codes in what the engine parses.
  NO_COLOR: '1',
});

/** A node tab's PATH: the node's (simulated programs first), then the tree's bin/ for `cnilab`. */
export const nodePath = (shellEnv: Record<string, string>, workdir: string) => `${shellEnv.PATH ?? ''}:${workdir}/${TREE_PATHS.bin}`;
