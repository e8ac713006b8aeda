// A pod's name: also a file name (its netns) and part of interface names, so kept short and plain.
const POD_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

export function validatePodName(pod: string): string {
  if (!POD_NAME.test(pod)) {
    throw new Error(`invalid pod name ${JSON.stringify(pod)}: 1-40 lowercase letters, digits and "-", not starting or ending with "-"`);
  }
  return pod;
}
