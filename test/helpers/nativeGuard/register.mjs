// Preloaded into every Node.js process of a "no native code" run (NODE_OPTIONS=--import this):
// a module that resolves into node-pty or native esbuild (their packages exist and would load),
// or any native addon (process.dlopen), throws instead, and is written to
// $SIMPLECNI_NATIVE_GUARD_LOG, so a test can assert that nothing reached them.
import * as fs from 'node:fs';
import Module, { register } from 'node:module';

const log = process.env.SIMPLECNI_NATIVE_GUARD_LOG;
const NATIVE = /node_modules\/(?:esbuild|@esbuild\/[^/]+|@lydell\/node-pty[^/]*|node-pty)\//;

function refuse(what) {
  if (log) fs.appendFileSync(log, `${process.pid} ${what}\n`);
  const err = new Error(`native code is not allowed here: ${what}`);
  err.code = 'ERR_NATIVE_BLOCKED';
  throw err;
}

// ES modules (the CLI's dynamic import('esbuild')): a resolve hook in the loader thread.
register('./hooks.mjs', import.meta.url, { data: { log } });
// CommonJS require() of the same packages, and any native addon however it is reached.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const file = resolve.call(this, request, ...rest);
  if (NATIVE.test(file) || file.endsWith('.node')) refuse(`require(${request}) → ${file}`);
  return file;
};
process.dlopen = (_module, file) => refuse(`dlopen(${file})`);
