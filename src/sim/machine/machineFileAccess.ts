// The page's nodes keep their files in the shell's in-memory file system: the kit's own reads
// and writes go to it directly, without a shell line to parse. Same answers as ShellFileAccess
// (the machine's tests hold it to that), and a change is saved like any other.
import type { IFileSystem } from 'just-bash/browser';
import { byteOrder, NodeFileError, type NodeFile, type NodeFileAccess } from '../../cluster/fileAccess.ts';
import type { SimMachine } from './machine.ts';

const parent = (p: string) => p.slice(0, Math.max(p.lastIndexOf('/'), 0)) || '/';

export class MachineFileAccess implements NodeFileAccess {
  constructor(private readonly _machine: SimMachine) {}

  private _fs(node: string): IFileSystem {
    return this._machine.fs(node);
  }

  private async _isDir(fs: IFileSystem, p: string) {
    return (await fs.exists(p)) && (await fs.stat(p)).isDirectory;
  }

  async list(node: string, dir: string) {
    const fs = this._fs(node);
    if (!(await this._isDir(fs, dir))) return undefined;
    return (await fs.readdir(dir)).filter((n) => !n.startsWith('.')).sort(byteOrder);
  }

  async read(node: string, file: string) {
    const fs = this._fs(node);
    if (!(await fs.exists(file)) || !(await fs.stat(file)).isFile) return undefined;
    return fs.readFile(file);
  }

  async readAll(node: string, dir: string) {
    const names = await this.list(node, dir);
    if (!names) return undefined;
    const out: NodeFile[] = [];
    for (const name of names) {
      const text = await this.read(node, `${dir}/${name}`);
      if (text !== undefined) out.push({ name, text });
    }
    return out;
  }

  async write(node: string, file: string, text: string) {
    const fs = this._fs(node);
    try {
      await fs.mkdir(parent(file), { recursive: true });
      // One step in this thread: no reader can see half of it, so no temporary file is needed.
      await fs.writeFile(file, text);
    } catch (err) {
      throw new NodeFileError(`${node}: could not write ${file}: ${(err as Error).message}`);
    } finally {
      this._machine.changed();
    }
  }

  async makeTempDir(node: string, prefix: string) {
    const fs = this._fs(node);
    await fs.mkdir(parent(prefix), { recursive: true });
    for (let i = 0; i < 100; i++) {
      const dir = `${prefix}${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
      if (await fs.exists(dir)) continue;
      await fs.mkdir(dir);
      this._machine.changed();
      return dir;
    }
    throw new NodeFileError(`${node}: could not make a directory ${prefix}…: every name tried was taken`);
  }

  async remove(node: string, target: string) {
    await this._fs(node).rm(target, { recursive: true, force: true });
    this._machine.changed();
  }
}
