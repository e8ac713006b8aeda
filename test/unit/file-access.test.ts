// The two ways the kit reads and writes a node's files give the same answers: through the
// node's shell (every backend) and with Node's fs (the sim, whose node files are this machine's).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteOrder, parseFramed, ShellFileAccess, type NodeFileAccess } from '../../src/cluster/fileAccess.ts';
import { LocalFileAccess } from '../../src/cluster/localFileAccess.ts';
import { execCommand } from '../../src/shared/exec.ts';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cnilab-files-'));
  const d = path.join(root, 'dir');
  fs.mkdirSync(path.join(d, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(d, '10-simplecni.conflist'), '{"name":"a"}\n');
  fs.writeFileSync(path.join(d, '05-other.conf'), '{"name":"b"}');
  fs.writeFileSync(path.join(d, 'Zeta'), 'upper case sorts first in byte order');
  fs.writeFileSync(path.join(d, 'with space'), 'a line\nand 中文 text, no newline at the end');
  fs.writeFileSync(path.join(d, 'empty'), '');
  fs.writeFileSync(path.join(d, '.hidden'), 'not listed, as ls does not list it');
  fs.symlinkSync('05-other.conf', path.join(d, 'link.conf'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const shell = new ShellFileAccess((_node, argv, opts) => execCommand(argv, opts));
const local = new LocalFileAccess();
const both: [string, NodeFileAccess][] = [
  ['shell', shell],
  ['local', local],
];

describe('node file access', () => {
  it('lists, reads one and reads all the same way on both', async () => {
    const d = path.join(root, 'dir');
    const answers = await Promise.all(
      both.map(async ([, f]) => ({
        list: await f.list('n', d),
        missingList: await f.list('n', path.join(root, 'nope')),
        read: await f.read('n', path.join(d, 'with space')),
        missingRead: await f.read('n', path.join(d, 'nope')),
        all: await f.readAll('n', d),
        missingAll: await f.readAll('n', path.join(root, 'nope')),
      })),
    );
    expect(answers[1]).toEqual(answers[0]);
    const a = answers[0]!;
    expect(a.list).toEqual(['05-other.conf', '10-simplecni.conflist', 'Zeta', 'empty', 'link.conf', 'sub', 'with space']);
    expect(a.missingList).toBeUndefined();
    expect(a.read).toBe('a line\nand 中文 text, no newline at the end');
    expect(a.missingRead).toBeUndefined();
    expect(a.missingAll).toBeUndefined();
    // Regular files only (a symlink to one counts), with their bytes exactly.
    expect(a.all!.map((f) => f.name)).toEqual(['05-other.conf', '10-simplecni.conflist', 'Zeta', 'empty', 'link.conf', 'with space']);
    expect(a.all!.find((f) => f.name === 'with space')!.text).toBe('a line\nand 中文 text, no newline at the end');
    expect(a.all!.find((f) => f.name === 'empty')!.text).toBe('');
  });

  it.each(both)('%s: writes whole files (making the dir), makes temp dirs and removes trees', async (_name, f) => {
    const file = path.join(root, `w-${_name}`, 'deep', 'file.json');
    await f.write('n', file, '{"Subnet": ');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"Subnet": ');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['file.json']); // no temporary file left beside it
    const tmp = await f.makeTempDir('n', path.join(root, 'chk-'));
    expect(path.basename(tmp)).toMatch(/^chk-.{6}$/);
    expect(fs.statSync(tmp).isDirectory()).toBe(true);
    await f.remove('n', path.join(root, `w-${_name}`));
    await f.remove('n', tmp);
    await f.remove('n', tmp); // missing is fine
    expect(fs.existsSync(tmp) || fs.existsSync(file)).toBe(false);
  });

  it('a write that cannot happen is an error naming the node and the file', async () => {
    fs.writeFileSync(path.join(root, 'plain'), 'x');
    for (const [, f] of both) await expect(f.write('node1', path.join(root, 'plain', 'under-a-file'), 'x')).rejects.toThrow(/node1: could not write .*plain\/under-a-file/);
  });

  it('frames by bytes, so any text survives, and stops at anything it did not frame', () => {
    expect(parseFramed('3 a\n中1 b c\nx')).toEqual([
      { name: 'a', text: '中' },
      { name: 'b c', text: 'x' },
    ]);
    expect(parseFramed('garbage\n')).toEqual([]);
    expect(['b', 'B', 'a.conf', '_x', 'ä'].sort(byteOrder)).toEqual(['B', '_x', 'a.conf', 'b', 'ä']);
  });
});
