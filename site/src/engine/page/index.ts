// The page engine: the whole course in this tab. The cluster is a SimMachine (src/sim/machine:
// the simulated kernel's World plus, per node, a file system and a just-bash shell whose ip,
// bridge, ping… answer from that World); `cnilab` is a command of every node's shell; checks are
// the validators (src/validators) over the machine's node driver; hints, solve and reset are
// src/labs'; everything the student does is kept in IndexedDB.
//
// The machine runs on the main thread: a simulated command is a short function of the world, and
// the shell is asynchronous (it awaits between commands, ping waits its real second between
// probes), so typing and rendering stay responsive during a check or a 20-ping loop; a Worker
// would add a copy of the world on every command and a second copy of the shell for the checks.
import { currentLang, tx, txt } from '../../lib/lang.ts';
import type { ClusterBackend, ClusterState, LabEnv } from '../../../../src/cluster/backend.ts';
import type { Bundles } from '../../../../src/cluster/nodeFiles.ts';
import type { Mode } from '../../../../src/shared/cniSpec.ts';
import { LabActionError, removeByHand } from '../../../../src/labs/byHand.ts';
import { checkContext, clearDataplane, solveLab } from '../../../../src/labs/solve.ts';
import { syncPolicies } from '../../../../src/cluster/policySync.ts';
import type { Lab } from '../../../../src/labs/catalogParse.ts';
import { revealHints } from '../../../../src/labs/progressCore.ts';
import { regionsIn } from '../../../../src/labs/starterCore.ts';
import { Pods } from '../../../../src/runtime/pods.ts';
import { collectTopology } from '../../../../src/server/topology.ts';
import { toApiDone } from '../../../../src/server/api.ts';
import { TraceError, traceInWorld } from '../../../../src/cluster/traceWorld.ts';
import { workers } from '../../../../src/cluster/topologyModel.ts';
import { MachineDriver } from '../../../../src/sim/machine/driver.ts';
import { SimMachine } from '../../../../src/sim/machine/machine.ts';
import { nodeEnv } from '../../../../src/sim/machine/nodeFiles.ts';
import { runLabChecks } from '../../../../src/validators/registry.ts';
import type { CheckContext } from '../../../../src/validators/types.ts';
import { EngineError } from '../errors.ts';
import type { ApiCheckDone, ApiCheckResult, ApiDone, ApiSolution, Engine } from '../types.ts';
import { cnilabProgram } from './cnilab.ts';
import { catalog, labNote, pageEngineInfo, pageLabs, terminalBanner, topology, unknownNode } from './labs.ts';
import { installBundleFiles } from '../../../../src/sim/machine/install.ts';
import { hostedProgram, loadProgramsSoon, programsWanted, referenceBundles } from './programs.ts';
import { CNI_PROGRAMS, MACHINE_PATHS } from '../../../../src/sim/machine/nodeFiles.ts';
import { mktemp } from '../../../../src/sim/machine/extraCommands.ts';
import { terminalReady } from './later.ts';
import { MachineShell } from './shell.ts';
import { clearState, fromExport, loadState, saveState, toExport, type PageState } from './store.ts';
import { PageTerminal, type TerminalNode } from './terminal.ts';
import { list, msg, type Msg } from '../../../../src/i18n/index.ts';

/** Why a lab action or a trace could not be done, in the page's language (the lab server says it in English). */
function inPageLanguage(e: unknown): never {
  if (e instanceof LabActionError) throw new EngineError('conflict', 409, txt(e.text));
  if (e instanceof TraceError) throw new EngineError('not-found', 400, txt(e.text));
  throw e;
}

/** Lets the page render and take keystrokes between two steps of a long run. */
export const breathe = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function freshState(): Promise<{ state: PageState; machine: SimMachine }> {
  const machine = await SimMachine.create(topology);
  return { machine, state: { format: 1, progress: { passed: {}, hints: {} }, files: {}, checks: {}, cluster: await machine.snapshot(), history: {} } };
}

/** The saved machine, or a fresh one when there is none or it cannot be read back. */
async function restore(saved: PageState | undefined): Promise<{ state: PageState; machine: SimMachine }> {
  if (saved) {
    try {
      return { state: saved, machine: await SimMachine.restore(saved.cluster) };
    } catch (e) {
      console.warn(`The saved cluster could not be restored (${(e as Error).message}); starting a fresh one.`);
      const fresh = await freshState();
      return { machine: fresh.machine, state: { ...saved, cluster: fresh.state.cluster } };
    }
  }
  return freshState();
}

