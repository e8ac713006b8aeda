// The little path handling the host's own file systems need (absolute POSIX paths only).

/** `/a/./b//c/../d` → ['a', 'b', 'd']; a relative path is taken from `cwd`. */
export function segments(path: string, cwd = '/'): string[] {
  const full = path.startsWith('/') ? path : `${cwd}/${path}`;
  const out: string[] = [];
  for (const s of full.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

export const normalizeAbsolute = (path: string, cwd = '/') => `/${segments(path, cwd).join('/')}`;
