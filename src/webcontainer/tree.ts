// The one file tree a WebContainer mounts: the kit as a node of the sim backend sees it (the CLI
// bundle, the simulated kernel's programs and plugin host, the plugin, simplecni-node, the labs,
// the reference sources `cnilab start` derives starters from) plus the learner's workspace.
// Platform-free: the page fills it from its bundled assets, the offline test from the disk
// (treeFromDisk.ts), and both get the same tree. No node: imports here.
import type { DirectoryNode, FileNode, FileSystemTree } from '@webcontainer/api';

/** The kit's files a container needs, by repository path (globs end in /**). */
export const KIT_FILES = [
  'dist/cnilab.mjs',
  'dist/simkernel.cjs',
  'dist/simhost.cjs',
  'dist/simplecni.cjs',
  'dist/simplecni-ipam.cjs',
  'dist/simplecni-node.cjs',
  'vm/topology.json',
  'tsconfig.json',
  'labs/**',
  'src/plugin/**',
  'src/node/**',
  'src/shared/cniSpec.ts',
  // The one npm package the plugin's sources import: a workspace build resolves it here.
  'node_modules/ipaddr.js/package.json',
  'node_modules/ipaddr.js/lib/ipaddr.js',
] as const;

/** Does a repository path belong in the tree? (A glob `dir/**` takes every file under dir.) */
export function isKitFile(repoPath: string): boolean {
  return KIT_FILES.some((p) => (p.endsWith('/**') ? repoPath.startsWith(p.slice(0, -2)) : p === repoPath));
}

/** The kit's root, named as repoRoot() looks for it; no dependencies: the bundles carry theirs. */
const PACKAGE_JSON = JSON.stringify({ name: 'simplecni-lab', private: true, type: 'module', bin: { cnilab: 'bin/cnilab' } }, null, 2) + '\n';

/**
 * `cnilab` on a container's PATH: a Node.js script (a WebContainer runs JavaScript, not sh), the
 * same entry as bin/cnilab.
 */
const CNILAB_BIN = "#!/usr/bin/env node\nimport('../dist/cnilab.mjs');\n";

/** Where things are in a mounted tree (relative to the container's working directory). */
export const TREE_PATHS = {
  cli: 'dist/cnilab.mjs',
  bin: 'bin',
  workspace: 'workspace',
  /** The simulated clusters' root (SIMPLECNI_SIM_ROOT): inside the tree, so nothing depends on /run or /tmp. */
  simRoot: '.sim',
} as const;

export interface TreeInput {
  /** Repository path → contents, for every path isKitFile() takes (others are refused). */
  kit: Record<string, string | Uint8Array>;
  /** The learner's workspace (workspace path → text, e.g. "src/plugin/plugin.ts"). */
  workspace?: Record<string, string>;
}

function put(tree: FileSystemTree, path: string, contents: string | Uint8Array) {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0 || parts.some((p) => p === '..' || p === '.')) throw new Error(`"${path}" is not a plain relative path`);
  let dir = tree;
  for (const p of parts.slice(0, -1)) {
    const node = (dir[p] ??= { directory: {} });
    if (!('directory' in node)) throw new Error(`"${path}": ${p} is a file, not a folder`);
    dir = node.directory;
  }
  dir[parts.at(-1)!] = { file: { contents } };
}

/** The tree to mount. Throws when a kit file is missing (a container without its CLI is no use). */
export function containerTree(input: TreeInput): FileSystemTree {
  const tree: FileSystemTree = {};
  for (const want of KIT_FILES) {
    if (want.endsWith('/**')) {
      if (!Object.keys(input.kit).some((p) => p.startsWith(want.slice(0, -2)))) throw new Error(`the container tree needs ${want}: none given`);
    } else if (!(want in input.kit)) {
      throw new Error(`the container tree needs ${want}${want.startsWith('dist/') ? ' (run `npm run build`)' : ''}`);
    }
  }
  for (const [p, text] of Object.entries(input.kit).sort(([a], [b]) => a.localeCompare(b))) {
    if (!isKitFile(p)) throw new Error(`${p} is not one of the container's kit files`);
    put(tree, p, text);
  }
  put(tree, 'package.json', PACKAGE_JSON);
  put(tree, `${TREE_PATHS.bin}/cnilab`, CNILAB_BIN);
  for (const [p, text] of Object.entries(input.workspace ?? {})) put(tree, `${TREE_PATHS.workspace}/${p}`, text);
  return tree;
}

/**
 * esbuild-wasm's files a build in the container needs (package path → contents): mounted at
 * node_modules/esbuild-wasm on the first deploy, not with the tree — its .wasm is 14 MB, the
 * same asset the page's own Deploy loads, so the browser fetches it once.
 */
export const ESBUILD_WASM_FILES = ['package.json', 'lib/main.js', 'bin/esbuild', 'wasm_exec.js', 'wasm_exec_node.js', 'esbuild.wasm'] as const;

export function esbuildWasmTree(files: Record<(typeof ESBUILD_WASM_FILES)[number], string | Uint8Array>): FileSystemTree {
  const tree: FileSystemTree = {};
  for (const f of ESBUILD_WASM_FILES) {
    if (!(f in files)) throw new Error(`esbuild-wasm's ${f} is missing`);
    put(tree, `node_modules/esbuild-wasm/${f}`, files[f]);
  }
  return tree;
}

/** Every file of a tree: path → contents, in a stable order. */
export function* treeFiles(tree: FileSystemTree, prefix = ''): Generator<[string, string | Uint8Array]> {
  for (const name of Object.keys(tree).sort()) {
    const node = tree[name]!;
    const p = prefix ? `${prefix}/${name}` : name;
    if ('directory' in node) yield* treeFiles((node as DirectoryNode).directory, p);
    else if ('file' in node && 'contents' in (node as FileNode).file) yield [p, (node as FileNode).file.contents];
  }
}

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** Files and bytes (before compression) of a tree. */
export function treeSize(tree: FileSystemTree): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const [, c] of treeFiles(tree)) {
    files++;
    bytes += typeof c === 'string' ? utf8Length(c) : c.byteLength;
  }
  return { files, bytes };
}
