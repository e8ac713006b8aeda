// A workspace held in the tab: a lab's starter (derived in the page), the student's edits kept
// by the engine when it keeps files (the page engine: IndexedDB, in its export) or else in
// localStorage, Deploy built in the page. Installing the bundles is the engine's part: it passes
// `install`; without one, Deploy only builds and says so.
import { tx } from '../lib/lang.ts';
import { readStored, writeStored } from '../lib/storage.ts';
import type { BundleName } from '../../../src/labs/pageBuild.ts';
import type { WorkFile } from '../engine/types.ts';
import { buildInPage } from './build.ts';
import { starterOf } from './starter.ts';
import type { CodeWorkspace, DeployResult } from './workspace.ts';

/** Where the student's edits of a lab's files are kept. */
export interface EditStore {
  /** The files the student changed (others are the starter's). */
  load(): Promise<WorkFile[]>;
  save(file: WorkFile): Promise<void>;
}

export interface MemoryWorkspaceOptions {
  /** Installs the built bundles on the nodes (as `cnilab deploy` does); returns the line to show. */
  install?: (bundles: Partial<Record<BundleName, string>>) => Promise<string>;
  /** The engine builds and installs the files itself (the WebContainer: esbuild-wasm inside it); replaces the page's build. */
  deploy?: (files: Record<string, string>) => Promise<DeployResult>;
  /** Where edits are kept; default: localStorage under `storageKey`. */
  store?: EditStore;
  /** localStorage key prefix for the edits (default: cnilab.code.<lab>.); null keeps them in memory only. */
  storageKey?: string | null;
}

/** Edits in localStorage, one key a file; a file back at its starter text has no key. */
function localEdits(prefix: string | null, starter: Record<string, string>): EditStore {
  return {
    load: async () =>
      prefix === null ? [] : Object.keys(starter).flatMap((path) => {
        const text = readStored('local', prefix + path);
        return text ? [{ path, text }] : [];
      }),
    save: async ({ path, text }) => {
      if (prefix !== null) writeStored('local', prefix + path, text === starter[path] ? null : text);
    },
  };
}

export async function memoryWorkspace(labId: string, opts: MemoryWorkspaceOptions = {}): Promise<CodeWorkspace> {
  const starter = starterOf(labId).files;
  const store = opts.store ?? localEdits(opts.storageKey === undefined ? `cnilab.code.${labId}.` : opts.storageKey, starter);
  const files = new Map(Object.entries(starter));
  // Only the starter's paths: a kept file the starter no longer has is not part of this workspace.
  for (const f of await store.load()) if (files.has(f.path)) files.set(f.path, f.text);
  return {
    files: {
      list: async () => [...files.keys()],
      read: async (path) => {
        const text = files.get(path);
        if (text === undefined) throw new Error(`no file ${path} in the workspace`);
        return text;
      },
      write: async (path, text) => {
        files.set(path, text);
        await store.save({ path, text });
      },
    },
    starter: async (path) => starter[path],
    async deploy(all): Promise<DeployResult> {
      if (opts.deploy) return opts.deploy(all);
      const built = await buildInPage(all);
      if (!built.ok) return built;
      const names = Object.keys(built.bundles).join(', ');
      if (!opts.install) return { ok: true, message: tx('editor.builtOnly', { names }) };
      return { ok: true, message: await opts.install(built.bundles) };
    },
  };
}
