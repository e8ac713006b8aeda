// The student's workspace, type-checked as the starters are (strict, the workspace's tsconfig) before
// anything is deployed: a type error is a `file:line:col message` line, never a crash on a node.
import * as path from 'node:path';
import { repoRoot } from '../shared/paths.ts';
import { msg, TextError } from '../i18n/text.ts';

export interface TypeProblem {
  /** Relative to the directory asked for when inside it, else absolute. */
  file: string;
  line: number;
  col: number;
  message: string;
}

export const formatProblem = (p: TypeProblem) => `${p.file}:${p.line}:${p.col} ${p.message}`;

/** Thrown when the TypeScript compiler is not installed here (a WebContainer's tree leaves its 23 MB out). */
export class NoTypeScriptError extends TextError {}

/** The type errors of the workspace in `dir` (empty: it type-checks); files named relative to `from`. */
export async function typecheckWorkspace(dir: string, from = dir): Promise<TypeProblem[]> {
  // The compiler is a build tool of the kit, loaded only when a student deploys.
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default;
  } catch (err) {
    throw new NoTypeScriptError(msg('err.typescript.missing', { error: (err as Error).message.split('\n')[0]! }));
  }
  const configFile = path.join(dir, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) return [problemOf(ts, from, read.error)];
  const modules = path.join(repoRoot(), 'node_modules');
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, {}, configFile);
  // Modules resolved as esbuild resolves them when it bundles the workspace, wherever the workspace
  // is (--dir may be outside the kit): the kit's node_modules and @types.
  Object.assign(parsed.options, {
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    typeRoots: [path.join(modules, '@types')],
    paths: { '*': [`${modules}/*`] },
  });
  if (parsed.errors.length > 0) return parsed.errors.map((d) => problemOf(ts, from, d));
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return ts.getPreEmitDiagnostics(program).map((d) => problemOf(ts, from, d));
}

function problemOf(ts: typeof import('typescript'), from: string, d: import('typescript').Diagnostic): TypeProblem {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
  if (!d.file || d.start === undefined) return { file: 'tsconfig.json', line: 1, col: 1, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const rel = path.relative(from, d.file.fileName);
  return { file: rel.startsWith('..') ? d.file.fileName : rel, line: line + 1, col: character + 1, message };
}
