// Modules the page imports on demand that a later step may need with no network: the shell's
// commands (each a chunk its first run imports). The build lists them in index.html
// (`#modules-later`, site/vite.config.ts); once the page has settled they are fetched as module
// preloads, which puts them in the page's module map, so the import that needs one later finds it
// there, offline too. A page without the list (the dev server) loads each on its first use.
let done = false;

export function preloadLaterModules(): void {
  if (done) return;
  done = true;
  const list = document.getElementById('modules-later')?.textContent;
  if (!list) return;
  let files: unknown;
  try {
    files = JSON.parse(list);
  } catch {
    return;
  }
  if (!Array.isArray(files)) return;
  for (const f of files) {
    if (typeof f !== 'string') continue;
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.crossOrigin = '';
    link.href = `./${f}`;
    document.head.appendChild(link);
  }
}
