// Builds a student's workspace from files held in memory (no file system, no node: imports), so the
// page can deploy what the editor holds. Same esbuild settings as scripts/build.mjs and
// `cnilab deploy`, run by esbuild-wasm: the same bundles, built where there is no disk or native
// binary. The caller hands in the esbuild API (esbuild-wasm, initialised for its platform).
import type * as esbuildTypes from 'esbuild-wasm';

/** Entry points of the three executables, relative to a source root (as `cnilab start` lays them out). */
export const ENTRIES = {
  simplecni: 'src/plugin/bin.ts',
  'simplecni-ipam': 'src/plugin/ipam/bin.ts',
  'simplecni-node': 'src/node/bin.ts',
} as const;

export type BundleName = keyof typeof ENTRIES;

/** One build error, at a workspace path; line and column are 1-based (as editors show them). */
export interface BuildError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type BuildResult =
  | { ok: true; /** bundle name → CommonJS source (what dist/<name>.cjs holds) */ bundles: Partial<Record<BundleName, string>> }
  | { ok: false; errors: BuildError[] };

/** The slice of the esbuild API this needs (esbuild-wasm's, or native esbuild's in Node). */
export type EsbuildApi = Pick<typeof esbuildTypes, 'build'>;

export interface BuildPluginOptions {
  /** esbuild (esbuild-wasm in the page), ready to build. */
  esbuild: EsbuildApi;
  /** Which bundles to build; default all three, as `cnilab deploy` does. */
  entries?: readonly BundleName[];
  /** npm packages the workspace imports (bare specifier → its CommonJS main file's text), e.g. ipaddr.js. */
  packages?: Record<string, string>;
}

/** Modules Node.js provides: left as require() calls, as platform 'node' does. */
const NODE_BUILTINS = new Set([
  'assert', 'buffer', 'child_process', 'crypto', 'events', 'fs', 'fs/promises', 'net', 'os', 'path', 'process',
  'readline', 'stream', 'string_decoder', 'timers', 'tty', 'url', 'util', 'worker_threads', 'zlib',
]);

const WS = 'workspace';
const PKG = 'package';

/** Joins a relative import onto the importing file's folder: src/plugin/ipam/bin.ts + ../errors.ts → src/plugin/errors.ts. */
function joinPath(importer: string, spec: string): string {
  const parts = importer.split('/').slice(0, -1);
  for (const seg of spec.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

/** The workspace file an import names, trying what TypeScript's resolution would (.ts for .js, index.ts). */
function findFile(files: Record<string, string>, base: string): string | undefined {
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => Object.hasOwn(files, c));
}

/** An esbuild plugin that serves imports from the in-memory workspace and package map. */
function memoryFiles(filesNow: () => Record<string, string>, packages: Record<string, string>): esbuildTypes.Plugin {
  return {
    name: 'workspace-in-memory',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const spec = args.path;
        const files = filesNow();
        // esbuild hands entry points over as "./src/…".
        if (args.kind === 'entry-point') return { path: spec.replace(/^\.\//, ''), namespace: WS };
        if (spec.startsWith('node:') || NODE_BUILTINS.has(spec)) return { path: spec, external: true };
        if (spec.startsWith('.')) {
          const base = joinPath(args.namespace === WS ? args.importer : '', spec);
          const found = findFile(files, base);
          if (found) return { path: found, namespace: WS };
          return { errors: [{ text: `cannot find "${spec}" (looked for ${base} in the workspace)` }] };
        }
        if (Object.hasOwn(packages, spec)) return { path: spec, namespace: PKG };
        return { errors: [{ text: `cannot find package "${spec}": the workspace can import Node.js modules and ${Object.keys(packages).join(', ') || 'no npm packages'}` }] };
      });
      build.onLoad({ filter: /.*/, namespace: WS }, (args) => ({ contents: filesNow()[args.path]!, loader: 'ts' }));
      build.onLoad({ filter: /.*/, namespace: PKG }, (args) => ({ contents: packages[args.path]!, loader: 'js' }));
    },
  };
}

const isBuildFailure = (e: unknown): e is esbuildTypes.BuildFailure =>
  typeof e === 'object' && e !== null && Array.isArray((e as { errors?: unknown }).errors);

function toBuildError(m: esbuildTypes.Message): BuildError {
  const loc = m.location;
  return {
    // esbuild names a file "<namespace>:<path>"; the student knows it by its workspace path.
    file: loc ? loc.file.replace(/^(workspace|package):/, '') : '',
    line: loc?.line ?? 0,
    column: loc ? loc.column + 1 : 0,
    message: m.text,
  };
}

