// The vagrant backend: the Vagrantfile's VMs (node1, node2, node3, router), each its own kernel.
// `up` runs `vagrant up` (minutes: its progress is shown line by line), then reaches the VMs over
// ssh from `vagrant ssh-config`, as the ssh backend does; `down` is `vagrant destroy`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mode } from '../../plugin/config.ts';
import { execCommand } from '../../shared/exec.ts';
import { repoRoot } from '../../shared/paths.ts';
import { BackendUnavailableError, type DownResult, type Progress, type UpResult } from '../backend.ts';
import { DEFAULT_CLUSTER } from '../netns/layout.ts';
import { SshBackend } from '../ssh/sshBackend.ts';
import type { SshNode } from '../ssh/sshConnection.ts';
import type { Topology } from '../topology.ts';
import { msg, TextError } from '../../i18n/text.ts';

/** Vagrant's noise that says nothing to a person watching (download bars, blank lines). */
const NOISE = /^\s*$|Progress: \d+%/;

export class VagrantBackend extends SshBackend {
  constructor(topology: Topology, cluster: string) {
    super(topology, cluster, undefined, 'vagrant');
  }

  /** What every command needs: ssh (the VMs are reached over it). Vagrant itself only for up and down. */
  override async requireSupport() {
    await super.requireSupport();
    if (this.cluster !== DEFAULT_CLUSTER) {
      throw new BackendUnavailableError(msg('err.backend.vagrantOneCluster', { default: DEFAULT_CLUSTER, cluster: this.cluster }));
    }
  }

  private async _requireVagrant() {
    await this.requireSupport();
    if (!fs.existsSync(path.join(repoRoot(), 'Vagrantfile'))) throw new BackendUnavailableError(msg('err.backend.noVagrantfile', { dir: repoRoot() }));
    const r = await execCommand(['vagrant', '--version'], { timeoutMs: 60_000 });
    if (r.code !== 0) {
      throw new BackendUnavailableError(msg('err.backend.noVagrant'));
    }
  }

  override async up(opts: { mode: Mode; progress?: Progress }): Promise<UpResult> {
    const progress = opts.progress ?? (() => {});
    await this._requireVagrant();
    const prior = this.readState();
    // Recorded first, so a `cluster down` after an interrupted `up` still destroys the VMs.
    if (!prior) this.writeState({ name: this.cluster, backend: 'vagrant', mode: opts.mode, createdAt: new Date().toISOString(), complete: false, namespaces: [], etcDirs: [] });
    await this._vagrant(['up'], progress);
    progress('vagrant ssh-config');
    const cfg = await execCommand(['vagrant', 'ssh-config'], { timeoutMs: 300_000, env: { VAGRANT_NO_COLOR: '1' } });
    if (cfg.code !== 0) throw new TextError(msg('err.vagrant.sshConfig', { error: cfg.stderr.trim() }));
    const hosts = [...cfg.stdout.matchAll(/^Host (\S+)$/gm)].map((m) => m[1]!);
    const missing = this.topology.nodes.map((n) => n.name).filter((n) => !hosts.includes(n));
    if (missing.length) throw new TextError(msg('err.vagrant.missingHosts', { nodes: missing.join(', ') }));
    fs.mkdirSync(this.layout.stateDir, { recursive: true });
    fs.writeFileSync(this.layout.sshConfig, cfg.stdout);
    // Log in as root from now on: every command of a lab runs as root, and sudo on an emulated
    // CPU costs tens of milliseconds per command. Vagrant's own key is the one root accepts.
    const asVagrant: Record<string, SshNode> = Object.fromEntries(hosts.map((h) => [h, { alias: h, sudo: true }]));
    this.writeState({ ...this.readState()!, ssh: { nodes: asVagrant } });
    await Promise.all(
      this.topology.nodes.map(async (n) => {
        progress(`${n.name}: root login with Vagrant's key`);
        const r = await this.driver.exec(n.name, ['sh', '-c', 'install -d -m 700 /root/.ssh && install -m 600 ~vagrant/.ssh/authorized_keys /root/.ssh/authorized_keys']);
        if (r.code !== 0) throw new TextError(msg('err.vagrant.rootKey', { node: n.name, error: r.stderr.trim() }));
        await this.connections.close(asVagrant[n.name]!);
      }),
    );
    fs.writeFileSync(this.layout.sshConfig, cfg.stdout.replace(/^(\s+)User \S+$/gm, '$1User root'));
    const nodes = Object.fromEntries(this.topology.nodes.map((n) => [n.name, { alias: n.name, sudo: false }]));
    return this._bringUp(opts.mode, progress, prior, { nodes });
  }

  override async down(opts: { progress?: Progress } = {}): Promise<DownResult> {
    const state = this.readState();
    if (!state) return { removed: [], busy: [] };
    await this._requireVagrant();
    await this._closeAll(state);
    await this._vagrant(['destroy', '-f'], opts.progress ?? (() => {}));
    fs.rmSync(this.layout.stateDir, { recursive: true, force: true });
    return { removed: this.topology.nodes.map((n) => n.name), busy: [] };
  }

  /** Runs vagrant in the repo, each line of its output a progress step (with the time so far: it takes minutes). */
  private _vagrant(args: string[], progress: Progress): Promise<void> {
    const t0 = Date.now();
    const tail: string[] = [];
    return new Promise((resolve, reject) => {
      const child = spawn('vagrant', [...args, '--no-color'], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
      const onLine = (line: string) => {
        const text = line.replace(/\r/g, '').trimEnd();
        if (NOISE.test(text)) return;
        tail.push(text);
        if (tail.length > 25) tail.shift();
        const s = Math.round((Date.now() - t0) / 1000);
        progress(`vagrant ${args[0]} [${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}] ${text.trim()}`);
      };
      for (const stream of [child.stdout, child.stderr]) {
        let buf = '';
        stream.setEncoding('utf8');
        stream.on('data', (d: string) => {
          buf += d;
          const lines = buf.split('\n');
          buf = lines.pop()!;
          lines.forEach(onLine);
        });
        stream.on('end', () => buf && onLine(buf));
      }
      child.on('error', (err) => reject(new Error(`could not run vagrant: ${err.message}`)));
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`\`vagrant ${args.join(' ')}\` failed (exit ${code}); its last lines:\n${tail.map((l) => `  ${l}`).join('\n')}`));
      });
    });
  }
}

