// Small programs of a node that the shell language does not have and the kit's checks use.
import type { MachineProgram } from './machine.ts';

/** mktemp [-d] [TEMPLATE]: a new file or directory named from TEMPLATE's trailing X's (default /tmp/tmp.XXXXXXXXXX). */
export const mktemp: MachineProgram = async ({ argv, fs }) => {
  const args = argv.slice(1);
  const dir = args.includes('-d');
  const template = args.find((a) => !a.startsWith('-')) ?? '/tmp/tmp.XXXXXXXXXX';
  const xs = /X{3,}$/.exec(template)?.[0];
  if (!xs) return { code: 1, stdout: '', stderr: `mktemp: too few X's in template '${template}'\n` };
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let attempt = 0; attempt < 100; attempt++) {
    let suffix = '';
    for (let i = 0; i < xs.length; i++) suffix += chars[Math.floor(Math.random() * chars.length)];
    const path = template.slice(0, -xs.length) + suffix;
    if (await fs.exists(path)) continue;
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    if (!(await fs.exists(parent))) return { code: 1, stdout: '', stderr: `mktemp: failed to create ${dir ? 'directory' : 'file'} via template '${template}': No such file or directory\n` };
    if (dir) await fs.mkdir(path);
    else await fs.writeFile(path, '');
    return { code: 0, stdout: `${path}\n`, stderr: '' };
  }
  return { code: 1, stdout: '', stderr: `mktemp: failed to create a unique name from '${template}'\n` };
};
