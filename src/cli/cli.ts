// The command table: flags, help and examples only. Each action lazily imports its command module.
import { Command, Help, Option } from 'commander';
import stringWidth from 'string-width';
import { BACKENDS } from '../cluster/driver.ts';
import type { GlobalOptions } from './context.ts';
import { cliLang, cliT as h, langFlagOf, LangError, setCliLang } from './lang.ts';
import { t, type MsgId } from '../i18n/index.ts';
import { commanderErrorText } from './commanderErrors.ts';

/** Options only some commands have, accepted anywhere on the line when the command has them. */
const SHARED_FLAGS = ['json', 'yes'] as const;

/**
 * The options a command runs with: its own, then its parents' (`cnilab cluster --json up`); the one
 * nearest the command wins. (commander's optsWithGlobals lets the program's default win instead.)
 */
export function globals(c: Command): GlobalOptions & Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let cur: Command | null = c; cur; cur = cur.parent) {
    for (const [k, v] of Object.entries(cur.opts())) if (v !== undefined && !(k in out)) out[k] = v;
  }
  return out;
}

/** Registers the line options on every command below the program (hidden on the command groups). */
function addLineOptions(c: Command, isGroup: boolean) {
  const opts = [
    new Option('--cluster <name>', h('help.opt.clusterLine')),
    new Option('--topology <file>', h('help.opt.topology')),
    new Option('--lang <lang>', h('help.opt.lang')),
  ];
  for (const o of opts) c.addOption(isGroup ? o.hideHelp() : o);
  if (isGroup) {
    c.addOption(new Option('--json').hideHelp());
    c.addOption(new Option('-y, --yes').hideHelp());
  }
  for (const sub of c.commands) addLineOptions(sub, sub.commands.length > 0);
}

/** A shared flag given before a command that lacks it is an error, as it would be after it. */
function checkSharedFlags(action: Command) {
  for (const flag of SHARED_FLAGS) {
    if (!globals(action)[flag] || action.options.some((o) => o.attributeName() === flag)) continue;
    const name = [];
    for (let cur: Command | null = action; cur?.parent; cur = cur.parent) name.unshift(cur.name());
    action.error(`error: ${h('cli.noSuchOption', { command: `cnilab ${name.join(' ')}`, flag: `--${flag}` })}`);
  }
}

/**
 * The language of the help texts, which exist before the line is parsed: --lang as written on the
 * line (up to a `--`, after which exec's command begins), else LC_ALL / LANG. A --lang we do not
 * have is reported by the preAction hook, as before.
 */
function langOfLine(argv: string[]): void {
  try {
    setCliLang(langFlagOf(argv));
  } catch {
    setCliLang(undefined);
  }
}

