// The container's tree in the page: the kit's files as this site ships them (raw text, loaded only
// when the WebContainer engine is tried), given to the same containerTree() the offline test uses.
import type { FileSystemTree } from '@webcontainer/api';
import { containerTree, esbuildWasmTree, type TreeInput } from '../../../../src/webcontainer/tree.ts';

const kit = import.meta.glob<string>(
  [
    '../../../../dist/cnilab.mjs',
    '../../../../dist/simkernel.cjs',
    '../../../../dist/simhost.cjs',
    '../../../../dist/simplecni.cjs',
    '../../../../dist/simplecni-ipam.cjs',
    '../../../../dist/simplecni-node.cjs',
    '../../../../vm/topology.json',
    '../../../../tsconfig.json',
    '../../../../labs/**/*',
    '../../../../src/plugin/**/*.ts',
    '../../../../src/node/**/*.ts',
    '../../../../src/shared/cniSpec.ts',
  ],
  { query: '?raw', import: 'default' },
);
// import.meta.glob leaves node_modules out: the package's two files are imported by name.
const ipaddr = {
  'node_modules/ipaddr.js/package.json': () => import('../../../../node_modules/ipaddr.js/package.json?raw').then((m) => m.default),
  'node_modules/ipaddr.js/lib/ipaddr.js': () => import('../../../../node_modules/ipaddr.js/lib/ipaddr.js?raw').then((m) => m.default),
};

/** The tree to mount, with the learner's workspace files. */
export async function pageContainerTree(workspace?: TreeInput['workspace']): Promise<FileSystemTree> {
  const files: Record<string, string> = {};
  await Promise.all([...Object.entries(kit), ...Object.entries(ipaddr)].map(async ([p, load]) => (files[p.replace(/^(\.\.\/)+/, '')] = await load())));
  return containerTree({ kit: files, ...(workspace ? { workspace } : {}) });
}

/** esbuild-wasm for builds inside the container: its .wasm is the asset the page's own Deploy uses. */
export async function esbuildWasmForContainer(): Promise<FileSystemTree> {
  const [pkg, main, bin, exec, execNode, wasmURL] = await Promise.all([
    import('../../../../node_modules/esbuild-wasm/package.json?raw').then((m) => m.default),
    import('../../../../node_modules/esbuild-wasm/lib/main.js?raw').then((m) => m.default),
    import('../../../../node_modules/esbuild-wasm/bin/esbuild?raw').then((m) => m.default),
    import('../../../../node_modules/esbuild-wasm/wasm_exec.js?raw').then((m) => m.default),
    import('../../../../node_modules/esbuild-wasm/wasm_exec_node.js?raw').then((m) => m.default),
    import('esbuild-wasm/esbuild.wasm?url').then((m) => m.default),
  ]);
  const wasm = new Uint8Array(await (await fetch(wasmURL)).arrayBuffer());
  return esbuildWasmTree({ 'package.json': pkg, 'lib/main.js': main, 'bin/esbuild': bin, 'wasm_exec.js': exec, 'wasm_exec_node.js': execNode, 'esbuild.wasm': wasm });
}
