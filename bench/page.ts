// The course in a browser tab (the static site, the page engine), in Debian's chromium against
// site/dist-web on the same plain static server as `npm run web`:
//   - cold load of a lab page to a node1 prompt (fresh profile; goal ≤ 1.5 s), and to a command
//     typed at once answered (the prompt comes before the node's shell: the line waits for it);
//   - the JavaScript loaded before that prompt (what had arrived when it showed) and until that
//     answer (every file asked for by then), gzip, per part: the shell language (just-bash: its
//     interpreter, and a command's chunk when a line runs it), the kernel model (src/sim/core),
//     the terminal (xterm), and the site (everything else: Preact, the lab page, the page engine)
//     — goal ≤ 600 kB gzip for each; the CNI programs the nodes run and their host, which load
//     beside the shell once the page settles, on their own line. The shell's other commands are
//     fetched a second after a line was answered (site/src/engine/page/later.ts);
//   - the compiler (esbuild-wasm) loaded on the first Deploy, reported on its own;
//   - each lab's checks in the page, from the solution bot's state (goal ≤ 300 ms a lab);
//   - Deploy of the student's workspace once the compiler is loaded (goal ≤ 1 s): again as it is,
//     and after an edit (a line typed at the end of the open file: the build runs again).
// Needs site/dist-web (npm run build:web). Run: npx tsx bench/page.ts (BENCH_FILES=1: each file
// loaded until the first answer, with its gzip size, marked when it had arrived before the prompt).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';

const GOALS = { loadMs: 1500, jsKb: 600, checkMs: 300, deployMs: 1000 };
const PORT = Number(process.env.BENCH_PAGE_PORT ?? 5193); // another free port when 5193 is taken
const ORIGIN = `http://127.0.0.1:${PORT}`;
const DIST = path.join('site', 'dist-web');
// As playwright.web.config.ts launches it.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!fs.existsSync(path.join(DIST, 'index.html'))) {
  console.error('bench/page: site/dist-web is missing; run npm run build:web first.');
  process.exit(2);
}

/** Which part of the page a built file is, by the chunk names the build gives them (site/vite.config.ts). */
function partOf(file: string): string {
  const base = path.basename(file);
  if (base.startsWith('shell-')) return 'shell (just-bash)';
  if (base.startsWith('kernel-')) return 'kernel model (src/sim/core)';
  // The plugin host (src/sim/machine/hosted.ts) loads with the programs it runs (site/src/engine/page/programs.ts).
  if (base.startsWith('cni-programs-') || base.startsWith('hosted-')) return 'CNI programs (plugin host, plugin, IPAM, node agent)';
  if (base.startsWith('terminal-')) return 'terminal (xterm)';
  if (base.startsWith('esbuild-') || base.startsWith('browser-') || base.startsWith('pageBuild-')) return 'compiler (esbuild-wasm)';
  return 'site (Preact, lab page, page engine)';
}

const gzipKb = (urlPath: string) => {
  const f = path.join(DIST, decodeURIComponent(urlPath));
  return fs.existsSync(f) && fs.statSync(f).isFile() ? gzipSync(fs.readFileSync(f)).length / 1024 : 0;
};

/** node1's terminal shows its first prompt; returns when (the page's clock) it was first seen. */
async function waitForPrompt(page: Page, node = 'node1'): Promise<number> {
  const seen = await page.waitForFunction((n) => {
    const term = (globalThis as unknown as { __cnilab?: { terminals?: Record<string, { buffer: { active: { length: number; getLine(i: number): { translateToString(t: boolean): string } | undefined } } }> } }).__cnilab?.terminals?.[n];
    if (!term) return false;
    const b = term.buffer.active;
    for (let i = 0; i < b.length; i++) if (b.getLine(i)?.translateToString(true).includes(`root@${n}:`)) return performance.now();
    return false;
  }, node, { timeout: 60_000, polling: 10 });
  return (await seen.jsonValue()) as number;
}

