// Entry point: read env and stdin, dispatch on CNI_COMMAND, print the result or the CNI error
// JSON on stdout. The only place that decides the exit code.
import * as fs from 'node:fs';
import { loadNetConf, versionFromStdin, type NetConf } from './config.ts';
import { parseEnv, type CniArgs } from './env.ts';
import { CniError, ErrCode } from './errors.ts';
import { DiskStore } from './ipam/diskStore.ts';
import { IprouteHost } from './kernel/iprouteHost.ts';
import { createLogger, type Logger } from './log.ts';
import { cmdAdd, cmdCheck, cmdDel, cmdGc, cmdStatus, type PluginDeps } from './plugin.ts';
import { SUPPORTED_VERSIONS, supportsCheck, supportsGcAndStatus } from './version.ts';

const ABOUT = `SimpleCNI: a bridge + veth CNI plugin with file-based IPAM, built step by step in SimpleCNI Lab.
CNI protocol versions supported: ${SUPPORTED_VERSIONS.join(', ')}`;

export interface Outcome {
  stdout: string;
  code: number;
}

/** What a command does once env and config are valid: returns what goes to stdout. */
export type Runner = (args: CniArgs, conf: NetConf, deps: PluginDeps) => Promise<string>;

/** The SimpleCNI plugin. */
export const main = (env: NodeJS.ProcessEnv, stdin: string) => runPlugin(env, stdin, run);

/** The answer to VERSION, in the caller's version (the config may be absent or partial). */
export function versionOutput(cniVersion: string): string {
  // @lab 02 begin: answer VERSION
  return JSON.stringify({ cniVersion, supportedVersions: SUPPORTED_VERSIONS });
  // @lab 02 end
}

/** A failure as the runtime reads it: the error object on stdout, and a non-zero exit. */
export function errorOutput(cniVersion: string, e: CniError): Outcome {
  // @lab 02 begin: report an error the way runtimes parse it
  // A stack trace is for bugs only, and only in the log (see runPlugin): never on stdout.
  const details = e.code === ErrCode.Internal ? '' : e.details;
  return { stdout: JSON.stringify({ cniVersion, code: e.code, msg: e.message, details }), code: 1 };
  // @lab 02 starter
  // return { stdout: e.message, code: 0 };
  // @lab 02 end
}

/** Everything a plugin entry shares: env and config checks, logging, errors. */
export async function runPlugin(env: NodeJS.ProcessEnv, stdin: string, runner: Runner): Promise<Outcome> {
  const t0 = performance.now();
  const timing = env.SIMPLECNI_TIMING === '1';
  const debug = env.SIMPLECNI_DEBUG === '1';
  // performance.now() counts from process start: this is Node's start-up plus loading the bundle.
  createLogger({ debug, timing }).timing('runtime start-up', t0);

  let cniVersion = versionFromStdin(stdin);
  let log = createLogger({ debug, timing });
  try {
    if (!env.CNI_COMMAND) {
      process.stderr.write(`${ABOUT}\n`);
      return { stdout: '', code: 0 };
    }
    const args = parseEnv(env);
    if (args.command === 'VERSION') return { stdout: versionOutput(cniVersion), code: 0 };
    const conf = loadNetConf(stdin);
    cniVersion = conf.cniVersion;
    log = createLogger({ debug: debug || conf.debug === true, timing, logFile: conf.logFile });
    const stdout = await runner(args, conf, realDeps(conf, env, log));
    return { stdout, code: 0 };
  } catch (err) {
    const message = (err as Error).message;
    // A lab's unwritten function (a TODO stub) is not a bug: say what is missing, without a stack.
    const todo = /^TODO\(lab \d\d\)/.test(message);
    const e =
      err instanceof CniError
        ? err
        : new CniError(ErrCode.Internal, todo ? `not written yet: ${message}` : `internal error: ${message}`, todo ? '' : ((err as Error).stack ?? ''));
    log.info(`error ${e.code}: ${e.message}`);
    if (e.code === ErrCode.Internal && e.details) log.info(e.details);
    return errorOutput(cniVersion, e);
  } finally {
    log.timing('plugin work', performance.now() - t0);
  }
}

async function run(args: CniArgs, conf: NetConf, deps: PluginDeps): Promise<string> {
  const v = conf.cniVersion;
  switch (args.command) {
    case 'ADD':
      return JSON.stringify(await cmdAdd(args, conf, deps));
    case 'DEL':
      await cmdDel(args, conf, deps);
      return '';
    case 'CHECK':
      requireVersion(supportsCheck(v), 'CHECK', v, '0.4.0');
      await cmdCheck(args, conf, deps);
      return '';
    case 'STATUS':
      requireVersion(supportsGcAndStatus(v), 'STATUS', v, '1.1.0');
      await cmdStatus(conf, deps);
      return '';
    case 'GC':
      requireVersion(supportsGcAndStatus(v), 'GC', v, '1.1.0');
      await cmdGc(conf, deps);
      return '';
    case 'VERSION':
      return versionOutput(v);
  }
}

export function requireVersion(ok: boolean, cmd: string, v: string, need: string) {
  if (!ok) throw new CniError(ErrCode.IncompatibleVersion, `config version "${v}" does not allow ${cmd}; it needs cniVersion ${need} or later`);
}

function realDeps(conf: NetConf, env: NodeJS.ProcessEnv, log: Logger): PluginDeps {
  return {
    host: new IprouteHost(log),
    store: DiskStore.forNetwork(conf.dataDir, conf.name),
    log,
    readFile: (p) => fs.promises.readFile(p, 'utf8'),
    netnsAt: async (p) => netnsAt(p),
    checkpoint: checkpointFromEnv(env, log),
  };
}

/**
 * Every namespace file lives on the kernel's one nsfs, so a path is a namespace if it is on the
 * same device as our own /proc/self/ns/net. (A simulated kernel presents its namespace files the
 * same way: the plugin does one thing on every kernel.)
 */
function netnsAt(p: string): 'netns' | 'missing' | 'other' {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 'missing';
  const own = fs.statSync('/proc/self/ns/net', { throwIfNoEntry: false });
  return own && st.dev === own.dev && !st.isDirectory() ? 'netns' : 'other';
}

/** Test-only: SIMPLECNI_TEST_FAIL_AT / SIMPLECNI_TEST_PAUSE_AT=<step> make a checkpoint fail or hang. */
function checkpointFromEnv(env: NodeJS.ProcessEnv, log: Logger): PluginDeps['checkpoint'] {
  return async (step) => {
    if (env.SIMPLECNI_TEST_FAIL_AT === step) throw new Error(`test hook: failing at "${step}"`);
    if (env.SIMPLECNI_TEST_PAUSE_AT === step) {
      log.info(`test hook: paused at "${step}"`);
      // Until killed: a pending promise alone does not keep Node running, a timer does.
      await new Promise(() => setInterval(() => {}, 1 << 30));
    }
  };
}
