// A pod's name: also a file name (its netns) and part of interface names, so kept short and plain.
import { msg, TextError } from '../i18n/text.ts';
const POD_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

export function validatePodName(pod: string): string {
  if (!POD_NAME.test(pod)) {
    throw new TextError(msg('err.pod.badName', { name: JSON.stringify(pod) }));
  }
  return pod;
}
