// File-system errors as Node makes them: `ENOENT: no such file or directory, open '/x'`, with
// .code, .errno, .syscall, .path (and .dest for link/rename). Programs test `.code`.

const ERRNO: Record<string, [number, string]> = {
  EPERM: [-1, 'operation not permitted'],
  ENOENT: [-2, 'no such file or directory'],
  EBADF: [-9, 'bad file descriptor'],
  EACCES: [-13, 'permission denied'],
  EEXIST: [-17, 'file already exists'],
  EXDEV: [-18, 'cross-device link not permitted'],
  ENOTDIR: [-20, 'not a directory'],
  EISDIR: [-21, 'illegal operation on a directory'],
  EINVAL: [-22, 'invalid argument'],
  ENOTEMPTY: [-39, 'directory not empty'],
};

export interface FsError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
  dest?: string;
}

export function fsError(code: keyof typeof ERRNO | string, syscall: string, path?: string, dest?: string): FsError {
  const [errno, text] = ERRNO[code] ?? [-1, code.toLowerCase()];
  const where = path === undefined ? '' : dest === undefined ? ` '${path}'` : ` '${path}' -> '${dest}'`;
  const e = new Error(`${code}: ${text}, ${syscall}${where}`) as FsError;
  e.errno = errno;
  e.code = code;
  e.syscall = syscall;
  if (path !== undefined) e.path = path;
  if (dest !== undefined) e.dest = dest;
  return e;
}

/** Is this a file-system error with that code? */
export const hasCode = (err: unknown, code: string) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
