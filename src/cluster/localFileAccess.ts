// Node files that sit on this machine at the paths the driver names (the simulated kernel's
// nodes): read and written with Node's own fs, no shell started for it. Same answers as
// ShellFileAccess, which the file-access unit test holds it to.
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { byteOrder, NodeFileError, type NodeFile, type NodeFileAccess } from './fileAccess.ts';
import { msg } from '../i18n/text.ts';

const missing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

export class LocalFileAccess implements NodeFileAccess {
  async list(_node: string, dir: string) {
    try {
      return (await fsp.readdir(dir)).filter((n) => !n.startsWith('.')).sort(byteOrder);
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
  }

  async read(_node: string, file: string) {
    try {
      return await fsp.readFile(file, 'utf8');
    } catch (err) {
      if (missing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw err;
    }
  }

  async readAll(node: string, dir: string) {
    const names = await this.list(node, dir);
    if (!names) return undefined;
    const files = await Promise.all(
      names.map(async (name): Promise<NodeFile | undefined> => {
        const file = path.join(dir, name);
        const st = await fsp.stat(file).catch(() => undefined);
        if (!st?.isFile()) return undefined;
        const text = await this.read(node, file);
        return text === undefined ? undefined : { name, text };
      }),
    );
    return files.filter((f): f is NodeFile => f !== undefined);
  }

  async write(node: string, file: string, text: string) {
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await fsp.writeFile(tmp, text);
      await fsp.rename(tmp, file);
    } catch (err) {
      await fsp.rm(tmp, { force: true }).catch(() => {});
      throw new NodeFileError(msg('err.nodeFile.write', { node, file, error: (err as Error).message }));
    }
  }

  async makeTempDir(node: string, prefix: string) {
    try {
      return await fsp.mkdtemp(prefix);
    } catch (err) {
      throw new NodeFileError(msg('err.nodeFile.mkdir', { node, prefix, error: (err as Error).message }));
    }
  }

  async remove(_node: string, target: string) {
    await fsp.rm(target, { recursive: true, force: true });
  }
}
