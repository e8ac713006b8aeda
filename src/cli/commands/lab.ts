// The student's loop: cnilab labs · start · deploy · check · hint · reset · solution · solve.
import * as fs from 'node:fs';
import * as readline from 'node:readline/promises';
import pc from 'picocolors';
import type { Bundles } from '../../cluster/nodeFiles.ts';
import { checkContext, deploy as deployBundles, LabActionError, resetLab, solveLab, type DoneSteps, type LabEnv } from '../../labs/actions.ts';
import { CatalogError, findLab, loadCatalog, type Lab } from '../../labs/catalog.ts';
import { markPassed, readProgress, revealedHints, writeProgress } from '../../labs/progress.ts';
import { solutionOf } from '../../labs/starters.ts';
import { buildWorkspace, defaultWorkspace, hasWorkspace, scaffold } from '../../labs/workspace.ts';
import { formatProblem, NoTypeScriptError, typecheckWorkspace, type TypeProblem } from '../../labs/typecheck.ts';
import { formatHuman, formatJunit } from '../../validators/report.ts';
import { runLabChecks, type LabReport } from '../../validators/registry.ts';
import { openContext, requireRunningCluster, type GlobalOptions } from '../context.ts';
import { cliLang, cliT } from '../lang.ts';
import { list, t, translator } from '../../i18n/index.ts';
import { localizeCheck } from '../../i18n/checks.ts';
import { localizeHint, localizeLab } from '../../i18n/labs.ts';
import { cmd, ExitError, fail, info, ok, printJson, Progress, table } from '../output.ts';

export interface LabOptions extends GlobalOptions {
  yes?: boolean;
  json?: boolean;
  jsonl?: boolean;
  junit?: string;
  all?: boolean;
  force?: boolean;
  dir?: string;
  watch?: boolean;
}

function catalog(): Lab[] {
  try {
    return loadCatalog();
  } catch (err) {
    if (err instanceof CatalogError) fail(err.message, cliT('cli.lab.fixCatalog'));
    throw err;
  }
}

function lab(id: string): Lab {
  const all = catalog();
  try {
    return findLab(all, id);
  } catch (err) {
    if (!(err instanceof CatalogError)) throw err;
    fail(cliT('cli.lab.none', { id, labs: list(all.map((l) => l.id)) }), cliT('cli.lab.seeThem', { command: cmd('cnilab labs') }));
  }
}

/** The lab's text a student reads, in the CLI's language (every lab has a Chinese page). */
const labText = (l: Lab) => `labs/${l.dir}/${cliLang() === 'en' ? 'lab.mdx' : `lab.${cliLang()}.mdx`}`;

/** What reset or solve did, in the CLI's language, joined as the language lists things. */
const stepsText = (steps: DoneSteps) => t(cliLang(), list(steps, 'semi'));

async function env(opts: GlobalOptions): Promise<LabEnv> {
  const ctx = await openContext(opts);
  await requireRunningCluster(ctx);
  return ctx;
}

async function confirm(question: string, opts: LabOptions): Promise<void> {
  if (opts.yes) return;
  if (!process.stdin.isTTY) fail(cliT('cli.confirm.noTty', { question }), cliT('cli.confirm.yesHint', { flag: cmd('--yes') }));
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
  rl.close();
  if (answer !== 'y' && answer !== 'yes') fail(cliT('cli.confirm.nothingChanged'));
}

export async function labs(opts: LabOptions): Promise<void> {
  const list = catalog().map((l) => localizeLab(l, cliLang()));
  const progress = readProgress();
  if (opts.json) return printJson(list.map((l) => ({ id: l.id, title: l.title, minutes: l.minutes, passed: l.id in progress.passed, current: progress.current === l.id })));
  const rows = [[pc.bold(''), pc.bold(cliT('cli.col.lab')), pc.bold(cliT('cli.col.title')), pc.bold(cliT('cli.col.time')), pc.bold(cliT('cli.col.needs'))]];
  for (const l of list) {
    const mark = l.id in progress.passed ? pc.green('✓') : progress.current === l.id ? pc.cyan('▶') : ' ';
    rows.push([mark, l.id, l.title, cliT('lab.minutes', { n: l.minutes }), [...l.requires, ...l.kernel.map((k) => cliT('cli.labs.kernel', { feature: k }))].join(', ')]);
  }
  info(table(rows));
  const next = list.find((l) => !(l.id in progress.passed));
  info(next ? `\n${cliT('cli.labs.next', { command: cmd(`cnilab start ${next.id}`), file: labText(next) })}` : `\n${pc.green(cliT('cli.labs.allPass'))}`);
}