function labOf(id: string): Lab {
  const norm = /^\d$/.test(id) ? `0${id}` : id;
  const lab = catalog.find((l) => l.id === norm);
  if (!lab) throw new EngineError('not-found', 404, tx('engine.noLab', { id, labs: list(catalog.map((l) => l.id)) }));
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

// The kit's policy files (labs/*/*.yaml), loaded when `cnilab policy apply labs/…` names one.
const labFiles = import.meta.glob('../../../../labs/*/*.yaml', { query: '?raw', import: 'default' }) as Record<string, () => Promise<string>>;

/** The page engine; `saved`: the state already read from IndexedDB (front.ts reads it first). */
/** The engine, and what a terminal opened before it was there needs of a node (front.ts). */
export type PageEngine = Engine & { terminalNode(id: string): TerminalNode | undefined };

export async function createPageEngine(saved?: { state: PageState | undefined }): Promise<PageEngine> {
  const restored = await restore(saved ? saved.state : await loadState());
  let state = restored.state;
  const machine = restored.machine;
  let saving: Promise<void> = Promise.resolve();
  let dirty = false;
  /** The machine changed since the last save (a file edit alone need not snapshot the cluster). */
  let clusterChanged = false;
  /** Set once the state was replaced (import, start over): the page reloads, nothing more is written. */
  let frozen = false;
  /** Writes the state (with a fresh snapshot of the machine) once the current changes settle. */
  const save = () => {
    if (dirty || frozen) return;
    dirty = true;
    setTimeout(() => {
      dirty = false;
      saving = saving.then(async () => {
        if (frozen) return;
        if (clusterChanged) {
          clusterChanged = false;
          state.cluster = await machine.snapshot();
        }
        await saveState(state);
      });
    }, 0);
  };
  machine.onChange(() => {
    clusterChanged = true;
    save();
  });

  const driver = new MachineDriver(machine);
  // For tests and the benchmark, beside the engine: the cluster's node driver (the shared
  // breakages change the nodes through it, as they do on the other backends).
  window.__cnilab ??= { terminals: {} };
  window.__cnilab.driver = driver;
  // The programs on the nodes' paths: the plugin host runs them (loaded after the first prompt,
  // see programs.ts), once a fresh cluster has its reference bundles.
  let installing: Promise<void> = Promise.resolve();
  const program = () => hostedProgram(() => installing);
  const install = (bundles: Partial<Bundles>) => installBundleFiles(machine, bundles, program);
  // The parts of a cluster backend that solve and reset use, over the machine: the cluster is
  // always up, its mode is the machine's, and a node's files for a mode are the machine's own.
  const backend: Pick<ClusterBackend, 'readState' | 'writeState' | 'installNodeFiles' | 'installBundles'> = {
    readState: () => ({ name: 'this tab', backend: 'sim', mode: machine.mode, createdAt: '', complete: true }) as ClusterState,
    writeState: (s) => machine.setMode(s.mode as Mode),
    installNodeFiles: async (_node, mode) => machine.setMode(mode),
    installBundles: async (bundles) => install(bundles),
  };
  const env: LabEnv = { topology, driver, backend: backend as ClusterBackend };
  const ctx = (): CheckContext => checkContext(env);
  // The reference plugin, its IPAM plugin and the node agent, built from src/ (dist/*.cjs) and run
  // by the plugin host on every node.
  // A restored cluster keeps what was deployed on it (the student's build, perhaps): bind it again.
  const deployed = CNI_PROGRAMS.every((n) => machine.syncFs('node1').existsSync(`${MACHINE_PATHS.binDir}/${n}.cjs`));
  for (const n of CNI_PROGRAMS) machine.registerProgram(`${MACHINE_PATHS.binDir}/${n}`, program());
  // A fresh one gets the reference bundles (dist/*.cjs: what `solve` deploys, as the lab server
  // deploys dist/ on its nodes) when programs are wanted; a program that runs first waits for them,
  // and one the student deployed before then stays.
  if (!deployed) {
    installing = programsWanted
      .then(referenceBundles)
      .then((b) => install(Object.fromEntries(Object.entries(b).filter(([n]) => !machine.syncFs('node1').existsSync(`${MACHINE_PATHS.binDir}/${n}.cjs`)))));
    installing.catch((e: unknown) => console.error('The CNI programs could not be loaded:', e));
  }
  machine.registerCommand('mktemp', mktemp);

  const guard = (lab: Lab) => {
    const note = labNote(lab);
    if (note && !note.runs) throw new EngineError('unsupported', 0, note.text);
  };

  async function check(id: string, onEvent: (e: { type: 'check'; result: ApiCheckResult } | { type: 'done'; done: ApiCheckDone }) => void, signal?: AbortSignal): Promise<ApiCheckDone> {
    const lab = labOf(id);
    guard(lab);
    const report = await runLabChecks(lab, ctx(), (result) => {
      if (!signal?.aborted) onEvent({ type: 'check', result });
    });
    if (signal?.aborted) throw new EngineError('aborted', 0, tx('common.cancelled'));
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
    // The lab server's steps (src/labs/actions.ts) and words; the plugin stays, the student's files are the tab's.
    const done: Msg[] = [];
    if (lab.id === '01') {
      await removeByHand(env, ctx());
      done.push(msg('reset.lab01'));
    }
    if (lab.id >= '04') {
      const pods = new Pods(driver);
      for (const p of await pods.list()) await pods.del(p.node, p.name);
      done.push(msg('reset.pods'));
    }
    if (lab.id === '04') {
      // A fresh node does not forward: lab 04's ADD is what turns it on.
      for (const w of workers(topology)) await driver.exec(w.name, ['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
      done.push(msg('reset.ipForward'));
    }
    if (lab.id >= '06') done.push(await clearDataplane(env));
    if (lab.id === '11') {
      // The lab renders policies: it starts from none (the reference agent removes every node's table).
      await syncPolicies(driver, []);
      done.push(msg('reset.policies'));
    }
    delete state.checks[lab.id];
    if (state.files[lab.id]) {
      delete state.files[lab.id];
      done.push(msg('reset.files', { id: lab.id }));
    }
    save();
    return toApiDone(lab.id, done);
  }

  async function solve(id: string): Promise<ApiDone> {
    const lab = labOf(id);
    guard(lab);
    // The server's solve, step for step, with the bundles shipped in this page.
    const done = await solveLab(env, lab, await referenceBundles()).catch(inPageLanguage);
    save();
    return toApiDone(lab.id, done);
  }

  /** A node's shell and history for a terminal (undefined: no such node). */
  function terminalNode(id: string): TerminalNode | undefined {
    const node = topology.nodes.find((n) => n.name === id);
    if (!node) return undefined;
    const shell = new MachineShell(machine, id, nodeEnv(node), state.shells?.[id], (s) => {
      (state.shells ??= {})[id] = s;
      save();
    });
    loadProgramsSoon();
    terminalReady();
    return { shell, history: (state.history[id] ??= []), onHistory: save };
  }

  const engine: PageEngine = {
    info: pageEngineInfo(),
    hasAccess: () => true,
    onAccessRefused: () => () => undefined,
    labs: async () => pageLabs(state.progress),
    openTerminal(id, sink) {
      const node = topology.nodes.find((n) => n.name === id);
      if (!node) return unknownNode(id, sink);
      return new PageTerminal(id, terminalNode(id)!, sink, terminalBanner(node));
    },
    terminalNode,
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
    // The editor's files: those the student changed, kept with the rest (IndexedDB, the export).
    async files(id) {
      return state.files[labOf(id).id] ?? [];
    },
    async saveFile(id, file) {
      const kept = (state.files[labOf(id).id] ??= []);
      const i = kept.findIndex((f) => f.path === file.path);
      if (i >= 0) kept[i] = { path: file.path, text: file.text };
      else kept.push({ path: file.path, text: file.text });
      save();
    },
    async installBundles(bundles) {
      install(bundles);
      save();
      return tx('engine.page.deployed', { names: list(Object.keys(bundles)) });
    },
    labNote: (id) => {
      const lab = catalog.find((l) => l.id === id);
      return lab && labNote(lab);
    },
    topology: () => collectTopology(driver, machine.mode),
    trace: async (from, to) => {
      const pods = await new Pods(driver).list();
      try {
        return traceInWorld(machine.world, topology, pods, from, to);
      } catch (e) {
        return inPageLanguage(e);
      }
    },
    work: {
      exportWork: async () => JSON.stringify(toExport(state), null, 2),
      async importWork(text) {
        let w;
        try {
          w = fromExport(text);
        } catch (e) {
          throw new EngineError('bad-response', 0, (e as Error).message);
        }
        frozen = true;
        await saving;
        state = { format: 1, progress: w.progress, files: w.files, checks: w.checks, cluster: w.cluster, history: state.history };
        await saveState(state);
      },
      async startOver() {
        frozen = true;
        await saving;
        state = (await freshState()).state;
        await clearState();
      },
    },
  };

  machine.registerCommand(
    'cnilab',
    cnilabProgram({
      engine,
      catalog,
      labFile: async (path) => labFiles[`../../../../${path}`]?.(),
      currentLab: () => /#\/lab\/(\d\d)/.exec(window.location.hash)?.[1],
      supported: (lab) => {
        const note = labNote(lab);
        return note && !note.runs ? note.text : undefined;
      },
      pods: new Pods(driver),
      machine,
      env,
      lang: currentLang,
    }),
  );
  return engine;
}
