// Vite config for the lab site. Build: `npx vite build site` (from the repository root) → site/dist,
// the site the lab server serves (server engine). `--mode web` (npm run build:web) → site/dist-web,
// the static site with the page engine: relative asset paths, the course and its cluster in the tab.
// Dev: `npx tsx site/dev/mock-server.ts` (or the real lab server) on 127.0.0.1:5178, then
// `npx vite site`: /api (HTTP and the terminal WebSocket) is proxied to it; `npx vite site --mode web`
// for the page engine.
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import type { OutputChunk } from 'rollup';
import preact from '@preact/preset-vite';
import mdx from '@mdx-js/rollup';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseCatalog } from '../src/labs/catalogParse.ts';
import { escapeHeadingIds } from '../src/i18n/headingId.ts';

const siteDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));
const apiTarget = process.env.CNILAB_API ?? 'http://127.0.0.1:5178';

// In the static site the page engine imports platform-free modules of the kit; Node built-ins they
// sit beside resolve to stubs that say so if ever called.
const nodeBuiltins = fileURLToPath(new URL('./src/engine/page/nodeBuiltins.ts', import.meta.url));
const builtinAliases = ['fs/promises', 'fs', 'path', 'url', 'child_process', 'os', 'crypto', 'util', 'zlib', 'module', 'async_hooks', 'dns', 'worker_threads'].flatMap((m) => [
  { find: `node:${m}`, replacement: nodeBuiltins },
  { find: new RegExp(`^${m}$`), replacement: nodeBuiltins },
]);

// The shell library (just-bash) as its package builds it for Node: split, each command a chunk of its
// own loaded on its first run, where its one-file browser bundle carries every command up front. Built
// as the package builds that browser bundle: __BROWSER__ (no python3, sqlite3, js-exec, tar), and the
// Node built-ins it never calls in a browser resolved to the stubs above.
const justBashSplit = fileURLToPath(new URL('../node_modules/just-bash/dist/bundle/index.js', import.meta.url));

// Each English lab.mdx's SHA-256: a Chinese page that names another hash translates an older text.
function englishHashes(): Record<string, string> {
  const labs = `${repoDir}labs`;
  const out: Record<string, string> = {};
  for (const dir of readdirSync(labs)) {
    const f = `${labs}/${dir}/lab.mdx`;
    if (existsSync(f)) out[dir] = createHash('sha256').update(readFileSync(f)).digest('hex');
  }
  return out;
}

/**
 * The static site's first prompt needs the page engine (the shell library, the kernel model…) and
 * the terminal, which the entry imports dynamically: fetched only once the entry has run, one
 * round after another. This lists them in index.html as module preloads, fetched (and compiled)
 * beside the entry. Only where the page engine runs straight away: a cross-origin isolated page
 * tries the WebContainer engine first and fetches them if it falls back.
 */
function preloadPageEngine(): Plugin {
  const wanted = ['/site/src/engine/page/front.ts', '/site/src/engine/page/index.ts', '/site/src/engine/webcontainer/choose.ts', '/site/src/terminal/session.ts'];
  return {
    name: 'preload-page-engine',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return;
        const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk');
        const files = new Set<string>();
        const add = (file: string) => {
          const c = chunks.find((x) => x.fileName === file);
          if (!c || files.has(file) || c.isEntry) return;
          files.add(file);
          for (const i of c.imports) add(i);
        };
        for (const id of wanted) {
          const c = chunks.find((x) => x.facadeModuleId?.endsWith(id)) ?? chunks.find((x) => x.moduleIds.some((m) => m.endsWith(id)));
          if (!c) throw new Error(`preload-page-engine: no chunk for ${id}`);
          add(c.fileName);
        }
        // The largest first: its compile is the longest.
        const size = (f: string) => chunks.find((x) => x.fileName === f)!.code.length;
        const list = JSON.stringify([...files].sort((a, b) => size(b) - size(a)));
        // The shell's commands, each a chunk its first run imports: the page engine fetches them once
        // the page has settled (site/src/engine/page/later.ts), so that a command run later, perhaps
        // offline, needs no network. Everything the shell's chunk imports on demand, and what that imports.
        const shell = chunks.find((x) => x.name === 'shell');
        if (!shell) throw new Error('preload-page-engine: no shell chunk');
        const later = new Set<string>();
        const addLater = (file: string) => {
          const c = chunks.find((x) => x.fileName === file);
          if (!c || later.has(file) || files.has(file) || c.isEntry) return;
          later.add(file);
          for (const i of [...c.imports, ...c.dynamicImports]) addLater(i);
        };
        for (const i of shell.dynamicImports) addLater(i);
        return [
          {
            tag: 'script',
            injectTo: 'head',
            children: `crossOriginIsolated||${list}.forEach(function(f){var l=document.createElement("link");l.rel="modulepreload";l.crossOrigin="";l.href="./"+f;document.head.appendChild(l)})`,
          },
          { tag: 'script', attrs: { type: 'application/json', id: 'modules-later' }, injectTo: 'head', children: JSON.stringify([...later].sort()) },
        ];
      },
    },
  };
}

/**
 * The shell library's python3 and js-exec commands name their worker scripts with
 * `new URL('./worker.js', import.meta.url)`, which copies the scripts into the build before the
 * commands themselves are left out (__BROWSER__). Nothing refers to those copies: they are dropped.
 */