export async function start(id: string, opts: LabOptions): Promise<void> {
  const l = lab(id);
  const dir = opts.dir ?? defaultWorkspace();
  if (hasWorkspace(dir)) await confirm(cliT('cli.start.replace', { dir, id: l.id }), opts);
  const todos = scaffold(l, dir);
  const progress = readProgress();
  writeProgress({ ...progress, current: l.id });
  ok(cliT('cli.start.done', { id: l.id, title: localizeLab(l, cliLang()).title, dir }));
  const mine = todos.filter((t) => t.lab === l.id);
  if (mine.length === 0) info(`  ${cliT('cli.start.noCode')}`);
  for (const t of mine) info(`  ${pc.yellow('TODO')} ${t.file}:${t.line}  ${t.description}`);
  info(`\n${cliT('cli.start.next', { file: pc.bold(labText(l)), deploy: cmd('cnilab deploy'), check: cmd(`cnilab check ${l.id}`) })}`);
}

async function build(dir: string): Promise<Bundles> {
  if (!hasWorkspace(dir)) fail(cliT('cli.deploy.noWorkspace', { dir }), cliT('cli.deploy.noWorkspaceHint', { command: cmd('cnilab start <lab>') }));
  // Type errors first: a plugin that type-checks is the one that gets deployed, the old one stays otherwise.
  let problems: TypeProblem[] = [];
  try {
    problems = await typecheckWorkspace(dir, process.cwd());
  } catch (err) {
    if (!(err instanceof NoTypeScriptError)) throw err;
    info(pc.dim(cliT('cli.deploy.typecheckSkipped', { reason: err.text })));
  }
  if (problems.length > 0) {
    fail(
      `${cliT(problems.length === 1 ? 'cli.deploy.typeError' : 'cli.deploy.typeErrors', { n: problems.length })}\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      cliT('cli.deploy.typeErrorHint'),
    );
  }
  try {
    return await buildWorkspace(dir);
  } catch (err) {
    fail(`${cliT('cli.deploy.noBuild')}\n${(err as Error).message.replace(/^Build failed with \d+ errors?:\n/, '')}`, cliT('cli.deploy.noBuildHint'));
  }
}

export async function deploy(opts: LabOptions): Promise<void> {
  const e = await env(opts);
  const dir = opts.dir ?? defaultWorkspace();
  const bundles = await build(dir);
  await deployBundles(e, bundles);
  ok(cliT('cli.deploy.done'));
  info(`  ${cliT('cli.deploy.next', { command: cmd(`cnilab check ${readProgress().current ?? '<lab>'}`) })}`);
}

/** --watch: on every save in the workspace, deploy and check again (until Ctrl-C). */
async function watchAndCheck(id: string, opts: LabOptions): Promise<void> {
  const dir = opts.dir ?? defaultWorkspace();
  if (!hasWorkspace(dir)) fail(cliT('cli.deploy.noWorkspace', { dir }), cliT('cli.deploy.noWorkspaceHint', { command: cmd('cnilab start <lab>') }));
  const once = async () => {
    process.stdout.write('\x1b[2J\x1b[H'); // a fresh screen per run, like a test watcher
    try {
      await deploy({ ...opts, dir });
      await check(id, { ...opts, watch: false });
    } catch (err) {
      if (!(err instanceof ExitError)) throw err; // failures were printed; keep watching
    }
    info(pc.dim(`\n${cliT('cli.watch.watching', { dir: `${dir}/src` })}`));
  };
  await once();
  let timer: NodeJS.Timeout | undefined;
  fs.watch(`${dir}/src`, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void once(), 300); // an editor's save is several events
  });
  await new Promise(() => {}); // until interrupted
}

export async function check(id: string | undefined, opts: LabOptions): Promise<void> {
  if (opts.watch) {
    if (!id || opts.all) fail(cliT('cli.watch.oneLab'), cliT('cli.forExample', { command: cmd('cnilab check 04 --watch') }));
    return watchAndCheck(id, opts);
  }
  const list = catalog();
  const targets = opts.all ? list : [id ? lab(id) : fail(cliT('cli.check.whichLab'), cliT('cli.check.whichLabHint', { one: cmd('cnilab check 04'), all: cmd('cnilab check --all') }))];
  const e = await env(opts);
  const ctx = checkContext(e);
  const lang = cliLang();
  const tr = translator(lang);
  const progress = new Progress(opts.json || opts.jsonl || !process.stderr.isTTY);
  const reports: LabReport[] = [];
  // --jsonl: a line per check as it finishes, then the report (the lab server's check stream, as text).
  const line = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  for (const l of targets) {
    progress.step(tr('cli.checking', { id: l.id, title: localizeLab(l, lang).title }));
    const r = await runLabChecks(l, ctx, opts.jsonl ? (result) => line({ type: 'check', result: localizeCheck(l.id, result, lang) }) : undefined);
    const localized = { ...r, checks: r.checks.map((c) => localizeCheck(r.lab, c, lang)) };
    if (opts.jsonl) line({ type: 'done', lab: r.lab, passed: r.passed, checks: localized.checks });
    reports.push(localized);
  }
  progress.done();
  markPassed(reports.filter((r) => r.passed).map((r) => r.lab));
  const titles = Object.fromEntries(list.map((l) => [l.id, localizeLab(l, lang).title]));
  if (opts.junit) fs.writeFileSync(opts.junit, formatJunit(reports, titles));
  if (opts.json) printJson(opts.all ? reports : reports[0]);
  else if (!opts.jsonl) {
    for (const r of reports) info(formatHuman(r, titles[r.lab]!, lang) + '\n');
    const failed = reports.filter((r) => !r.passed);
    if (failed.length === 0 && !opts.all) info(tr('cli.solutionUnlocked', { command: cmd(`cnilab solution ${reports[0]!.lab}`) }));
    else if (failed.length > 0 && !opts.all) info(tr('cli.stuck', { command: cmd(`cnilab hint ${failed[0]!.lab}`) }));
  }
  if (reports.some((r) => !r.passed)) throw new ExitError(1);
}

export async function hint(id: string, opts: LabOptions): Promise<void> {
  const l = lab(id);
  const { hints: english, remaining } = revealedHints(l, true);
  const lang = cliLang();
  const tr = translator(lang);
  const hints = english.map((h, i) => localizeHint(l.id, i, h, lang));
  if (opts.json) return printJson({ lab: l.id, hints, remaining });
  hints.forEach((h, i) => info(`${pc.yellow(tr('cli.hintCount', { i: i + 1, n: l.hints.length }))} ${h}`));
  info(remaining > 0 ? pc.dim(`\n${tr('cli.hintAgain', { command: cmd(`cnilab hint ${l.id}`) })}`) : pc.dim(`\n${tr('cli.hintLast')}`));
}

export async function reset(id: string, opts: LabOptions): Promise<void> {
  const l = lab(id);
  const e = await env(opts);
  const dir = opts.dir ?? defaultWorkspace();
  await confirm(cliT('cli.reset.confirm', { id: l.id, dir }), opts);
  let done: DoneSteps;
  try {
    done = await resetLab(e, l, dir);
  } catch (err) {
    if (err instanceof LabActionError) fail(t(cliLang(), err.text), cliT('cli.reset.starterHint'));
    throw err;
  }
  ok(cliT('cli.reset.done', { id: l.id, steps: stepsText(done) }));
}

export async function solution(id: string, opts: LabOptions): Promise<void> {
  const l = lab(id);
  if (!(l.id in readProgress().passed) && !opts.force) {
    fail(cliT('cli.solution.locked', { id: l.id }), cliT('cli.solution.lockedHint', { hint: cmd(`cnilab hint ${l.id}`), force: cmd('--force') }));
  }
  const regions = solutionOf(l.id);
  if (regions.length === 0) return info(cliT('cli.solution.noCode', { id: l.id, command: cmd(`cnilab solve ${l.id}`) }));
  for (const r of regions) {
    info(`${pc.bold(`${r.file}:${r.line}`)} ${pc.dim(`— ${r.description}`)}`);
    info(r.solution.map((s) => `  ${s}`).join('\n') + '\n');
  }
}

export async function solve(id: string, opts: LabOptions): Promise<void> {
  const l = lab(id);
  const ctxOpen = await openContext(opts);
  const state = ctxOpen.backend.readState();
  if (state?.complete) await confirm(cliT('cli.solve.confirm', { id: l.id }), opts);
  const progress = new Progress(opts.json);
  progress.step(cliT('cli.solve.solving', { id: l.id }));
  let done: DoneSteps;
  try {
    done = await solveLab(ctxOpen, l);
  } catch (err) {
    progress.done();
    if (err instanceof LabActionError) fail(cliT('cli.solve.failed', { id: l.id, error: err.text }));
    throw err;
  }
  progress.done();
  // --json: the shape it always had; the steps in the CLI's language (English unless --lang says otherwise).
  if (opts.json) return printJson({ lab: l.id, done: done.map((s) => t(cliLang(), s)) });
  ok(cliT('cli.solve.done', { id: l.id, steps: stepsText(done) }));
  info(`  ${cliT('cli.solve.seeItPass', { command: cmd(`cnilab check ${l.id}`) })}`);
}

