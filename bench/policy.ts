// NetworkPolicy at scale on one node: 50 policies × 100 pods rendered by the node agent's code,
// then loaded with `nft -f` (and replaced once more) inside a throwaway network namespace of its
// own (`unshare -n`: it ends with the command; the machine's namespace is never touched).
// Run as root: npx tsx bench/policy.ts [--policies 50] [--pods 100]
import { execCommand } from '../src/shared/exec.ts';
import { parsePolicy, type PodRef } from '../src/node/policy/model.ts';
import { renderRuleset } from '../src/node/policy/render.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const nPolicies = arg('--policies', 50);
const nPods = arg('--pods', 100);

const pods: PodRef[] = Array.from({ length: nPods }, (_, i) => ({
  node: i % 2 === 0 ? 'node1' : 'node2',
  name: `p${i}`,
  ip: `10.244.${i % 2 === 0 ? 1 : 2}.${2 + Math.floor(i / 2)}`,
  labels: { app: `a${i % nPolicies}`, tier: i % 3 === 0 ? 'front' : 'back' },
}));
const policies = Array.from({ length: nPolicies }, (_, i) =>
  parsePolicy({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `pol-${i}` },
    spec: {
      podSelector: { matchLabels: { app: `a${i}` } },
      ingress: [
        { from: [{ podSelector: { matchLabels: { tier: 'front' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.3.0/24'] } }], ports: [{ port: 6379 }, { protocol: 'UDP', port: 53 }] },
      ],
    },
  }),
);

const t0 = performance.now();
const text = renderRuleset(policies, pods, 'node1');
const renderMs = performance.now() - t0;
const rules = text.split('\n').filter((l) => /accept comment|drop comment/.test(l)).length;

// One throwaway namespace: load, then replace (the agent's second apply), timing each nft -f.
const script = `f=$(mktemp); cat > "$f"; for i in 1 2; do s=$(date +%s%N); nft -f "$f" || exit 1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); done; rm -f "$f"`;
const r = await execCommand(['unshare', '-n', 'sh', '-c', script], { input: text });
if (r.code !== 0) {
  console.error(`nft -f failed: ${r.stderr.trim()}`);
  process.exit(1);
}
const [firstUs, secondUs] = r.stdout.trim().split('\n').map(Number) as [number, number];
console.log(`policy bench: ${nPolicies} policies × ${nPods} pods → ${rules} rules for node1 (${text.length} bytes of nft input)`);
console.log(`  render ${renderMs.toFixed(1)} ms · nft -f load ${(firstUs / 1000).toFixed(1)} ms · replace ${(secondUs / 1000).toFixed(1)} ms`);
