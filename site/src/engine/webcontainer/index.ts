// The WebContainer engine: StackBlitz's Node.js runtime in this tab (@webcontainer/api) runs the
// kit itself — the CLI bundle, the simulated kernel's programs, the plugin host — on the tree
// containerTree() gives (src/webcontainer/). The cluster is `cnilab cluster up --backend sim`, a
// node tab is a `jsh` with that node's sim environment (`cnilab shell <node> --env-json`), checks
// are `cnilab check <lab> --jsonl` streamed, and Deploy writes the editor's files into the
// container and runs `cnilab deploy` there (esbuild-wasm inside it). Every command it spawns is in
// containerCommands, which the offline test runs with plain Node.js on the same tree.
import type { WebContainer, WebContainerProcess } from '@webcontainer/api';
import { regionsIn } from '../../../../src/labs/starterCore.ts';
import { toApiLab } from '../../../../src/server/api.ts';
import { currentLang } from '../../lib/lang.ts';
import { containerCommands, containerEnv, nodePath } from '../../../../src/webcontainer/commands.ts';
import { TREE_PATHS } from '../../../../src/webcontainer/tree.ts';
import { EngineError } from '../errors.ts';
import { catalog, labNote, topology } from '../page/labs.ts';
import type { ApiCheckDone, ApiSolution, DeployResult, Engine, EngineInfo, EngineLabs, TerminalInfo } from '../types.ts';
import { esbuildWasmForContainer, pageContainerTree } from './files.ts';
import { eachLine, jsonIn, runToEnd, spawnArgv } from './process.ts';
import { msg } from '../../../../src/i18n/index.ts';

export const WEBCONTAINER_INFO: EngineInfo = {
  kind: 'webcontainer',
  label: 'WebContainer',
  kernel: msg('engine.wc.kernel'),
  description: msg('engine.wc.description'),
  details: [msg('engine.wc.detailKit'), msg('engine.wc.detailRuntime')],
};

const sources = import.meta.glob<string>(['../../../../src/plugin/**/*.ts', '../../../../src/node/**/*.ts'], { query: '?raw', import: 'default' });

function labOf(id: string) {
  const norm = /^\d$/.test(id) ? `0${id}` : id;
  const lab = catalog.find((l) => l.id === norm);
  if (!lab) throw new EngineError('not-found', 404, `There is no lab “${id}”; labs are ${catalog.map((l) => l.id).join(', ')}.`);
  return lab;
}

/**
 * Boots a WebContainer, mounts the tree and brings the cluster up; rejects with what went wrong.
 * After `signal` aborts (the caller gave up waiting), a boot that still succeeds is torn down.
 */
