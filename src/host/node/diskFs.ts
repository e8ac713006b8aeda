// A HostFs onto this machine's disk (node:fs as it is: real links, real errors).
import * as fs from 'node:fs';
import type { HostFs } from '../types.ts';

export function diskFs(): HostFs {
  return {
    readFileSync: (p) => fs.readFileSync(p, 'utf8'),
    writeFileSync: (p, data, o) => fs.writeFileSync(p, data, { ...(o?.mode === undefined ? {} : { mode: o.mode }), flag: o?.flag ?? 'w' }),
    existsSync: (p) => fs.existsSync(p),
    mkdirSync: (p, o) => void fs.mkdirSync(p, { recursive: o?.recursive === true, ...(o?.mode === undefined ? {} : { mode: o.mode }) }),
    readdirSync: (p) => fs.readdirSync(p),
    statSync: (p) => fs.statSync(p),
    lstatSync: (p) => fs.lstatSync(p),
    linkSync: (a, b) => fs.linkSync(a, b),
    unlinkSync: (p) => fs.unlinkSync(p),
    renameSync: (a, b) => fs.renameSync(a, b),
    rmSync: (p, o) => fs.rmSync(p, { recursive: o?.recursive === true, force: o?.force === true }),
    rmdirSync: (p) => fs.rmdirSync(p),
    chmodSync: (p, m) => fs.chmodSync(p, m),
  };
}