/**
 * Builds the workspace `files` (workspace path → TypeScript text, e.g. "src/plugin/plugin.ts") into
 * the CommonJS bundles scripts/build.mjs makes. Errors come back as values, never thrown: a
 * student's syntax error is `{ ok: false, errors: [{ file, line, column, message }] }`.
 */
export async function buildPlugin(files: Record<string, string>, opts: BuildPluginOptions): Promise<BuildResult> {
  const names = opts.entries ?? (Object.keys(ENTRIES) as BundleName[]);
  return runBuild(files, names, (o) => opts.esbuild.build({ ...o, plugins: [memoryFiles(() => files, opts.packages ?? {})] }));
}

/** The esbuild options of a deploy's build, but the plugin that serves the files. One build for all entries: the bundles share most files, so they are parsed once. */
const buildOptions = (names: readonly BundleName[]) =>
  ({
    entryPoints: Object.fromEntries(names.map((n) => [n, ENTRIES[n]])),
    outdir: 'out',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
  }) satisfies esbuildTypes.BuildOptions;

/** The same files, path for path (a Deploy of what was just built). */
function sameFiles(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/**
 * buildPlugin's builds kept in an esbuild context: a Deploy after the first parses only the files
 * that changed since the last one (esbuild keeps the others' syntax trees), and a Deploy of the
 * very files of the last build gets its bundles again without building. Same bundles, same errors.
 */
export function incrementalBuilder(opts: { esbuild: Pick<typeof esbuildTypes, 'context'>; packages?: Record<string, string> }) {
  const contexts = new Map<string, Promise<esbuildTypes.BuildContext<ReturnType<typeof buildOptions>>>>();
  /** Per set of entries: the files of its last build and what that gave. */
  const last = new Map<string, { files: Record<string, string>; result: BuildResult }>();
  // The files of the build that runs now: the context's plugin serves them.
  let current: Record<string, string> = {};
  let queue: Promise<unknown> = Promise.resolve();
  return (files: Record<string, string>, entries?: readonly BundleName[]): Promise<BuildResult> => {
    const names = entries ?? (Object.keys(ENTRIES) as BundleName[]);
    const key = names.join(',');
    const snapshot = { ...files };
    // One build at a time: they share `current`.
    const run = queue.then(async () => {
      const before = last.get(key);
      if (before && sameFiles(before.files, snapshot)) return before.result;
      const result = await runBuild(snapshot, names, async () => {
        current = snapshot;
        let ctx = contexts.get(key);
        if (!ctx) {
          ctx = opts.esbuild.context({ ...buildOptions(names), plugins: [memoryFiles(() => current, opts.packages ?? {})] });
          contexts.set(key, ctx);
          ctx.catch(() => contexts.delete(key));
        }
        return (await ctx).rebuild();
      });
      last.set(key, { files: snapshot, result });
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  };
}

async function runBuild(
  files: Record<string, string>,
  names: readonly BundleName[],
  build: (o: ReturnType<typeof buildOptions>) => Promise<{ outputFiles?: esbuildTypes.OutputFile[] }>,
): Promise<BuildResult> {
  const missing = names.filter((n) => !Object.hasOwn(files, ENTRIES[n]));
  if (missing.length) {
    return { ok: false, errors: missing.map((n) => ({ file: ENTRIES[n], line: 0, column: 0, message: `the workspace has no ${ENTRIES[n]} (the entry point of ${n})` })) };
  }
  try {
    const out = { outputFiles: (await build(buildOptions(names))).outputFiles ?? [] };
    const bundles: Partial<Record<BundleName, string>> = {};
    for (const f of out.outputFiles) {
      const name = /([^/\\]+)\.js$/.exec(f.path)?.[1] as BundleName | undefined;
      if (name && names.includes(name)) bundles[name] = f.text;
    }
    return { ok: true, bundles };
  } catch (e) {
    if (!isBuildFailure(e)) throw e;
    const errors: BuildError[] = [];
    for (const err of e.errors.map(toBuildError)) {
      if (!errors.some((x) => x.file === err.file && x.line === err.line && x.column === err.column && x.message === err.message)) errors.push(err);
    }
    return { ok: false, errors };
  }
}

/** "src/plugin/plugin.ts:12:5: Expected ";" but found "x"" — the form compilers print. */
export const formatBuildError = (e: BuildError): string => (e.line ? `${e.file}:${e.line}:${e.column}: ${e.message}` : `${e.file}: ${e.message}`);
