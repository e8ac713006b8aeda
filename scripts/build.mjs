// Bundles the plugin and the CLI with esbuild: one file each, no runtime dependencies.
// The plugin targets Node 18 (the nodes' distro Node) and must stay small: it starts on every ADD.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  build({ ...common, entryPoints: ['src/plugin/bin.ts'], outfile: 'dist/simplecni.cjs', format: 'cjs', target: 'node18', minify: true }),
  build({ ...common, entryPoints: ['src/plugin/ipam/bin.ts'], outfile: 'dist/simplecni-ipam.cjs', format: 'cjs', target: 'node18', minify: true }),
  build({ ...common, entryPoints: ['src/node/bin.ts'], outfile: 'dist/simplecni-node.cjs', format: 'cjs', target: 'node18', minify: true }),
  // The simulated kernel's programs (ip, bridge, ping…): one file, no native code, so it also runs in a WebContainer.
  build({ ...common, entryPoints: ['src/sim/host/main.ts'], outfile: 'dist/simkernel.cjs', format: 'cjs', target: 'node18', minify: true }),
  // The plugin host on simulated nodes: the worker the sim driver runs plugins in, and the launcher of the nodes' plugin shims.
  build({ ...common, entryPoints: ['src/sim/host/hostMain.ts'], outfile: 'dist/simhost.cjs', format: 'cjs', target: 'node18', minify: true }),
  build({
    ...common,
    entryPoints: ['src/cli/index.ts'],
    outfile: 'dist/cnilab.mjs',
    format: 'esm',
    target: 'node20',
    // Native or optional-native packages load from node_modules at run time: esbuild (for
    // `cnilab deploy`; typescript, its type check), the PTY addon and ws (optional bufferutil) for `cnilab serve`.
    // esbuild-wasm stands in for esbuild where no native binary runs (a WebContainer).
    external: ['esbuild', 'esbuild-wasm', 'typescript', '@lydell/node-pty', 'ws'],
    // Bundled CJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  }),
]);
