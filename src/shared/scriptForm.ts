// Which form this machine's little scripts (a node's shims) take, found by what it can do: a POSIX
// shell where /bin/sh runs (Linux, macOS, WSL), else Node.js scripts (a WebContainer runs
// JavaScript only; its PATH commands are Node.js scripts). SIMPLECNI_SCRIPT_SHELL names another
// shell to look for (a test points it at nothing to take the Node.js path on Linux).
import * as fs from 'node:fs';
import type { ShimForm } from './bundleShim.ts';

export function scriptForm(): ShimForm {
  const sh = process.env.SIMPLECNI_SCRIPT_SHELL || '/bin/sh';
  try {
    fs.accessSync(sh, fs.constants.X_OK);
    return fs.statSync(sh).isFile() ? 'sh' : 'node';
  } catch {
    return 'node';
  }
}
