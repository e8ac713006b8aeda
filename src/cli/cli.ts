// The command table: flags, help and examples only. Each action lazily imports its command module.
import { Command, Option } from 'commander';
import { BACKENDS } from '../cluster/driver.ts';
import type { GlobalOptions } from './context.ts';
import { LangError, setCliLang } from './lang.ts';

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
    new Option('--cluster <name>', 'which cluster (before or after the command)'),
    new Option('--topology <file>', 'cluster topology file (default: vm/topology.json)'),
    new Option('--lang <lang>', 'language of the messages: en or zh-CN (default: from LC_ALL / LANG)'),
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
    action.error(`error: cnilab ${name.join(' ')} has no option --${flag}`);
  }
}

export function buildProgram(): Command {
  const program = new Command('cnilab')
    .description('SimpleCNI Lab: build a real CNI plugin and watch it wire pods on real nodes.')
    .option('--cluster <name>', 'which cluster (several can exist side by side)', process.env.SIMPLECNI_CLUSTER ?? 'lab')
    .option('--topology <file>', 'cluster topology file (default: vm/topology.json)')
    .option('--lang <lang>', 'language of the messages: en or zh-CN (default: from LC_ALL / LANG)')
    .addOption(new Option('--json', 'machine-readable output (commands that have it; also after the command)').hideHelp())
    .addOption(new Option('-y, --yes', 'do not ask (commands that have it; also after the command)').hideHelp())
    // exec passes everything after its target through to the node: that needs positional options.
    .enablePositionalOptions()
    .showHelpAfterError('(run cnilab --help for the commands)')
    .addHelpText(
      'after',
      `
Start here:
  cnilab cluster up            build node1, node2, node3 and the router (network namespaces;
                               the simulated kernel where that needs root: --backend sim)
  cnilab pod add node1 web     create a pod on node1: its netns, then CNI ADD
  cnilab exec node1/web -- ip addr
  cnilab shell node1           a shell on node1
  cnilab cluster down          remove everything the cluster made

Real machines:
  cnilab cluster up --backend vagrant                 the Vagrantfile's VMs (vagrant up, then ssh)
  cnilab --cluster alice cluster up --backend ssh --inventory alice.yaml
  cnilab --cluster alice check --all --junit alice.xml   grade a student's machines`,
    );

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

  const cluster = program.command('cluster').description('build, inspect and remove the lab cluster');
  cluster
    .command('up')
    .description('build the cluster (idempotent: an up cluster only gets its node configs refreshed)')
    .addOption(
      new Option(
        '--backend <backend>',
        'what a node is: netns (Linux network namespaces, root), sim (the simulated kernel, anywhere), vagrant (the Vagrantfile\'s VMs) or ssh (machines from --inventory); default netns where it can run',
      ).choices([...BACKENDS]),
    )
    .option('--inventory <file>', 'ssh backend: YAML/JSON naming the machine of each node and how to ssh to it')
    .option('--mode <mode>', 'cross-node data plane: host-gw, ipip, ipip-crosssubnet or vxlan')
    .option('--json', 'machine-readable output')
    .action(async (o, c: Command) => (await import('./commands/cluster.ts')).up({ ...globals(c), ...o }));
  cluster
    .command('mode <mode>')
    .description('switch the cross-node data plane on every node: host-gw, ipip, ipip-crosssubnet or vxlan')
    .option('--dry-run', 'print each node\'s exact commands without running them')
    .option('--json', 'machine-readable output')
    .action(async (m, o, c: Command) => (await import('./commands/cluster.ts')).mode(m, { ...globals(c), ...o }));
  cluster
    .command('down')
    .description('remove everything the cluster made, and nothing else')
    .addOption(new Option('--backend <backend>', 'which cluster of this name, when the name was left on two backends').choices([...BACKENDS]))
    .option('--json', 'machine-readable output')
    .action(async (o, c: Command) => (await import('./commands/cluster.ts')).down({ ...globals(c), ...o }));
  cluster
    .command('status')
    .description('nodes, underlay addresses, pods, and an underlay ping from every worker')
    .option('--json', 'machine-readable output')
    .action(async (o, c: Command) => (await import('./commands/cluster.ts')).status({ ...globals(c), ...o }));

  const pod = program.command('pod').description('pods: a network namespace on a node, wired by the node\'s CNI config');
  pod
    .command('add <node> <pod>')
    .description('create the pod\'s netns and run CNI ADD through the node\'s config (as containerd would)')
    .option('--label <key=value>', 'a label of the pod (repeat for more); NetworkPolicies select pods by labels', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'machine-readable output')
    .action(async (node, name, o, c: Command) => (await import('./commands/pod.ts')).add(node, name, { ...globals(c), ...o }));
  pod
    .command('del <node> <pod>')
    .description('CNI DEL with the cached ADD result, then remove the netns (idempotent)')
    .option('--json', 'machine-readable output')
    .action(async (node, name, o, c: Command) => (await import('./commands/pod.ts')).del(node, name, { ...globals(c), ...o }));
  pod
    .command('check <node> <pod>')
    .description('CNI CHECK: does the pod still look the way ADD left it?')
    .option('--json', 'machine-readable output')
    .action(async (node, name, o, c: Command) => (await import('./commands/pod.ts')).check(node, name, { ...globals(c), ...o }));
  pod
    .command('list [node]')
    .description('pods with their node, address and netns path')
    .option('--json', 'machine-readable output')
    .action(async (node, o, c: Command) => (await import('./commands/pod.ts')).list(node, { ...globals(c), ...o }));

  const policy = program.command('policy').description('Kubernetes NetworkPolicy (ingress): rendered into nftables on every node by simplecni-node');
  policy
    .command('apply <file>')
    .description('add or replace the NetworkPolicies of a YAML file, then render them on every node')
    .option('--dry-run', 'print each node\'s ruleset; change nothing')
    .option('--json', 'machine-readable output')
    .action(async (file, o, c: Command) => (await import('./commands/policy.ts')).apply(file, { ...globals(c), ...o }));
  policy
    .command('list')
    .description('the NetworkPolicies in force')
    .option('--json', 'machine-readable output')
    .action(async (o, c: Command) => (await import('./commands/policy.ts')).list({ ...globals(c), ...o }));
  policy
    .command('delete <name>')
    .description('remove a NetworkPolicy and render the rest')
    .option('--dry-run', 'print each node\'s ruleset; change nothing')
    .option('--json', 'machine-readable output')
    .action(async (name, o, c: Command) => (await import('./commands/policy.ts')).del(name, { ...globals(c), ...o }));

  program
    .command('cni <command>')
    .description('run the node\'s plugin once with explicit CNI_* env (ADD, DEL, CHECK, VERSION, STATUS, GC)')
    .requiredOption('--node <node>', 'the node to run it on')
    .option('--pod <pod>', 'use this pod\'s netns and name as CNI_NETNS and CNI_CONTAINERID')
    .option('--type <plugin>', 'which plugin to run (default: the config\'s "type", e.g. simplecni-ipam)')
    .option('--netns <path>', 'CNI_NETNS')
    .option('--container-id <id>', 'CNI_CONTAINERID')
    .option('--ifname <name>', 'CNI_IFNAME', 'eth0')
    .option('--cni-args <args>', 'CNI_ARGS, e.g. "FOO=bar;X=1"')
    .option('--config <file>', 'network config to send on stdin ("-" for stdin; default: the node\'s own, with name and cniVersion injected)')
    .option('--env <KEY=VALUE...>', 'extra environment (e.g. SIMPLECNI_DEBUG=1)')
    .option('--show', 'print the invocation (env and stdin) before running it')
    .addHelpText('after', '\nExample:\n  cnilab cni VERSION --node node1\n  cnilab cni ADD --node node1 --pod web --env SIMPLECNI_DEBUG=1 --show')
    .action(async (command, o, c: Command) => (await import('./commands/cni.ts')).run(command, { ...globals(c), ...o }));

  const labCmd = globals;
  program
    .command('labs')
    .description('the labs, with your progress')
    .option('--json', 'machine-readable output')
    .action(async (_o, c: Command) => (await import('./commands/lab.ts')).labs(labCmd(c)));
  program
    .command('start <lab>')
    .description('put the starter code of a lab in your workspace (the labs before it come solved)')
    .option('--dir <dir>', 'workspace directory (default: ./workspace)')
    .option('-y, --yes', 'replace an existing workspace without asking')
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).start(lab, labCmd(c)));
  program
    .command('deploy')
    .description('build your workspace and install your plugin on every node')
    .option('--dir <dir>', 'workspace directory (default: ./workspace)')
    .action(async (_o, c: Command) => (await import('./commands/lab.ts')).deploy(labCmd(c)));
  program
    .command('check [lab]')
    .description('run a lab\'s checks against the nodes\' real state: exit 0 iff all pass')
    .option('--all', 'every lab')
    .option('--json', 'machine-readable output')
    .option('--jsonl', 'machine-readable, streamed: one JSON line per check as it finishes, then {"type":"done",…}')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--watch', 'deploy and check again on every save in your workspace')
    .option('--dir <dir>', 'workspace directory for --watch (default: ./workspace)')
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).check(lab, labCmd(c)));
  program
    .command('hint <lab>')
    .description('the next hint for a lab (they get more specific)')
    .option('--json', 'machine-readable output')
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).hint(lab, labCmd(c)));
  program
    .command('reset <lab>')
    .description('restore a lab\'s starter code and its starting state on the nodes')
    .option('--dir <dir>', 'workspace directory (default: ./workspace)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).reset(lab, labCmd(c)));
  program
    .command('solution <lab>')
    .description('the reference code of a lab, once it passed')
    .option('--force', 'show it before the lab passed')
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).solution(lab, labCmd(c)));
  program
    .command('solve <lab>')
    .description('bring the nodes to a lab\'s solved state with the reference solution')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'machine-readable output')
    .action(async (lab, _o, c: Command) => (await import('./commands/lab.ts')).solve(lab, labCmd(c)));

  program
    .command('grade')
    .description('grade a class: every lab\'s checks on every student\'s cluster, and the report (CSV, JSON, JUnit, HTML, feedback)')
    .requiredOption('--class <file>', 'the class file (YAML or JSON): labs, points, timeout, students')
    .option('--labs <ids>', 'only these labs of the class, e.g. 00,04')
    .option('--jobs <n>', 'students graded at once', '8')
    .option('--out <dir>', 'where the report goes (default: grades/<date-time>/)')
    .option('--only-errors <grades.json>', 'grade again only the students unreachable or in error in that run, and merge them into a new report')
    .addHelpText('after', '\nExit code: 0 all passed; otherwise bits: 2 some checks failed, 4 some students unreachable or in error (1: the class file or a flag is wrong).\nExample:\n  cnilab grade --class class.yaml --out grades/friday')
    .action(async (_o, c: Command) => (await import('./commands/grade.ts')).grade(globals(c) as never));

  program
    .command('serve')
    .description('the lab site: a terminal on every node, checks, the live topology (npm start runs this)')
    .option('--port <port>', 'port to listen on', '5177')
    .option('--host <host>', 'address to listen on (default 127.0.0.1; anything else is reachable from the network)')
    .addOption(new Option('--backend <backend>', 'what a node is (default: the running cluster\'s, else netns where it can run, else sim)').choices([...BACKENDS]))
    .option('--inventory <file>', 'ssh backend: the machines (see cluster up)')
    .action(async (_o, c: Command) => (await import('./commands/serve.ts')).serve(globals(c)));

  program
    .command('trace <from> <to>')
    .description('follow one ping hop by hop (simulated kernel): each route, neighbour, fdb entry, tunnel and the reply')
    .option('--size <bytes>', 'ICMP payload size (as ping -s), with DF set', '56')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nFrom a pod ("node1/web") or a node ("node1"), to a pod ("node2/web"), a node or an address:\n  cnilab trace node1/web node3/web\n  cnilab trace node1/web 192.168.57.13')
    .action(async (from, to, o, c: Command) => (await import('./commands/trace.ts')).trace(from, to, { ...globals(c), ...o }));

  program
    .command('exec <target> [command...]')
    .description('run a command on a node ("node1") or inside a pod ("node1/web"): cnilab exec node1 -- ip route')
    .passThroughOptions()
    .action(async (target, argv: string[], _o, c: Command) => {
      const { options, command } = (await import('./commands/exec.ts')).splitLineOptions(argv);
      return (await import('./commands/exec.ts')).exec(target, command, { ...globals(c), ...options });
    });
  program
    .command('shell <node>')
    .description('an interactive shell on a node')
    .option('--env-json', 'print the environment the node\'s shell gets, as JSON, instead of opening it (sim backend: for a terminal that starts its own shell)')
    .action(async (node, o, c: Command) => (await import('./commands/exec.ts')).shell(node, { ...globals(c), ...o }));

  for (const c of program.commands) addLineOptions(c, c.commands.length > 0);
  return program;
}
