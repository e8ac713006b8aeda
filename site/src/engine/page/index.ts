// The page engine: the whole course in this tab. The cluster is the simulated kernel's World
// (src/sim/core), each node has a shell whose programs are the sim's (ip, bridge, ping…) plus
// cnilab; checks are the validators (src/validators) over a node driver onto that world; hints,
// solve and reset are src/labs'; everything the student does is kept in IndexedDB.
//
// The machine runs on the main thread: every simulated command is a synchronous, short function
// of the world (a ping answers in well under a millisecond), and a check or a command line yields
// to the event loop between commands, so typing and rendering stay responsive without the cost of
// copying the world to and from a Worker on every command.
import type { LabEnv } from '../../../../src/labs/actions.ts';
import { buildByHand, removeByHand } from '../../../../src/labs/byHand.ts';
import type { Lab } from '../../../../src/labs/catalogParse.ts';
import { revealHints, type Progress } from '../../../../src/labs/progressCore.ts';
import { regionsIn } from '../../../../src/labs/starterCore.ts';
import { Pods } from '../../../../src/runtime/pods.ts';
import { collectTopology } from '../../../../src/server/topology.ts';
import { toApiLab } from '../../../../src/server/api.ts';
import { traceWith } from '../../../../src/cluster/traceCore.ts';
import { workers } from '../../../../src/cluster/topology.ts';
import { runLabChecks } from '../../../../src/validators/registry.ts';
import type { CheckContext } from '../../../../src/validators/types.ts';
import { EngineError } from '../errors.ts';
import type { ApiCheckDone, ApiCheckResult, ApiDone, ApiSolution, Engine, EngineLabs, TerminalInfo } from '../types.ts';
import { buildWorld, PageCluster, PageDriver } from './cluster.ts';
import { cnilabCommand } from './cnilab.ts';
import { catalog, topology, unsupportedReason } from './labs.ts';
import { MiniShell, FILTER_NAMES, type ShellCommand } from './miniShell.ts';
import { clearState, fromExport, loadState, saveState, toExport, type PageState } from './store.ts';
import { PageTerminal, type NodeShell } from './terminal.ts';
import { SIM_COMMAND_NAMES, simCommand } from './simCommands.ts';

/** Lets the page render and take keystrokes between two steps of a long run. */
export const breathe = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function freshState(): PageState {
  return { format: 1, progress: { passed: {}, hints: {} }, files: {}, checks: {}, cluster: { world: buildWorld(topology), mode: 'host-gw', pods: {} }, history: {} };
}

function labOf(id: string): Lab {
  const norm = /^\d$/.test(id) ? `0${id}` : id;
  const lab = catalog.find((l) => l.id === norm);
  if (!lab) throw new EngineError('not-found', 404, `There is no lab “${id}”; labs are ${catalog.map((l) => l.id).join(', ')}.`);
  return lab;
}

/** The solution regions of every lab, read from the plugin's and node agent's sources (loaded on first use). */
const sources = import.meta.glob<string>(['../../../../src/plugin/**/*.ts', '../../../../src/node/**/*.ts'], { query: '?raw', import: 'default' });

async function solutionRegions(labId: string) {
  const out: ApiSolution['regions'] = [];
  for (const [p, load] of Object.entries(sources)) {
    const file = p.replace(/^(\.\.\/)+/, '');
    for (const r of regionsIn(await load(), file)) {
      if (r.lab === labId) out.push({ file: r.file, line: r.line, description: r.description, code: r.solution.join('\n') });
    }
  }
  return out;
}

