// Machines reached over ssh, made of a netns cluster's nodes: in each node's namespace an sshd
// (Debian's openssh-server, `sshd -D -f <own config>`) in a private mount namespace of its own, so
// the node's /opt/cni, /etc/cni, /var/lib/cni and /run are its own, as on a VM. Nothing listens in
// the machine's own namespace: a client reaches a node with `ProxyCommand ip netns exec <router
// namespace> nc %h %p`. Every sshd is ended by its PID in `stop`, with everything in the nodes'
// namespaces (the sessions it started).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { underlayAddress, type Topology } from '../../src/cluster/topology.ts';
import { execCommand, mustExec } from '../../src/shared/exec.ts';

export interface SshMachines {
  /** Writes an inventory reaching these nodes on `port`; its path. */
  inventory(file: string, port?: number): string;
  /** Another sshd on `port` in the same node namespaces and mounts (a machine that comes back, or one that stalls). */
  listen(port: number, opts?: { forceCommand?: string }): Promise<void>;
  /** Ends the sshds on `port` (the machine stops answering there). */
  unlisten(port: number): Promise<void>;
  stop(): Promise<void>;
}

const VAR_LIB = '/run/.cnilab-var-lib';
const PRIVATE_MOUNTS = [
  `mount -t tmpfs cnilab-test /run && mkdir -p /run/sshd ${VAR_LIB}/upper ${VAR_LIB}/work`,
  'mount -t tmpfs cnilab-test /opt && mkdir -p /opt/cni/bin',
  // /var/lib is this machine's to read, and every write stays in the node: /var/lib/cni need not
  // exist on this machine (nothing here may make it), and the node gets it empty.
  `mount -t overlay cnilab-test -o lowerdir=/var/lib,upperdir=${VAR_LIB}/upper,workdir=${VAR_LIB}/work /var/lib`,
  'mkdir -p /var/lib/cni && mount -t tmpfs cnilab-test /var/lib/cni',
  // The netns cluster under these machines made /etc/cni (ensureSharedDir).
  'mount -t tmpfs cnilab-test /etc/cni',
  // bash sources ~/.bashrc for a command over ssh; this machine's can stall a minute (pyenv).
  '{ [ ! -f "$HOME/.bashrc" ] || mount --bind /dev/null "$HOME/.bashrc"; }',
].join(' && ');

export async function startSshMachines(topology: Topology, nsOf: (node: string) => string, dir: string): Promise<SshMachines> {
  fs.mkdirSync(dir, { recursive: true });
  const key = path.join(dir, 'client_key');
  if (!fs.existsSync(key)) {
    await mustExec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await mustExec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
    fs.copyFileSync(`${key}.pub`, path.join(dir, 'authorized_keys'));
  }
  const children: ChildProcess[] = [];
  const byPort = new Map<number, ChildProcess[]>();
  const end = (c: ChildProcess) => (c.exitCode !== null || c.signalCode ? Promise.resolve() : new Promise<void>((r) => {
    c.once('exit', () => r());
    process.kill(c.pid!, 'SIGTERM');
  }));
  const first = new Map<string, number>();
  const config = (port: number, forceCommand?: string) => {
    const file = path.join(dir, `sshd_config_${port}`);
    const lines = [
      `Port ${port}`,
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PidFile none',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      // The kit runs a lab's checks at once over one connection per node.
      'MaxSessions 100',
      'MaxStartups 100',
      `SetEnv PATH=${process.env.PATH}`,
      ...(forceCommand ? [`ForceCommand ${forceCommand}`] : []),
    ];
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };
  /** What each sshd (or the mounts before it) said on stderr: the error when it does not listen. */
  const said = new Map<ChildProcess, string>();
  const waitListening = async (ns: string, port: number, child: ChildProcess) => {
    const why = () => (said.get(child) ?? '').trim().split('\n').slice(-3).join(' / ') || 'nothing on stderr';
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sshd in ${ns} ended before it listened on ${port}: ${why()}`);
      const r = await execCommand(['ip', 'netns', 'exec', ns, 'ss', '-Hltn', `sport = :${port}`]);
      if (r.stdout.trim()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`sshd in ${ns} does not listen on ${port}: ${why()}`);
  };
  const launch = (argv: string[]) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => said.set(child, `${said.get(child) ?? ''}${d}`.slice(-4000)));
    children.push(child);
    return child;
  };
  const machines: SshMachines = {
    inventory(file, port = 22) {
      const router = nsOf(topology.nodes.find((n) => n.role === 'router')!.name);
      const nodes = topology.nodes.map(
        (n) => `  ${n.name}: { host: ${underlayAddress(n).split('/')[0]}, port: ${port} }`,
      );
      const text = [
        `defaults:`,
        `  user: root`,
        `  identityFile: ${key}`,
        `  options: { ProxyCommand: "ip netns exec ${router} nc %h %p", StrictHostKeyChecking: "no", UserKnownHostsFile: /dev/null }`,
        `nodes:`,
        ...nodes,
        '',
      ].join('\n');
      fs.writeFileSync(file, text);
      return file;
    },
    async listen(port, opts = {}) {
      const cfg = config(port, opts.forceCommand);
      await Promise.all(
        topology.nodes.map(async (n) => {
          const ns = nsOf(n.name);
          const pid = first.get(ns);
          const child = pid
            ? launch(['nsenter', '-t', String(pid), '-m', '-n', '/usr/sbin/sshd', '-D', '-e', '-f', cfg])
            : launch(['ip', 'netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', `${PRIVATE_MOUNTS} && exec /usr/sbin/sshd -D -e -f "$0"`, cfg]);
          if (!pid) first.set(ns, child.pid!);
          byPort.set(port, [...(byPort.get(port) ?? []), child]);
          await waitListening(ns, port, child);
        }),
      );
    },
    async unlisten(port) {
      await Promise.all((byPort.get(port) ?? []).map(end));
    },
    async stop() {
      const ended = Promise.all(children.map(end));
      // The sessions those sshds started (a stalled command, ssh's shells) run in the nodes' namespaces.
      for (const n of topology.nodes) {
        const r = await execCommand(['ip', 'netns', 'pids', nsOf(n.name)]);
        for (const pid of r.stdout.split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone already
          }
        }
      }
      await ended;
    },
  };
  await machines.listen(22);
  return machines;
}
