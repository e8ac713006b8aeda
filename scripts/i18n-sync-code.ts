// npm run i18n:sync-code — copies each English lab.mdx's code blocks, in order, into its Chinese page
// (commands and terminal output are never translated, so they can follow the English mechanically).
// Only when both pages have the same number of blocks; the page's sha256 is left as it was, so
// `npm run i18n:status` still lists it until someone has read the English diff for the prose.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeBlocksOf, ZH_PAGE } from '../src/i18n/labPages.ts';

const labsDir = path.resolve(import.meta.dirname, '..', 'labs');
for (const dir of fs.readdirSync(labsDir).sort()) {
  const zhFile = path.join(labsDir, dir, ZH_PAGE);
  if (!fs.existsSync(zhFile)) continue;
  const en = codeBlocksOf(fs.readFileSync(path.join(labsDir, dir, 'lab.mdx'), 'utf8'));
  let zh = fs.readFileSync(zhFile, 'utf8');
  const old = codeBlocksOf(zh);
  if (old.length !== en.length) {
    console.log(`${dir}: ${en.length} code blocks in English, ${old.length} in Chinese: add or remove them by hand`);
    process.exitCode = 1;
    continue;
  }
  let changed = 0;
  let at = 0;
  old.forEach((block, i) => {
    const pos = zh.indexOf(block, at);
    if (block !== en[i]) {
      zh = zh.slice(0, pos) + en[i] + zh.slice(pos + block.length);
      changed++;
    }
    at = pos + en[i]!.length;
  });
  if (changed) fs.writeFileSync(zhFile, zh);
  console.log(`${dir}: ${changed ? `${changed} code block(s) updated` : 'code blocks already the same'}`);
}
