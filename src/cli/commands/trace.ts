// cnilab trace <from> <to>: one ping, every hop and the decision made there.
import pc from 'picocolors';
import { TraceError, traceBetween } from '../../cluster/trace.ts';
import type { ApiTraceHop } from '../../server/api.ts';
import { openContext, requireRunningCluster, type GlobalOptions } from '../context.ts';
import { fail, info, printJson } from '../output.ts';
import { cliLang, cliT } from '../lang.ts';
import { t as inLang, type Text } from '../../i18n/index.ts';

/** A text of the trace (a message, or English where there is none) in the CLI's language. */
const say = (text: Text) => inLang(cliLang(), text);

const STEP_COLOUR: Partial<Record<ApiTraceHop['step'], (s: string) => string>> = {
  drop: pc.red,
  encap: pc.magenta,
  decap: pc.magenta,
  nat: pc.yellow,
  deliver: pc.green,
  route: pc.cyan,
};

export async function trace(from: string, to: string, opts: GlobalOptions & { json?: boolean; size?: string }): Promise<void> {
  const ctx = await openContext(opts);
  await requireRunningCluster(ctx);
  const size = opts.size === undefined ? undefined : Number(opts.size);
  if (size !== undefined && (!Number.isInteger(size) || size < 0 || size > 65507)) fail(cliT('cli.trace.badSize', { size: opts.size ?? '' }));
  let t;
  try {
    t = await traceBetween(ctx, from, to, size === undefined || size === 56 ? {} : { size });
  } catch (err) {
    if (err instanceof TraceError) fail(say(err.text));
    throw err;
  }
  if (opts.json) return printJson(t);
  info(pc.bold(`ping ${from} → ${to} (${t.dst})`));
  // The verdict first (a failed one names the hop where the packet died), the hops numbered below it.
  const summary = say(t.msg ?? t.summary);
  info(`${t.ok ? pc.green('✓') : pc.red('✗')} ${summary}`);
  let direction = '';
  let where = '';
  for (const [i, h] of t.hops.entries()) {
    if (h.direction !== direction) {
      direction = h.direction;
      where = '';
      info(`\n${pc.bold(cliT(direction === 'request' ? 'cli.trace.request' : 'cli.trace.reply'))}`);
    }
    if (h.where !== where) {
      where = h.where;
      info(`  ${pc.bold(where)}`);
    }
    const colour = STEP_COLOUR[h.step] ?? ((s: string) => s);
    info(`    ${pc.dim(String(i + 1).padStart(3))} ${colour(h.step.padEnd(7))} ${say(h.msg ?? h.detail)}${h.outer ? pc.dim(`  ${cliT('cli.trace.outer', { outer: h.outer })}`) : ''}`);
  }
  info(`\n${t.ok ? pc.green('✓') : pc.red('✗')} ${summary}`);
  if (!t.ok) process.exitCode = 1;
}
