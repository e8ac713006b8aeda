// Linux's words (strerror) for the errno codes a TCP connect can end with, by the names Node.js and
// the checks use. One table for both directions: the simulated `nc` prints these words, and the
// probe client on a real node (bash's /dev/tcp) is read back to the code through them.
export const ERRNO_TEXT = {
  ECONNREFUSED: 'Connection refused',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ETIMEDOUT: 'Connection timed out',
  ECONNRESET: 'Connection reset by peer',
} as const;

/** The errno code Linux's words name, when they are in the table. */
export function errnoOf(text: string): string | undefined {
  return Object.entries(ERRNO_TEXT).find(([, words]) => words === text)?.[0];
}
