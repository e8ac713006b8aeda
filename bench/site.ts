// Time from `cnilab serve` (what npm start runs) to a usable terminal, and the JavaScript a lab
// page ships (gzip). Goals: terminal usable in ≤ 2 s; lab page JS ≤ 250 kB gzip. Run as root:
//   npm run build:site && npx tsx bench/site.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { clusterDown } from '../src/cluster/netns/builder.ts';
import { NetnsLayout } from '../src/cluster/netns/layout.ts';
import { startServeProcess } from '../test/helpers/serve.ts';

const GOAL_MS = 2000;
const GOAL_KB = 250;
const cluster = `bsite${Math.random().toString(36).slice(2, 6)}`;

/** Starts the server (cluster up included), then opens node1's terminal and runs a command in it. */
async function timeToTerminal(): Promise<{ serveMs: number; terminalMs: number }> {
  const t0 = performance.now();
  const server = await startServeProcess(cluster);
  try {
    const url = server.url;
    const serveMs = performance.now() - t0;
    const u = new URL(url);
    const token = u.hash.replace('#token=', '');
    const ws = new WebSocket(`ws://${u.host}/api/term?node=node1`, [`cnilab.${token}`], { origin: u.origin });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      ws.on('open', () => ws.send(JSON.stringify({ type: 'input', data: 'echo ready-$((20+22))\r' })));
      ws.on('message', (m) => {
        const msg = JSON.parse(m.toString());
        if (msg.type === 'output') out += msg.data;
        if (out.includes('ready-42')) resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    return { serveMs, terminalMs: performance.now() - t0 };
  } finally {
    await server.stop();
  }
}

function labPageJs(): { files: [string, number][]; totalKb: number } {
  const dist = path.join('site', 'dist');
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  // What the lab page loads up front: the entry scripts and modulepreloads in index.html, plus every lazily loaded chunk (worst case).
  const assets = fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js'));
  const upfront = new Set([...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!));
  const files: [string, number][] = assets.map((f) => [`${upfront.has(f) ? '' : '(lazy) '}${f}`, gzipSync(fs.readFileSync(path.join(dist, 'assets', f))).length / 1024]);
  return { files, totalKb: files.reduce((a, [, kb]) => a + kb, 0) };
}

let code = 0;
try {
  const { serveMs, terminalMs } = await timeToTerminal();
  console.log('Site benchmark');
  console.log(`  cnilab serve → URL printed (cluster built from nothing)   ${serveMs.toFixed(0)} ms`);
  console.log(`  … → node1 terminal answered a command                    ${terminalMs.toFixed(0)} ms  (goal ≤ ${GOAL_MS} ms: ${terminalMs <= GOAL_MS ? 'met' : 'NOT met'})`);
  const js = labPageJs();
  for (const [f, kb] of js.files) console.log(`    ${f.padEnd(52)} ${kb.toFixed(1).padStart(7)} kB gzip`);
  console.log(`  all JavaScript of the site (every lab's text included)   ${js.totalKb.toFixed(1)} kB gzip  (goal ≤ ${GOAL_KB} kB for a lab page: ${js.totalKb <= GOAL_KB ? 'met even counting everything' : 'see the up-front files'})`);
} catch (err) {
  console.error(`bench failed: ${(err as Error).message}`);
  code = 1;
} finally {
  await clusterDown(new NetnsLayout(cluster));
}
process.exitCode = code;
