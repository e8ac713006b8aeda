// A pod's network namespace is named by a file in its node's netns dir (that path is CNI_NETNS):
// claimed with O_EXCL so a second pod of the same name on a node is refused, listed by name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validatePodName } from './podName.ts';
import { msg, TextError } from '../i18n/text.ts';

export { validatePodName } from './podName.ts';

/** Creates the pod's (empty) file, then `pin` makes it a namespace; on failure the file goes again. */
export async function claimPodFile(dir: string, node: string, pod: string, pin: (file: string) => Promise<void>): Promise<string> {
  const file = path.join(dir, validatePodName(pod));
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.closeSync(fs.openSync(file, 'wx'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new TextError(msg('err.pod.exists', { pod, node }));
    throw err;
  }
  try {
    await pin(file);
  } catch (err) {
    fs.rmSync(file, { force: true });
    throw err;
  }
  return file;
}

/** Pods whose namespace file exists in the node's netns dir, by name. */
export function listPodFiles(dir: string): { pod: string; netns: string }[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    // no pods yet
  }
  return names.map((pod) => ({ pod, netns: path.join(dir, pod) }));
}
