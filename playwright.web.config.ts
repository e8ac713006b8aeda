// Browser tests of the static site (site/dist-web, the page engine): served by the same plain
// static file server as `npm run web`, no lab server, no cluster on this machine. Debian's chromium.
// Two servers: without the cross-origin isolation headers (the page engine, every spec but one), and
// with them (the WebContainer engine is tried, and falls back offline: engine-choice.spec.ts).
import { defineConfig } from '@playwright/test';

// CNILAB_WEB_PORT: another port when 5192 is taken (the specs' own-origin checks read it too); the
// isolated server is the next port.
const PORT = Number(process.env.CNILAB_WEB_PORT ?? 5192);
export const ISOLATED_PORT = PORT + 1;

export default defineConfig({
  testDir: 'test/web',
  timeout: 90_000,
  workers: 1,
  retries: 0,
  // A cold load parses the shell library and builds the cluster: give it room on a busy machine.
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: 'test-results/web',
  webServer: [
    {
      command: `node scripts/web.mjs --port ${PORT} --no-isolation`,
      url: `http://127.0.0.1:${PORT}/`,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `node scripts/web.mjs --port ${ISOLATED_PORT}`,
      url: `http://127.0.0.1:${ISOLATED_PORT}/`,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
