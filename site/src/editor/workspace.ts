// What the code editor needs from an engine: the student's files and a way to deploy them.
// Engines implement it (the page engine over its stored files and in-page build); the editor
// never knows which one it talks to.
import type { BuildError } from '../../../src/labs/pageBuild.ts';

export type { BuildError };

export interface WorkspaceFiles {
  /** Workspace paths (e.g. "src/plugin/plugin.ts"), any order: the editor sorts them. */
  list(): Promise<string[]>;
  read(path: string): Promise<string>;
  write(path: string, text: string): Promise<void>;
}

export type DeployResult =
  | { ok: true; /** one line for the student, e.g. "deployed to node1, node2, node3" */ message: string }
  | { ok: false; errors: BuildError[]; /** a failure that is not a build error, e.g. a node that refused */ message?: string };

export interface CodeWorkspace {
  files: WorkspaceFiles;
  /** The lab starter's text of `path` (what "Reset file to starter" puts back); undefined if it has none. */
  starter(path: string): Promise<string | undefined>;
  /** Builds `files` (every workspace file, edits included) and installs them on the nodes. */
  deploy(files: Record<string, string>): Promise<DeployResult>;
}

/** A TODO marker line in a file (as the starter writes them: `// TODO(lab 04): …`). */
export interface TodoLine {
  file: string;
  /** 1-based */
  line: number;
  lab: string;
  text: string;
}

const TODO = /\/\/ TODO\(lab (\d\d)\):\s*(.*)$/;

export function todosIn(file: string, text: string): TodoLine[] {
  return text.split('\n').flatMap((l, i) => {
    const m = TODO.exec(l);
    return m ? [{ file, line: i + 1, lab: m[1]!, text: m[2]!.trim() }] : [];
  });
}

/** A workspace whose implementation loads on first use (keeps the starter sources and the compiler off the first prompt). */
export function lazyWorkspace(load: () => Promise<CodeWorkspace>): CodeWorkspace {
  let loading: Promise<CodeWorkspace> | undefined;
  const get = () => {
    loading ??= load();
    loading.catch(() => (loading = undefined));
    return loading;
  };
  return {
    files: {
      list: async () => (await get()).files.list(),
      read: async (path) => (await get()).files.read(path),
      write: async (path, text) => (await get()).files.write(path, text),
    },
    starter: async (path) => (await get()).starter(path),
    deploy: async (files) => (await get()).deploy(files),
  };
}