export async function createPageEngine(): Promise<Engine> {
  let state = (await loadState()) ?? freshState();
  let saving: Promise<void> = Promise.resolve();
  let dirty = false;
  /** Writes the state after the current task (several changes in a row make one write). */
  const save = () => {
    if (dirty) return;
    dirty = true;
    queueMicrotask(() => {
      dirty = false;
      saving = saving.then(() => saveState(state));
    });
  };

  const cluster = new PageCluster(topology, state.cluster.world, save);
  const driver = new PageDriver(cluster, state.cluster.pods, save);
  const env: LabEnv = {
    topology,
    driver,
    // The parts of a backend the lab actions use on a lab the tab supports.
    backend: {
      readState: () => ({ mode: state.cluster.mode, complete: true }),
      scopedName: (n: string) => n,
    } as unknown as LabEnv['backend'],
  };
  const ctx = (): CheckContext => {
    const pods = new Pods(driver);
    return { driver, runtime: pods.runtime, pods, mode: state.cluster.mode, scopedName: (n) => n };
  };
  const hasPlugin = false;

  const guard = (lab: Lab) => {
    const why = unsupportedReason(lab, hasPlugin);
    if (why) throw new EngineError('unsupported', 0, why);
  };

  async function check(id: string, onEvent: (e: { type: 'check'; result: ApiCheckResult } | { type: 'done'; done: ApiCheckDone }) => void, signal?: AbortSignal): Promise<ApiCheckDone> {
    const lab = labOf(id);
    guard(lab);
    const report = await runLabChecks(lab, ctx(), (result) => {
      if (!signal?.aborted) onEvent({ type: 'check', result });
    });
    if (signal?.aborted) throw new EngineError('aborted', 0, 'Cancelled.');
    const done: ApiCheckDone = { type: 'done', lab: lab.id, passed: report.passed, checks: report.checks };
    if (report.passed && !(lab.id in state.progress.passed)) state.progress.passed[lab.id] = new Date().toISOString();
    state.checks[lab.id] = done;
    save();
    onEvent({ type: 'done', done });
    return done;
  }

  async function reset(id: string): Promise<ApiDone> {
    const lab = labOf(id);
    guard(lab);
    const done: string[] = [];
    if (lab.id === '01') {
      await removeByHand(env, ctx());
      done.push('lab 01 namespaces and bridge removed from node1');
    }
    delete state.checks[lab.id];
    if (state.files[lab.id]) {
      delete state.files[lab.id];
      done.push(`your files for lab ${lab.id} are back to the starter`);
    }
    save();
    return { lab: lab.id, done };
  }

  async function solve(id: string): Promise<ApiDone> {
    const lab = labOf(id);
    guard(lab);
    const done: string[] = [];
    if (lab.id === '01') {
      await buildByHand(env, ctx());
      done.push('lab1br, lab1-a and lab1-b built on node1');
    }
    save();
    return { lab: lab.id, done };
  }

  const engine: Engine = {
    info: {
      kind: 'page',
      label: 'in this tab',
      kernel: 'simulated kernel',
      description: 'Terminals, checks and the cluster run in this browser tab, on a simulated Linux kernel. Nothing is sent to a server.',
    },
    hasAccess: () => true,
    onAccessRefused: () => () => undefined,
    async labs(): Promise<EngineLabs> {
      const terminals: TerminalInfo[] = topology.nodes.map((n) => ({ id: n.name, label: n.name, kind: 'node' }));
      return {
        labs: catalog.map((l) => toApiLab(l, l.id in state.progress.passed)),
        ...(state.progress.current ? { current: state.progress.current } : {}),
        nodes: topology.nodes.map((n) => n.name),
        cluster: 'this tab',
        backend: 'sim',
        terminals,
      };
    },
    openTerminal(id, sink) {
      const node = topology.nodes.find((n) => n.name === id);
      if (!node) {
        queueMicrotask(() => sink.state({ status: 'failed', message: `There is no node “${id}” in this cluster.` }));
        return { input() {}, resize() {}, retryNow() {}, restart() {}, close() {} };
      }
      const commands = (name: string): ShellCommand | undefined => {
        if (name === 'cnilab') return cnilab;
        if (name === 'echo') return (argv, io) => (io.stdout(argv.slice(1).join(' ') + '\n'), 0);
        if (name === 'true') return () => 0;
        if (name === 'false') return () => 1;
        if (name === 'help') return (_a, io) => (io.stdout(helpText(id)), 0);
        if (name === 'history') return (_a, io) => (io.stdout((state.history[id] ?? []).map((l, i) => `${String(i + 1).padStart(5)}  ${l}\n`).join('')), 0);
        return simCommand(cluster, id, name);
      };
      const shell = new MiniShell(commands);
      const nodeShell: NodeShell = {
        run: async (line, write) => {
          const code = await shell.run(line, { stdout: (s) => write(s), stderr: (s) => write(s, true) });
          return code;
        },
        commandNames: () => ['cnilab', 'echo', 'help', 'history', 'clear', ...SIM_COMMAND_NAMES, ...FILTER_NAMES],
      };
      const history = (state.history[id] ??= []);
      const banner = `SimpleCNI Lab · ${id} (${node.role}) · simulated kernel in this tab\nType help for the commands here; your work is kept in this browser.\n`;
      return new PageTerminal(id, nodeShell, sink, history, save, banner);
    },
    check,
    async hints(id) {
      const lab = labOf(id);
      return { lab: lab.id, ...revealHints(state.progress, lab, false) };
    },
    async nextHint(id) {
      const lab = labOf(id);
      const r = revealHints(state.progress, lab, true);
      save();
      return { lab: lab.id, ...r };
    },
    async solution(id) {
      const lab = labOf(id);
      const available = lab.id in state.progress.passed;
      return { lab: lab.id, available, regions: available ? await solutionRegions(lab.id) : [] };
    },
    reset,
    solve,
    topology: () => collectTopology(driver, state.cluster.mode),
    trace: (from, to) => traceWith({ topology, driver }, from, to, () => cluster.world),
    work: {
      exportWork: async () => JSON.stringify(toExport(state), null, 2),
      async importWork(text) {
        let w;
        try {
          w = fromExport(text);
        } catch (e) {
          throw new EngineError('bad-response', 0, (e as Error).message);
        }
        state = { format: 1, progress: w.progress, files: w.files, checks: w.checks, cluster: w.cluster, history: state.history };
        await saving;
        await saveState(state);
      },
      async startOver() {
        await saving;
        state = freshState();
        await clearState();
      },
    },
  };

  const cnilab = cnilabCommand({
    engine,
    catalog,
    currentLab: () => /#\/lab\/(\d\d)/.exec(window.location.hash)?.[1],
    supported: (lab) => unsupportedReason(lab, hasPlugin),
    workers: workers(topology).map((w) => w.name),
  });
  return engine;
}

function helpText(node: string): string {
  return [
    `This is ${node} in the simulated cluster. Commands here:`,
    `  ${SIM_COMMAND_NAMES.join(', ')}  the kernel's tools, as on a real node`,
    '  ip netns exec NS CMD, nsenter --net=PATH CMD        run a tool inside a namespace',
    '  cnilab check | hint | reset | solve | trace [lab]   the lab loop (cnilab help)',
    '  a | grep PATTERN, | head, | tail, | wc -l;  a && b;  a || b;  a ; b',
    'Not here (use npm start or the VMs): background jobs (&), loops, variables, files and editors.',
    '',
  ].join('\n');
}
