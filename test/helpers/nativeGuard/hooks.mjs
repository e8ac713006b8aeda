// The loader hooks of register.mjs: an import that resolves into a native package fails and is logged.
import * as fs from 'node:fs';

const NATIVE = /node_modules\/(?:esbuild|@esbuild\/[^/]+|@lydell\/node-pty[^/]*|node-pty)\//;
let log;

export function initialize(data) {
  log = data?.log;
}

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (NATIVE.test(r.url) || r.url.endsWith('.node')) {
    if (log) fs.appendFileSync(log, `${process.pid} import(${specifier}) → ${r.url}\n`);
    const err = new Error(`native code is not allowed here: import(${specifier})`);
    err.code = 'ERR_NATIVE_BLOCKED';
    throw err;
  }
  return r;
}