/** The page's .js and .wasm files that had fully arrived at `t` (the page's clock), by its resource timing. */
async function arrivedBy(page: Page, t: number): Promise<string[]> {
  return page.evaluate(
    ({ t, origin }) =>
      (performance.getEntriesByType('resource') as unknown as { name: string; responseEnd: number }[])
        .filter((e) => e.responseEnd > 0 && e.responseEnd <= t && e.name.startsWith(`${origin}/`))
        .map((e) => new URL(e.name).pathname)
        .filter((p) => /\.(js|wasm)$/.test(p)),
    { t, origin: ORIGIN },
  );
}

// Without the isolation headers: the page engine's figures, no WebContainer attempt first.
const server = spawn(process.execPath, ['scripts/web.mjs', '--port', String(PORT), '--no-isolation'], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve, reject) => {
  server.stdout!.on('data', (d: Buffer) => d.toString().includes(ORIGIN) && resolve());
  server.on('exit', (c) => reject(new Error(`the static server exited (${c})`)));
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
let exitCode = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const loaded: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin === ORIGIN && /\.(js|wasm)$/.test(u.pathname)) loaded.push(u.pathname);
  });

  // Cold load: a fresh profile (nothing in IndexedDB, nothing cached), to node1's first prompt.
  const t0 = performance.now();
  await page.goto(`${ORIGIN}/#/lab/01`);
  const promptAt = await waitForPrompt(page);
  const loadMs = performance.now() - t0;
  // The prompt shows before the node's shell is there (a line typed meanwhile runs when it comes):
  // how long until a command typed at once is answered, too.
  await page.locator('#term-panel-node1 .xterm').click();
  await page.keyboard.type('echo answered-$((6*7))\n');
  await page.waitForFunction(() => {
    const b = (globalThis as unknown as { __cnilab: { terminals: Record<string, { buffer: { active: { length: number; getLine(i: number): { translateToString(t: boolean): string } | undefined } } }> } }).__cnilab.terminals['node1']!.buffer.active;
    for (let i = 0; i < b.length; i++) if (b.getLine(i)?.translateToString(true).startsWith('answered-42')) return true;
    return false;
  }, undefined, { timeout: 60_000, polling: 10 });
  const answeredMs = performance.now() - t0;
  const beforeAnswer = [...new Set(loaded)];
  const beforePrompt = [...new Set(await arrivedBy(page, promptAt))];

  if (process.env.BENCH_FILES) {
    for (const f of beforeAnswer) console.log(`  ${f} ${gzipKb(f).toFixed(1)} kB${beforePrompt.includes(f) ? ' (before the prompt)' : ''}`);
  }
  // The CNI programs load beside the shell, for the plugin's commands; a shell line needs none of them.
  const PROGRAMS = 'CNI programs (plugin host, plugin, IPAM, node agent)';
  const weigh = (files: string[]) => {
    const byPart = new Map<string, number>();
    for (const f of files) byPart.set(partOf(f), (byPart.get(partOf(f)) ?? 0) + gzipKb(f));
    const programsKb = byPart.get(PROGRAMS) ?? 0;
    byPart.delete(PROGRAMS);
    return { byPart, programsKb, kb: [...byPart.values()].reduce((a, b) => a + b, 0), files: files.length };
  };
  const promptJs = weigh(beforePrompt);
  const answerJs = weigh(beforeAnswer);

  // Each lab's checks, from the solution bot's state (every lab the page runs solved in order).
  const checks = await page.evaluate(async () => {
    const engine = (globalThis as unknown as { __cnilab: { engine: any } }).__cnilab.engine;
    const out: { id: string; ms: number; passed: boolean }[] = [];
    for (const l of (await engine.labs()).labs) {
      const note = engine.labNote?.(l.id);
      if (note && !note.runs) continue;
      await engine.solve(l.id);
      const t = performance.now();
      const done = await engine.check(l.id, () => undefined);
      out.push({ id: l.id, ms: performance.now() - t, passed: done.passed });
    }
    return out;
  });

  // Deploy: the first loads the compiler (esbuild-wasm) and builds; the second deploys the same
  // files again; the third follows an edit, so it builds again.
  await page.goto(`${ORIGIN}/#/lab/04`);
  await waitForPrompt(page);
  const beforeCode = new Set(loaded);
  await page.locator('[data-action="open-code"]').click();
  await page.locator('.cm-editor .cm-line').first().waitFor({ timeout: 60_000 });
  const deploy = page.locator('[data-action="deploy"]');
  const deployOnce = async () => {
    const t = performance.now();
    await deploy.click();
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document;
      return ['ok', 'error'].includes(doc.querySelector('[data-action="deploy"]')?.getAttribute('data-state') ?? '');
    }, undefined, { timeout: 300_000, polling: 10 });
    const state = await deploy.getAttribute('data-state');
    if (state !== 'ok') console.error(`Deploy: ${await page.locator('.code-output').innerText().catch(() => '(no output)')}`);
    return { ms: performance.now() - t, state };
  };
  const firstDeploy = await deployOnce();
  const secondDeploy = await deployOnce();
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n// edited\n');
  const editedDeploy = await deployOnce();
  const compiler = [...new Set(loaded)].filter((f) => !beforeCode.has(f) && partOf(f).startsWith('compiler'));
  const compilerKb = compiler.reduce((a, f) => a + gzipKb(f), 0);

  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const kb = (x: number) => `${x.toFixed(0)} kB`;
  console.log(`\nThe course in a browser tab (chromium, site/dist-web on a static server)\n`);
  console.log(`${mark(loadMs <= GOALS.loadMs)} cold load of lab 01 to a node1 prompt   ${loadMs.toFixed(0)} ms (goal ≤ ${GOALS.loadMs} ms)`);
  console.log(`  … to a command typed at once answered  ${answeredMs.toFixed(0)} ms (the shell and the kernel model loaded, a line run)`);
  const js = (label: string, w: ReturnType<typeof weigh>) => {
    console.log(`${mark(w.kb <= GOALS.jsKb)} ${label.padEnd(38)} ${kb(w.kb)} gzip (goal ≤ ${GOALS.jsKb} kB), ${w.files} files:`);
    for (const [part, k] of [...w.byPart].sort((a, b) => b[1] - a[1])) console.log(`    ${part.padEnd(42)} ${kb(k).padStart(7)}`);
  };
  js('JavaScript before the first prompt', promptJs);
  js('JavaScript until the first answer', answerJs);
  console.log(`  CNI programs and their host, loaded beside the shell  ${kb(answerJs.programsKb)} gzip until that answer (not counted above)`);
  console.log(`  compiler loaded on the first Deploy    ${kb(compilerKb)} gzip (${compiler.map((f) => path.basename(f)).join(', ')})`);
  const slowest = Math.max(...checks.map((c) => c.ms));
  console.log(`${mark(slowest <= GOALS.checkMs && checks.every((c) => c.passed))} each lab's checks in the page          slowest ${slowest.toFixed(0)} ms (goal ≤ ${GOALS.checkMs} ms a lab):`);
  console.log(`    ${checks.map((c) => `${c.id} ${c.ms.toFixed(0)} ms${c.passed ? '' : ' (FAILED)'}`).join(' · ')}`);
  console.log(`  first Deploy (loads the compiler)      ${firstDeploy.ms.toFixed(0)} ms (${firstDeploy.state})`);
  console.log(`${mark(secondDeploy.ms <= GOALS.deployMs && secondDeploy.state === 'ok')} Deploy once the compiler is loaded     ${secondDeploy.ms.toFixed(0)} ms (${secondDeploy.state}; goal ≤ ${GOALS.deployMs} ms)`);
  console.log(`${mark(editedDeploy.ms <= GOALS.deployMs && editedDeploy.state === 'ok')}   … after an edit (builds again)         ${editedDeploy.ms.toFixed(0)} ms (${editedDeploy.state}; goal ≤ ${GOALS.deployMs} ms)`);
  if (!checks.every((c) => c.passed) || [firstDeploy, secondDeploy, editedDeploy].some((d) => d.state !== 'ok')) exitCode = 1;
  await context.close();
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack}`);
  exitCode = 1;
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
process.exitCode = exitCode;
