// A workspace held in the tab: a lab's starter (derived in the page), edits kept in
// localStorage, Deploy built in the page. Installing the bundles is the engine's part: it passes
// `install`; without one, Deploy only builds and says so.
import { readStored, writeStored } from '../lib/storage.ts';
import type { BundleName } from '../../../src/labs/pageBuild.ts';
import { buildInPage } from './build.ts';
import { starterOf } from './starter.ts';
import type { CodeWorkspace, DeployResult } from './workspace.ts';

export interface MemoryWorkspaceOptions {
  /** Installs the built bundles on the nodes (as `cnilab deploy` does); returns the line to show. */
  install?: (bundles: Partial<Record<BundleName, string>>) => Promise<string>;
  /** The engine builds and installs the files itself (the WebContainer: esbuild-wasm inside it); replaces the page's build. */
  deploy?: (files: Record<string, string>) => Promise<DeployResult>;
  /** localStorage key prefix for the edits (default: cnilab.code.<lab>.); null keeps them in memory only. */
  storageKey?: string | null;
}

export function memoryWorkspace(labId: string, opts: MemoryWorkspaceOptions = {}): CodeWorkspace {
  const starter = starterOf(labId).files;
  const prefix = opts.storageKey === undefined ? `cnilab.code.${labId}.` : opts.storageKey;
  const files = new Map(Object.entries(starter).map(([p, text]) => [p, (prefix !== null && readStored('local', prefix + p)) || text]));
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
        if (prefix !== null) writeStored('local', prefix + path, text === starter[path] ? null : text);
      },
    },
    starter: async (path) => starter[path],
    async deploy(all): Promise<DeployResult> {
      if (opts.deploy) return opts.deploy(all);
      const built = await buildInPage(all);
      if (!built.ok) return built;
      const names = Object.keys(built.bundles).join(', ');
      if (!opts.install) return { ok: true, message: `Built ${names} in this tab (not installed: run \`cnilab deploy\` to install your workspace on the nodes).` };
      return { ok: true, message: await opts.install(built.bundles) };
    },
  };
}