export async function createWebContainerEngine(signal?: AbortSignal): Promise<Engine> {
  const { WebContainer } = await import('@webcontainer/api');
  const wc: WebContainer = await WebContainer.boot({ coep: 'require-corp', workdirName: 'simplecni-lab' });
  const givenUp = () => {
    if (!signal?.aborted) return false;
    wc.teardown();
    return true;
  };
  if (givenUp()) throw new Error('given up before the WebContainer started');
  await wc.mount(await pageContainerTree());
  const workdir = wc.workdir;
  const env = containerEnv(workdir);
  const cli = (argv: readonly string[]) => runToEnd(wc, argv, env);
  const up = await cli(containerCommands.clusterUp());
  if (up.code !== 0) {
    wc.teardown();
    throw new Error(`cnilab cluster up failed in the WebContainer:\n${up.out}`);
  }
  if (givenUp()) throw new Error('given up before the WebContainer started');

  const revealed: Record<string, string[]> = {};
  let wasmMounted = false;

  const passedLabs = async (): Promise<Set<string>> => {
    const r = await cli(containerCommands.labs());
    return new Set(jsonIn<{ id: string; passed: boolean }[]>(r.out).filter((l) => l.passed).map((l) => l.id));
  };

  const engine: Engine = {
    info: WEBCONTAINER_INFO,
    hasAccess: () => true,
    onAccessRefused: () => () => undefined,
    async labs(): Promise<EngineLabs> {
      const passed = await passedLabs();
      const terminals: TerminalInfo[] = topology.nodes.map((n) => ({ id: n.name, label: n.name, kind: 'node' }));
      return { labs: catalog.map((l) => toApiLab(l, passed.has(l.id))), nodes: topology.nodes.map((n) => n.name), cluster: 'WebContainer', backend: 'sim', terminals };
    },
    openTerminal(id, sink) {
      let proc: WebContainerProcess | undefined;
      let writer: WritableStreamDefaultWriter<string> | undefined;
      let size = { cols: 80, rows: 24 };
      let closed = false;
      const start = async () => {
        sink.state({ status: 'connecting' });
        try {
          const r = await cli(containerCommands.shellEnv(id));
          if (r.code !== 0) throw new Error(r.out.trim());
          const shellEnv = jsonIn<Record<string, string>>(r.out);
          proc = await wc.spawn('jsh', [], { env: { ...env, ...shellEnv, PATH: nodePath(shellEnv, workdir) }, terminal: size });
          if (closed) return proc.kill();
          writer = proc.input.getWriter();
          sink.state({ status: 'open' });
          sink.output(`SimpleCNI Lab · ${id} · the kit in a WebContainer (simulated kernel)\r\n`);
          void proc.output.pipeTo(new WritableStream({ write: (d) => sink.output(d) }));
          void proc.exit.then((code) => !closed && sink.state({ status: 'exited', code }));
        } catch (e) {
          sink.state({ status: 'failed', message: (e as Error).message });
        }
      };
      void start();
      return {
        input: (d) => void writer?.write(d),
        resize(cols, rows) {
          size = { cols, rows };
          proc?.resize(size);
        },
        retryNow: () => void (proc ? undefined : start()),
        restart() {
          proc?.kill();
          proc = undefined;
          void start();
        },
        close() {
          closed = true;
          proc?.kill();
        },
      };
    },
    async check(id, onEvent, signal) {
      const lab = labOf(id);
      const note = labNote(lab);
      if (note && !note.runs) throw new EngineError('unsupported', 0, note.text);
      const p = await spawnArgv(wc, containerCommands.check(lab.id), env);
      signal?.addEventListener('abort', () => p.kill());
      let done: ApiCheckDone | undefined;
      let text = '';
      await eachLine(p, (line) => {
        text += `${line}\n`;
        if (!line.startsWith('{')) return;
        const e = JSON.parse(line) as { type: 'check'; result: never } | ApiCheckDone;
        if (e.type === 'check') onEvent({ type: 'check', result: e.result });
        else onEvent({ type: 'done', done: (done = e) });
      });
      await p.exit;
      if (signal?.aborted) throw new EngineError('aborted', 0, 'Cancelled.');
      if (!done) throw new EngineError('server', 0, `cnilab check ${lab.id} gave no result:\n${text.slice(-800)}`);
      return done;
    },
    async hints(id) {
      const lab = labOf(id);
      const shown = revealed[lab.id] ?? [];
      return { lab: lab.id, hints: shown, remaining: lab.hints.length - shown.length };
    },
    async nextHint(id) {
      const lab = labOf(id);
      const r = jsonIn<{ hints: string[]; remaining: number }>((await cli(containerCommands.hint(lab.id))).out);
      revealed[lab.id] = r.hints;
      return { lab: lab.id, ...r };
    },
    async solution(id): Promise<ApiSolution> {
      const lab = labOf(id);
      const available = (await passedLabs()).has(lab.id);
      const regions: ApiSolution['regions'] = [];
      if (available) {
        for (const [p, load] of Object.entries(sources)) {
          for (const r of regionsIn(await load(), p.replace(/^(\.\.\/)+/, ''))) {
            if (r.lab === lab.id) regions.push({ file: r.file, line: r.line, description: r.description, code: r.solution.join('\n') });
          }
        }
      }
      return { lab: lab.id, available, regions };
    },
    async reset(id) {
      const lab = labOf(id);
      const r = await cli(containerCommands.reset(lab.id, currentLang()));
      if (r.code !== 0) throw new EngineError('server', 0, r.out.trim());
      return { lab: lab.id, done: r.out.trim().split('\n').filter(Boolean) };
    },
    async solve(id) {
      const lab = labOf(id);
      const r = await cli(containerCommands.solve(lab.id, currentLang()));
      if (r.code !== 0) throw new EngineError('server', 0, r.out.trim());
      return jsonIn(r.out);
    },
    async deploy(_id, files): Promise<DeployResult> {
      // The editor's files become the container's workspace, built and installed there.
      for (const f of files) {
        const p = `${TREE_PATHS.workspace}/${f.path}`;
        await wc.fs.mkdir(p.slice(0, p.lastIndexOf('/')), { recursive: true });
        await wc.fs.writeFile(p, f.text);
      }
      if (!wasmMounted) {
        await wc.mount(await esbuildWasmForContainer());
        wasmMounted = true;
      }
      const r = await cli(containerCommands.deploy());
      const lines = r.out.trim().split('\n').filter(Boolean);
      if (r.code === 0) return { ok: true, errors: [], done: lines.slice(-2) };
      return { ok: false, errors: lines.filter((l) => /:\d+:\d+/.test(l)).map((l) => l.trim()), done: lines.slice(-3) };
    },
    labNote: (id) => {
      const lab = catalog.find((l) => l.id === id);
      return lab && labNote(lab);
    },
  };
  return engine;
}