function dropUnusedShellWorkers(): Plugin {
  return {
    name: 'drop-unused-shell-workers',
    apply: 'build',
    generateBundle(_options, bundle) {
      const code = Object.values(bundle)
        .map((o) => (o.type === 'chunk' ? o.code : ''))
        .join('\n');
      for (const [file, o] of Object.entries(bundle)) {
        const fromShell = o.type === 'asset' && o.originalFileNames.some((n) => n.includes('node_modules/just-bash/'));
        if (fromShell && !code.includes(basename(file))) delete bundle[file];
      }
    },
  };
}

export default defineConfig(({ mode }) => {
  const page = mode === 'web';
  return {
    root: siteDir,
    base: page ? './' : '/',
    define: { ...(page ? { __BROWSER__: 'true' } : {}), 'import.meta.env.VITE_CNILAB_ENGINE': JSON.stringify(page ? 'page' : 'server'), 'import.meta.env.VITE_LAB_SHA256': JSON.stringify(englishHashes()) },
    resolve: page ? { alias: [...builtinAliases, { find: /^proper-lockfile$/, replacement: nodeBuiltins }, { find: /^just-bash\/browser$/, replacement: justBashSplit }, { find: /^(@mongodb-js\/zstd|node-liblzma)$/, replacement: nodeBuiltins }] } : {},
    // The lab texts live in ../labs/*/lab.mdx and are compiled as they are, never copied.
    plugins: [
      // `labs.yaml?catalog`: the lab list parsed when the site is built (the page engine gets data,
      // not a YAML parser; a broken labs.yaml fails the build with parseCatalog's message).
      {
        name: 'labs-catalog',
        enforce: 'pre',
        load(id: string) {
          const [file, query] = id.split('?');
          if (query !== 'catalog' || !file) return null;
          this.addWatchFile(file);
          return `export default ${JSON.stringify(parseCatalog(readFileSync(file, 'utf8'), 'labs/labs.yaml'))};`;
        },
      },
      // Explicit heading anchors (`## Objectives {#objectives}`) as literal text for the heading component.
      { name: 'lab-heading-ids', enforce: 'pre', transform: (code: string, id: string) => (id.endsWith('.mdx') ? escapeHeadingIds(code) : undefined) },
      { enforce: 'pre', ...mdx({ jsxImportSource: 'preact' }) },
      preact({ prerender: { enabled: false }, devToolsEnabled: false }),
      ...(page ? [preloadPageEngine(), dropUnusedShellWorkers()] : []),
    ],
    server: {
      host: '127.0.0.1',
      fs: { allow: [repoDir] },
      proxy: {
        '/api': {
          target: apiTarget,
          ws: true,
          // The lab server answers to its own Host and Origin only: this page's own requests are
          // passed on as if from the server's page; any other Origin is left as it is (refused).
          changeOrigin: true,
          configure: (proxy) => {
            const own = (origin: unknown, host: unknown) => typeof origin === 'string' && origin === `http://${String(host)}`;
            proxy.on('proxyReq', (req, incoming) => {
              if (own(incoming.headers.origin, incoming.headers.host)) req.setHeader('origin', new URL(apiTarget).origin);
            });
            proxy.on('proxyReqWs', (req, incoming) => {
              if (own(incoming.headers.origin, incoming.headers.host)) req.setHeader('origin', new URL(apiTarget).origin);
            });
          },
        },
      },
    },
    preview: { host: '127.0.0.1' },
    build: {
      outDir: page ? 'dist-web' : 'dist',
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      reportCompressedSize: true,
      // The editor's CodeMirror chunk (~500 kB, ~170 kB gzip) loads only when the Code tab opens; the
      // page engine's chunk (the shell language, the kernel model, the plugin bundles) is larger still.
      chunkSizeWarningLimit: page ? 2500 : 600,
      rollupOptions: {
        output: {
          // Readable chunk names: lab-04-first-pod-<hash>.js, terminal-<hash>.js.
          chunkFileNames: (chunk) => {
            const id = chunk.facadeModuleId ?? '';
            if (id.endsWith('/lab.mdx')) return `assets/lab-${basename(dirname(id))}-[hash].js`;
            if (id.endsWith('/lab.zh-CN.mdx')) return `assets/lab-${basename(dirname(id))}-zh-CN-[hash].js`;
            if (id.endsWith('/terminal/session.ts')) return 'assets/terminal-[hash].js';
            // The shell's commands, each loaded on its first run, and the code they share: part of the shell.
            if (chunk.name !== 'shell' && (chunk.facadeModuleId ? [id] : chunk.moduleIds).some((m) => m.includes('/node_modules/just-bash/'))) return 'assets/shell-[name]-[hash].js';
            return 'assets/[name]-[hash].js';
          },
          // In the static site, the parts of the page engine's code in chunks of their own, so the
          // benchmark (bench/page.ts) can weigh each: the shell language (just-bash), the kernel
          // model (src/sim/core) and the CNI programs the nodes run (dist/*.cjs as text).
          ...(page
            ? {
                manualChunks: (id: string) =>
                  id.endsWith('/node_modules/just-bash/dist/bundle/index.js')
                    ? 'shell'
                    : id.includes('/src/sim/core/')
                      ? 'kernel'
                      : /\/dist\/simplecni[^/]*\.cjs\?raw$/.test(id)
                        ? 'cni-programs'
                        : undefined,
              }
            : {}),
          assetFileNames: (asset) =>
            asset.names.some((n) => n.startsWith('session')) ? 'assets/terminal-[hash][extname]' : 'assets/[name]-[hash][extname]',
        },
      },
    },
  };
});
