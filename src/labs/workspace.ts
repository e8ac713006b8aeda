// The student's workspace: the starter of a lab (derived from the reference), built and deployed
// to every node exactly the way the reference is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../shared/paths.ts';
import type { Lab } from './catalog.ts';
import { ENTRIES } from './pageBuild.ts';
import { writeStarter, type Region } from './starters.ts';
import { msg, TextError } from '../i18n/text.ts';

export { ENTRIES };


export const defaultWorkspace = () => process.env.SIMPLECNI_WORKSPACE ?? path.join(repoRoot(), 'workspace');

export function scaffold(lab: Lab, dir: string): Region[] {
  fs.rmSync(path.join(dir, 'src'), { recursive: true, force: true });
  const todos = writeStarter(lab.id, dir);
  const rel = path.relative(dir, repoRoot()) || '.';
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: path.join(rel, 'tsconfig.json'), include: ['src'], compilerOptions: { noEmit: true } }, null, 2) + '\n',
  );
  const lines = [
    `# Workspace for lab ${lab.id} · ${lab.title}`,
    '',
    `Your code for this lab and the ones after it is marked \`TODO(lab NN)\`. The labs before it are already solved here.`,
    `Read the lab: labs/${lab.dir}/lab.mdx · build and install on every node: \`cnilab deploy\` · check: \`cnilab check ${lab.id}\``,
    '',
    '## TODOs',
    ...todos.map((t) => `- lab ${t.lab} · \`${t.file}\` (line ${t.line}): ${t.description}`),
    '',
  ];
  fs.writeFileSync(path.join(dir, 'TODO.md'), lines.join('\n'));
  return todos;
}

/** True if `dir` holds a workspace (`cnilab start` has written one there). */
export function hasWorkspace(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'src', 'plugin'));
}

/**
 * esbuild, loaded only when a student deploys: the native one where its binary runs, else
 * esbuild-wasm (the same builds, in WebAssembly: a WebContainer runs no native binary). Tried in
 * that order, by whether it loads and answers, not by guessing the platform.
 */
export async function loadEsbuild(): Promise<Pick<typeof import('esbuild'), 'build'> & { flavour: 'native' | 'wasm' }> {
  let nativeError: Error;
  try {
    const native = await import('esbuild');
    await native.transform('');
    return { build: native.build, flavour: 'native' };
  } catch (err) {
    nativeError = err as Error;
  }
  try {
    const wasm = await import('esbuild-wasm');
    return { build: wasm.build as typeof import('esbuild').build, flavour: 'wasm' };
  } catch (err) {
    throw new TextError(msg('err.esbuild.load', { native: nativeError.message.split('\n')[0]!, wasm: (err as Error).message.split('\n')[0]! }));
  }
}

/**
 * Builds the workspace's three executables like the reference, but readable: not minified, with an
 * inline source map whose sources are the workspace's own files, so a stack trace on a node (the
 * shim runs Node with --enable-source-maps) names the student's TypeScript, line and column.
 */
export async function buildWorkspace(dir: string): Promise<Record<keyof typeof ENTRIES, string>> {
  const { build } = await loadEsbuild();
  const out = path.join(dir, 'dist');
  const files = {} as Record<keyof typeof ENTRIES, string>;
  for (const [name, entry] of Object.entries(ENTRIES) as [keyof typeof ENTRIES, string][]) {
    const outfile = path.join(out, `${name}.cjs`);
    await build({
      entryPoints: [path.join(dir, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node18',
      minify: false,
      sourcemap: 'inline',
      // Node resolves the map's sources against sourceRoot: the workspace, not the node's bin dir.
      sourceRoot: `${pathToFileURL(out).href}/`,
      logLevel: 'silent',
      nodePaths: [path.join(repoRoot(), 'node_modules')],
    });
    files[name] = outfile;
  }
  return files;
}