/** A wrappable piece of a help line: a CJK character or mark, or a run of other non-space text, with the space before it. */
const CHUNK = /\s*(?:[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+)/g;
const NO_LINE_START = /^[，。：；！？）、”’》」]/;
const NO_LINE_END = /[（“‘《「]$/;

const HELP_TITLES: Record<string, MsgId> = {
  'Usage:': 'help.title.usage',
  'Options:': 'help.title.options',
  'Arguments:': 'help.title.arguments',
  'Commands:': 'help.title.commands',
  'Global Options:': 'help.title.globalOptions',
};

/** Commander's own words in the help (titles, "(default: …)", the help option) in the CLI's language; English keeps commander's. */
function localizeHelp(program: Command): void {
  if (cliLang() === 'en') return;
  // commander's own errors (unknown option, missing argument…) in the language; English stays commander's text.
  program.configureOutput({ outputError: (text, write) => write(`${t(cliLang(), commanderErrorText(text))}\n`) });
  program.configureHelp({
    styleTitle: (title: string) => (HELP_TITLES[title] ? h(HELP_TITLES[title]) : title),
    // Chinese takes two terminal cells a character and has no spaces to wrap at: measure in cells, wrap between characters.
    displayWidth: (str: string) => stringWidth(str),
    boxWrap(this: Help, str: string, width: number): string {
      if (width < this.minWidthToWrap) return str;
      return str
        .split(/\r\n|\n/)
        .map((line) => {
          const chunks = line.match(CHUNK) ?? [];
          const out: string[] = [];
          let cur = '';
          for (const c of chunks) {
            // A closing mark never starts a line (，。）…), an opening one never ends it (（“…).
            if (cur && stringWidth(cur + c) > width && !NO_LINE_START.test(c) && !NO_LINE_END.test(cur)) {
              out.push(cur);
              cur = c.trimStart();
            } else cur += c;
          }
          out.push(cur);
          return out.join('\n');
        })
        .join('\n');
    },
    optionDescription(this: Help, option: Option): string {
      const full = Help.prototype.optionDescription.call(this, option);
      const extra = full.slice(option.description.length);
      if (!extra.startsWith(' (') || !extra.endsWith(')')) return full;
      return `${option.description}（${extra.slice(2, -1).replace('choices: ', h('help.choicesLabel')).replace('default: ', h('help.defaultLabel'))}）`;
    },
  });
  program.helpOption('-h, --help', h('help.help'));
  program.helpCommand('help [command]', h('help.help'));
}

export function buildProgram(argv: string[] = process.argv.slice(2)): Command {
  langOfLine(argv);
  const program = new Command('cnilab');
  // Before the commands are added: they inherit the help's configuration.
  localizeHelp(program);
  program
    .description(h('help.program'))
    .option('--cluster <name>', h('help.opt.cluster'), process.env.SIMPLECNI_CLUSTER ?? 'lab')
    .option('--topology <file>', h('help.opt.topology'))
    .option('--lang <lang>', h('help.opt.lang'))
    .addOption(new Option('--json', h('help.opt.jsonAnywhere')).hideHelp())
    .addOption(new Option('-y, --yes', h('help.opt.yesAnywhere')).hideHelp())
    // exec passes everything after its target through to the node: that needs positional options.
    .enablePositionalOptions()
    .showHelpAfterError(h('help.afterError'))
    .addHelpText('after', `\n${h('help.startHere')}`);

  // Progress and other per-cluster files follow --cluster.
  program.hook('preAction', (_program, action) => {
    checkSharedFlags(action);
    try {
      setCliLang(globals(action).lang as string | undefined);
    } catch (err) {
      if (err instanceof LangError) action.error(`error: ${err.message}`);
      throw err;
    }
    process.env.SIMPLECNI_CLUSTER = globals(action).cluster as string;
  });

  const cluster = program.command('cluster').description(h('help.cluster'));
  cluster
    .command('up')
    .description(h('help.cluster.up'))
    .addOption(
      new Option(
        '--backend <backend>',
        h('help.opt.backend'),
      ).choices([...BACKENDS]),
    )
    .option('--inventory <file>', h('help.opt.inventory'))
    .option('--mode <mode>', h('help.opt.mode'))
    .option('--json', h('help.opt.json'))
    .action(async (o, c: Command) => (await import('./commands/cluster.ts')).up({ ...globals(c), ...o }));
  cluster
    .command('mode <mode>')
    .description(h('help.cluster.mode'))
    .option('--dry-run', h('help.opt.modeDryRun'))
    .option('--json', h('help.opt.json'))
    .action(async (m, o, c: Command) => (await import('./commands/cluster.ts')).mode(m, { ...globals(c), ...o }));
  cluster
    .command('down')
    .description(h('help.cluster.down'))
    .addOption(new Option('--backend <backend>', h('help.opt.downBackend')).choices([...BACKENDS]))
    .option('--json', h('help.opt.json'))
    .action(async (o, c: Command) => (await import('./commands/cluster.ts')).down({ ...globals(c), ...o }));
  cluster
    .command('status')
    .description(h('help.cluster.status'))
    .option('--json', h('help.opt.json'))
    .action(async (o, c: Command) => (await import('./commands/cluster.ts')).status({ ...globals(c), ...o }));

  const pod = program.command('pod').description(h('help.pod'));
  pod
    .command('add <node> <pod>')
    .description(h('help.pod.add'))
    .option('--label <key=value>', h('help.opt.label'), (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', h('help.opt.json'))
    .action(async (node, name, o, c: Command) => (await import('./commands/pod.ts')).add(node, name, { ...globals(c), ...o }));
  pod
    .command('del <node> <pod>')
    .description(h('help.pod.del'))
    .option('--json', h('help.opt.json'))
    .action(async (node, name, o, c: Command) => (await import('./commands/pod.ts')).del(node, name, { ...globals(c), ...o }));
  pod
    .command('check <node> <pod>')
    .description(h('help.pod.check'))
    .option('--json', h('help.opt.json'))
    .action(async (node, name, o, c: Command) => (await import('./commands/pod.ts')).check(node, name, { ...globals(c), ...o }));
  pod
    .command('list [node]')
    .description(h('help.pod.list'))
    .option('--json', h('help.opt.json'))
    .action(async (node, o, c: Command) => (await import('./commands/pod.ts')).list(node, { ...globals(c), ...o }));

  const policy = program.command('policy').description(h('help.policy'));
  policy
    .command('apply <file>')
    .description(h('help.policy.apply'))
    .option('--dry-run', h('help.opt.policyDryRun'))
    .option('--json', h('help.opt.json'))
    .action(async (file, o, c: Command) => (await import('./commands/policy.ts')).apply(file, { ...globals(c), ...o }));
  policy
    .command('list')
    .description(h('help.policy.list'))
    .option('--json', h('help.opt.json'))
    .action(async (o, c: Command) => (await import('./commands/policy.ts')).list({ ...globals(c), ...o }));
  policy
    .command('delete <name>')
    .description(h('help.policy.delete'))
    .option('--dry-run', h('help.opt.policyDryRun'))
    .option('--json', h('help.opt.json'))
    .action(async (name, o, c: Command) => (await import('./commands/policy.ts')).del(name, { ...globals(c), ...o }));

  program
    .command('cni <command>')
    .description(h('help.cni'))
    .requiredOption('--node <node>', h('help.opt.cniNode'))
    .option('--pod <pod>', h('help.opt.cniPod'))
    .option('--type <plugin>', h('help.opt.cniType'))
    .option('--netns <path>', 'CNI_NETNS')
    .option('--container-id <id>', 'CNI_CONTAINERID')
    .option('--ifname <name>', 'CNI_IFNAME', 'eth0')
    .option('--cni-args <args>', h('help.opt.cniArgs'))
    .option('--config <file>', h('help.opt.cniConfig'))
    .option('--env <KEY=VALUE...>', h('help.opt.cniEnv'))
    .option('--show', h('help.opt.cniShow'))
    .addHelpText('after', `\n${h('help.cni.after')}`)
    .action(async (command, o, c: Command) => (await import('./commands/cni.ts')).run(command, { ...globals(c), ...o }));

  const labCmd = globals;
  program
    .command('labs')
    .description(h('help.labs'))
    .option('--json', h('help.opt.json'))
    .action(async (_o, c: Command) => (await import('./commands/lab.ts')).labs(labCmd(c)));
  program
    .command('start <lab>')
    .description(h('help.start'))
    .option('--dir <dir>', h('help.opt.dir'))
    .option('-y, --yes', h('help.opt.startYes'))
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).start(lab, labCmd(c)));
  program
    .command('deploy')
    .description(h('help.deploy'))
    .option('--dir <dir>', h('help.opt.dir'))
    .action(async (_o, c: Command) => (await import('./commands/lab.ts')).deploy(labCmd(c)));
  program
    .command('check [lab]')
    .description(h('help.check'))
    .option('--all', h('help.opt.all'))
    .option('--json', h('help.opt.json'))
    .option('--jsonl', h('help.opt.jsonl'))
    .option('--junit <file>', h('help.opt.junit'))
    .option('--watch', h('help.opt.watch'))
    .option('--dir <dir>', h('help.opt.watchDir'))
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).check(lab, labCmd(c)));
  program
    .command('hint <lab>')
    .description(h('help.hint'))
    .option('--json', h('help.opt.json'))
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).hint(lab, labCmd(c)));
  program
    .command('reset <lab>')
    .description(h('help.reset'))
    .option('--dir <dir>', h('help.opt.dir'))
    .option('-y, --yes', h('help.opt.yes'))
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).reset(lab, labCmd(c)));
  program
    .command('solution <lab>')
    .description(h('help.solution'))
    .option('--force', h('help.opt.force'))
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).solution(lab, labCmd(c)));
  program
    .command('solve <lab>')
    .description(h('help.solve'))
    .option('-y, --yes', h('help.opt.yes'))
    .option('--json', h('help.opt.json'))
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).solve(lab, labCmd(c)));

  program
    .command('grade')
    .description(h('help.grade'))
    .requiredOption('--class <file>', h('help.opt.class'))
    .option('--labs <ids>', h('help.opt.labs'))
    .option('--jobs <n>', h('help.opt.jobs'), '8')
    .option('--out <dir>', h('help.opt.out'))
    .option('--only-errors <grades.json>', h('help.opt.onlyErrors'))
    .addHelpText('after', `\n${h('help.grade.after')}`)
    .action(async (_o, c: Command) => (await import('./commands/grade.ts')).grade(globals(c) as never));

  program
    .command('serve')
    .description(h('help.serve'))
    .option('--port <port>', h('help.opt.port'), '5177')
    .option('--host <host>', h('help.opt.host'))
    .addOption(new Option('--backend <backend>', h('help.opt.serveBackend')).choices([...BACKENDS]))
    .option('--inventory <file>', h('help.opt.serveInventory'))
    .action(async (_o, c: Command) => (await import('./commands/serve.ts')).serve(globals(c)));

  program
    .command('trace <from> <to>')
    .description(h('help.trace'))
    .option('--size <bytes>', h('help.opt.size'), '56')
    .option('--json', h('help.opt.json'))
    .addHelpText('after', `\n${h('help.trace.after')}`)
    .action(async (from, to, o, c: Command) => (await import('./commands/trace.ts')).trace(from, to, { ...globals(c), ...o }));

  program
    .command('exec <target> [command...]')
    .description(h('help.exec'))
    .passThroughOptions()
    .action(async (target, argv: string[], _o, c: Command) => {
      const { options, command } = (await import('./commands/exec.ts')).splitLineOptions(argv);
      return (await import('./commands/exec.ts')).exec(target, command, { ...globals(c), ...options });
    });
  program
    .command('shell <node>')
    .description(h('help.shell'))
    .option('--env-json', h('help.opt.envJson'))
    .action(async (node, o, c: Command) => (await import('./commands/exec.ts')).shell(node, { ...globals(c), ...o }));

  for (const c of program.commands) addLineOptions(c, c.commands.length > 0);
  return program;
}
