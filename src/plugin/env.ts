// The CNI_* environment (spec §2), validated per command.
import { CniError, ErrCode } from './errors.ts';
import { isValidIfName } from './config.ts';

export const COMMANDS = ['ADD', 'DEL', 'CHECK', 'VERSION', 'STATUS', 'GC'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CniArgs {
  command: Command;
  containerId: string;
  /** Path of the pod's network namespace; may be empty on DEL. */
  netns: string;
  ifname: string;
  args: string;
  path: string;
}

const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const needsContainer = (c: Command) => c === 'ADD' || c === 'DEL' || c === 'CHECK';

export function parseEnv(env: NodeJS.ProcessEnv): CniArgs {
  // @lab 02 begin: read and validate the CNI_* variables
  const command = env.CNI_COMMAND ?? '';
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new CniError(ErrCode.InvalidEnv, `invalid CNI_COMMAND ${JSON.stringify(command)}: expected one of ${COMMANDS.join(', ')}`);
  }
  const cmd = command as Command;
  const args: CniArgs = {
    command: cmd,
    containerId: env.CNI_CONTAINERID ?? '',
    netns: env.CNI_NETNS ?? '',
    ifname: env.CNI_IFNAME ?? '',
    args: env.CNI_ARGS ?? '',
    path: env.CNI_PATH ?? '',
  };
  if (!needsContainer(cmd)) return args;

  if (args.containerId === '') throw new CniError(ErrCode.InvalidEnv, 'required env variable CNI_CONTAINERID is missing');
  if (!CONTAINER_ID.test(args.containerId)) {
    throw new CniError(
      ErrCode.InvalidEnv,
      `invalid CNI_CONTAINERID ${JSON.stringify(args.containerId)}: must start with a letter or digit and contain only letters, digits, "_", "." and "-"`,
    );
  }
  if (args.ifname === '') throw new CniError(ErrCode.InvalidEnv, 'required env variable CNI_IFNAME is missing');
  if (!isValidIfName(args.ifname)) {
    throw new CniError(ErrCode.InvalidEnv, `invalid CNI_IFNAME ${JSON.stringify(args.ifname)}: 1-15 characters, no "/", ":" or spaces`);
  }
  if (cmd !== 'DEL' && args.netns === '') throw new CniError(ErrCode.InvalidEnv, `required env variable CNI_NETNS is missing (needed for ${cmd})`);
  return args;
  // @lab 02 starter
  // return {
  //   command: env.CNI_COMMAND as Command,
  //   containerId: env.CNI_CONTAINERID ?? '',
  //   netns: env.CNI_NETNS ?? '',
  //   ifname: env.CNI_IFNAME ?? '',
  //   args: env.CNI_ARGS ?? '',
  //   path: env.CNI_PATH ?? '',
  // };
  // @lab 02 end
}
