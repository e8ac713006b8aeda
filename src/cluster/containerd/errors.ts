import { TextError } from '../../i18n/text.ts';

/** containerd can't run containers here (a package missing, the daemon fails): the message says what to do. */
export class ContainersUnavailableError extends TextError {}
