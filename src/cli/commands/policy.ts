// cnilab policy apply|list|delete: Kubernetes NetworkPolicy objects, enforced by every node's agent.
import * as fs from 'node:fs';
import pc from 'picocolors';
import { parseAllDocuments } from 'yaml';
import { readPolicies, syncPolicies } from '../../cluster/policySync.ts';
import type { PolicyApply } from '../../node/policyAgent.ts';
import { formatLabels } from '../../node/policy/labels.ts';
import { parsePolicy, PolicyError, type Policy } from '../../node/policy/model.ts';
import { policyText } from '../../node/policy/texts.ts';
import { openContext, requireRunningCluster, type GlobalOptions } from '../context.ts';
import { cmd, fail, info, ok, printJson, table } from '../output.ts';
import { cliLang, cliT, cliErr } from '../lang.ts';

export interface PolicyOptions extends GlobalOptions {
  json?: boolean;
  dryRun?: boolean;
}

/** The NetworkPolicy objects of a YAML (or JSON) file: one or more documents, each checked. */
export function readPolicyFile(file: string): unknown[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    fail(cliT('cli.policy.cannotRead', { file, error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? cliT('cli.policy.noSuchFile') : cliErr(err) }));
  }
  const docs = parseAllDocuments(text);
  const out: unknown[] = [];
  for (const [i, d] of docs.entries()) {
    if (d.errors.length) fail(cliT('cli.policy.notYaml', { file, n: i + 1, error: d.errors[0]!.message }));
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    try {
      parsePolicy(v, policyText('err.policy.document', { n: i + 1 }));
    } catch (err) {
      if (err instanceof PolicyError) fail(cliT('cli.policy.invalid', { file, error: err.text }), cliT('cli.policy.nothingApplied'));
      throw err;
    }
    out.push(v);
  }
  if (out.length === 0) fail(cliT('cli.policy.noPolicy', { file }));
  return out;
}

const nameOf = (raw: unknown) => (raw as { metadata: { name: string } }).metadata.name;

function report(nodes: PolicyApply[], opts: PolicyOptions, what: string) {
  if (opts.json) return printJson({ dryRun: opts.dryRun ?? false, nodes });
  if (opts.dryRun) {
    for (const n of nodes) info(`${pc.bold(`# ${n.node}`)}\n${n.ruleset}`);
    return;
  }
  ok(what);
  for (const n of nodes) {
    info(`  ${n.policies.length ? cliT('cli.policy.isolated', { node: n.node, pods: n.isolated.join(', '), policies: n.policies.join(', ') }) : cliT('cli.policy.noTable', { node: n.node })}`);
  }
  info(`  ${cliT('cli.policy.readIt', { command: cmd('cnilab exec node1 -- nft list table inet simplecni-policy') })}`);
}

async function context(opts: PolicyOptions) {
  const ctx = await openContext(opts);
  await requireRunningCluster(ctx);
  return ctx;
}

async function sync(opts: PolicyOptions, policies: unknown[], what: string) {
  const ctx = await context(opts);
  let nodes;
  try {
    nodes = await syncPolicies(ctx.driver, policies, { dryRun: opts.dryRun });
  } catch (err) {
    fail(cliT('cli.policy.notApplied', { error: cliErr(err) }));
  }
  report(nodes, opts, what);
}

export async function apply(file: string, opts: PolicyOptions): Promise<void> {
  const added = readPolicyFile(file);
  const ctx = await context(opts);
  const names = new Set(added.map(nameOf));
  const current = (await readPolicies(ctx.driver)).filter((p) => !names.has(nameOf(p)));
  await sync(opts, [...current, ...added], cliT('cli.policy.applied', { names: [...names].join(', ') }));
}

export async function del(name: string, opts: PolicyOptions): Promise<void> {
  const ctx = await context(opts);
  const current = await readPolicies(ctx.driver);
  if (!current.some((p) => nameOf(p) === name)) {
    fail(cliT('cli.policy.none', { name }), current.length ? cliT('cli.policy.existing', { names: current.map(nameOf).join(', ') }) : cliT('cli.policy.noneApplied'));
  }
  await sync(opts, current.filter((p) => nameOf(p) !== name), cliT('cli.policy.deleted', { name }));
}

function describe(p: Policy): string {
  if (p.ingress.length === 0) return cliT('cli.policy.denyAll');
  const peer = (f: Policy['ingress'][number]['from'][number]) =>
    'podSelector' in f ? cliT('cli.policy.pods', { labels: formatLabels(f.podSelector) }) : f.ipBlock.except.length ? cliT('cli.policy.except', { cidr: f.ipBlock.cidr, except: f.ipBlock.except.join(',') }) : f.ipBlock.cidr;
  return p.ingress
    .map((r) => {
      const from = r.from.length ? r.from.map(peer).join(cliT('cli.policy.or')) : cliT('cli.policy.anywhere');
      const ports = r.ports.length ? r.ports.map((x) => `${x.protocol}${x.port ? `/${x.port}` : ''}`).join(',') : cliT('cli.policy.anyPort');
      return cliT('cli.policy.rule', { from, ports });
    })
    .join(cliLang() === 'en' ? '; ' : '；');
}

export async function list(opts: PolicyOptions): Promise<void> {
  const ctx = await context(opts);
  const raw = await readPolicies(ctx.driver);
  if (opts.json) return printJson(raw);
  if (raw.length === 0) return info(cliT('cli.policy.listEmpty', { command: cmd('cnilab policy apply FILE') }));
  const rows = [[pc.bold(cliT('cli.col.name')), pc.bold(cliT('cli.col.selects')), pc.bold(cliT('cli.col.allows'))]];
  for (const r of raw) {
    const p = parsePolicy(r);
    rows.push([p.name, Object.keys(p.podSelector).length ? formatLabels(p.podSelector) : cliT('cli.policy.everyPod'), describe(p)]);
  }
  info(table(rows));
}
