// nsenter(1) on the simulated kernel: only the network namespace matters (`--net=PATH`); the
// program then runs with that namespace selected. `--mount`, `--wd` are accepted and ignored.
import { fail, resolveNetns, type Command } from './command.ts';

export const nsenter: Command = (ctx, args) => {
  let net: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-')) break;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--net' || flag === '-n') net = value();
    else if (['--mount', '-m', '--wd', '-w', '--propagation'].includes(flag)) {
      if (flag === '--propagation' || flag === '--wd') value();
    } else if (flag === '-t' || flag === '--target') return fail(`nsenter: --target is not supported by the simulated kernel; use --net=PATH`);
    else return fail(`nsenter: unrecognized option '${a}'\nTry 'nsenter --help' for more information.`);
  }
  if (net === undefined) return fail('nsenter: no namespace specified (the simulated kernel needs --net=PATH)');
  const target = resolveNetns(ctx.world, net, ctx.node);
  if (!target) return fail(`nsenter: cannot open ${net}: No such file or directory`);
  return { code: 0, stdout: '', stderr: '', spawn: { argv: args.slice(i), ns: target.id } };
};
