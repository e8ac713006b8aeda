// Deploy's build in the page: esbuild-wasm, loaded on first use. Its .wasm is an asset of the
// site (Vite copies it next to the scripts), so building needs no network.
import type { BuildResult, BundleName } from '../../../src/labs/pageBuild.ts';
import wasmURL from 'esbuild-wasm/esbuild.wasm?url';
// The workspace's only npm dependency, bundled into the plugin as scripts/build.mjs does.
import ipaddrSource from '../../../node_modules/ipaddr.js/lib/ipaddr.js?raw';

type Esbuild = typeof import('esbuild-wasm');
let ready: Promise<Esbuild> | undefined;

/** esbuild-wasm, initialised once (a few MB: fetched the first time a student deploys). */
export function loadEsbuild(): Promise<Esbuild> {
  ready ??= import('esbuild-wasm').then(async (esbuild) => {
    await esbuild.initialize({ wasmURL, worker: true });
    return esbuild;
  });
  ready.catch(() => (ready = undefined)); // a failed load can be tried again
  return ready;
}

type Builder = (files: Record<string, string>, entries?: readonly BundleName[]) => Promise<BuildResult>;
let builder: Promise<Builder> | undefined;

/**
 * Builds the workspace in the page into the bundles `cnilab deploy` installs (dist/<name>.cjs).
 * One builder for the page's life: esbuild keeps what it parsed, so a Deploy after the first
 * parses only the files the student changed.
 */
export async function buildInPage(files: Record<string, string>, entries?: readonly BundleName[]): Promise<BuildResult> {
  builder ??= Promise.all([loadEsbuild(), import('../../../src/labs/pageBuild.ts')]).then(([esbuild, { incrementalBuilder }]) =>
    incrementalBuilder({ esbuild, packages: { 'ipaddr.js': ipaddrSource } }),
  );
  builder.catch(() => (builder = undefined));
  return (await builder)(files, entries);
}
