// The WebContainer engine, what can be measured offline:
//   - the mounted tree's size before compression (goal ≤ 3 MB) and gzip, from the one function
//     that makes it (src/webcontainer/tree.ts), and esbuild-wasm's files mounted on the first deploy;
//   - the fallback decision offline: a cross-origin isolated page (npm run web's headers) in
//     Debian's chromium, every request to another origin aborted — from navigation to the notice
//     and the page engine's node1 prompt, and the engine's own measure of the attempt (the bound
//     is 15 s: offline, the runtime's frame never answers, so the decision is the bound).
// Booting a real WebContainer needs stackblitz.com: not measured here.
// Needs site/dist-web (npm run build:web) and dist/ (npm run build). Run: npx tsx bench/webcontainer.ts
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { ESBUILD_WASM_FILES, esbuildWasmTree, treeFiles, treeSize } from '../src/webcontainer/tree.ts';
import { containerTreeFromDisk } from '../src/webcontainer/treeFromDisk.ts';

const GOALS = { treeBytes: 3 * 1024 * 1024 };
const PORT = 5194;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const gz = (tree: ReturnType<typeof containerTreeFromDisk>) => [...treeFiles(tree)].reduce((s, [, c]) => s + gzipSync(c).length, 0);

const tree = containerTreeFromDisk();
const size = treeSize(tree);
const wasmDir = path.join('node_modules', 'esbuild-wasm');
const wasm = esbuildWasmTree(Object.fromEntries(ESBUILD_WASM_FILES.map((f) => [f, fs.readFileSync(path.join(wasmDir, f))])) as never);
console.log(`tree: ${size.files} files, ${mb(size.bytes)} (goal ≤ ${mb(GOALS.treeBytes)}), ${mb(gz(tree))} gzip`);
console.log(`esbuild-wasm mounted on the first deploy: ${mb(treeSize(wasm).bytes)}, ${mb(gz(wasm))} gzip`);
let exitCode = size.bytes <= GOALS.treeBytes ? 0 : 1;

if (!fs.existsSync(path.join('site', 'dist-web', 'index.html'))) {
  console.error('bench/webcontainer: site/dist-web is missing; run npm run build:web first.');
  process.exit(2);
}
const server = spawn(process.execPath, ['scripts/web.mjs', '--port', String(PORT)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve, reject) => {
  server.stdout!.on('data', (d: Buffer) => d.toString().includes(ORIGIN) && resolve());
  server.on('exit', (c) => reject(new Error(`the static server exited (${c})`)));
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.route((u) => u.origin !== ORIGIN && u.protocol.startsWith('http'), (r) => r.abort('internetdisconnected'));
  const t0 = performance.now();
  await page.goto(`${ORIGIN}/#/lab/01`);
  await page.locator('[data-engine-notice="fallback"]').waitFor({ timeout: 60_000 });
  const notice = performance.now() - t0;
  await page.waitForFunction(() => {
    const term = (globalThis as unknown as { __cnilab?: { terminals: Record<string, { buffer: { active: { length: number; getLine(i: number): { translateToString(t: boolean): string } | undefined } } }> } }).__cnilab?.terminals.node1;
    if (!term) return false;
    const b = term.buffer.active;
    for (let i = 0; i < b.length; i++) if (b.getLine(i)?.translateToString(true).includes('root@node1:')) return true;
    return false;
  }, undefined, { timeout: 60_000, polling: 10 });
  const prompt = performance.now() - t0;
  const choice = await page.evaluate(() => (globalThis as unknown as { __cnilab: { engineChoice: { ms: number; reason?: string } } }).__cnilab.engineChoice);
  console.log(`fallback offline: attempt given up after ${(choice.ms / 1000).toFixed(2)} s (${choice.reason}); notice at ${(notice / 1000).toFixed(2)} s, node1 prompt at ${(prompt / 1000).toFixed(2)} s after navigation`);
} catch (e) {
  console.error(`bench/webcontainer: ${(e as Error).message}`);
  exitCode = 1;
} finally {
  await browser.close();
  server.kill();
}
process.exit(exitCode);
