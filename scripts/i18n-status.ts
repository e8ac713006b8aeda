// npm run i18n:status — which lab pages have a Chinese translation, and which of those translate an
// older English text (the English lab.mdx changed since). Exit 1 when a page is stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pageStatus, ZH_PAGE } from '../src/i18n/labPages.ts';

const labsDir = path.resolve(import.meta.dirname, '..', 'labs');
const dirs = fs.readdirSync(labsDir).filter((d) => fs.existsSync(path.join(labsDir, d, 'lab.mdx'))).sort();
const all = dirs.map((d) => pageStatus(labsDir, d));
const label = { current: 'up to date', stale: 'STALE: the English lab.mdx changed since this translation', none: 'no translation yet' };
for (const s of all) console.log(`${s.dir.padEnd(20)} ${label[s.state]}`);
const stale = all.filter((s) => s.state === 'stale');
console.log(`\n${all.filter((s) => s.state === 'current').length} up to date, ${stale.length} stale, ${all.filter((s) => s.state === 'none').length} without ${ZH_PAGE}`);
if (stale.length) {
  console.log('Update each stale page from `git diff <its commit>..HEAD -- labs/<dir>/lab.mdx`, then set its sha256 to `sha256sum labs/<dir>/lab.mdx`.');
  process.exitCode = 1;
}
