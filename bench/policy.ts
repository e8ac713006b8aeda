// NetworkPolicy at scale on one node: 50 policies × 100 pods rendered by the node agent's code,
// then loaded with `nft -f` (and replaced once more) inside a throwaway network namespace of its
// own (`unshare -n`: it ends with the command; the machine's namespace is never touched).
// Then what the ruleset costs a packet: a throwaway node (a namespace with a bridge) and three pods
// on it, pinged and TCP-connected without the ruleset and with it (br_netfilter on in the node both
// times, as the agent sets it): ping to a pod no policy selects (the forward chain's two lookups),
// TCP connects to a pod whose allowing rule is near the end of the ingress chain (the worst case).
// Every namespace is made here and removed at the end, also on failure; traffic stays inside them.
// Run as root: npx tsx bench/policy.ts [--policies 50] [--pods 100] [--count 300]
import { execCommand } from '../src/shared/exec.ts';
import { parsePolicy, type PodRef } from '../src/node/policy/model.ts';
import { renderRuleset } from '../src/node/policy/render.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const nPolicies = arg('--policies', 50);
const nPods = arg('--pods', 100);
const count = arg('--count', 300);

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

// ---------------------------------------------------------------- latency with and without the ruleset

const tag = `cnibench${process.pid % 100000}`;
const NODE = `${tag}-node`;
const made: string[] = [];
const sh = async (argv: string[], input?: string) => {
  const r = await execCommand(argv, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};
const inNs = (ns: string, ...argv: string[]) => ['ip', 'netns', 'exec', ns, ...argv];

/** The node's bridge and a pod (its namespace, a veth on the bridge, an address). */
async function pod(name: string, ip: string) {
  const ns = `${tag}-${name}`;
  await sh(['ip', 'netns', 'add', ns]);
  made.push(ns);
  await sh(['ip', '-n', NODE, 'link', 'add', `v${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await sh(['ip', '-n', NODE, 'link', 'set', `v${name}`, 'master', 'simplecni0', 'up']);
  await sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
  await sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
  await sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  return ns;
}

const CONNECTS =
  'const net=require("net");const [h,p,n]=process.argv.slice(1);const t=[];let i=0;' +
  'const one=()=>{const s=process.hrtime.bigint();const c=net.connect({host:h,port:+p},()=>{t.push(Number(process.hrtime.bigint()-s)/1e6);c.destroy();if(++i<+n)one();else{t.sort((a,b)=>a-b);console.log(t[t.length>>1].toFixed(3),t[Math.floor(t.length*0.95)].toFixed(3))}});c.setTimeout(2000,()=>{console.error("connect timed out");process.exit(1)});c.on("error",e=>{console.error(e.message);process.exit(1)})};one()';

async function measure(client: string, openIp: string, serverIp: string) {
  const ping = await sh(inNs(client, 'ping', '-q', '-n', '-c', String(count), '-i', '0.002', openIp));
  const rtt = /= [\d.]+\/([\d.]+)\/[\d.]+\/([\d.]+) ms/.exec(ping);
  const [p50, p95] = (await sh(inNs(client, process.execPath, '-e', CONNECTS, serverIp, '6379', String(count)))).trim().split(' ').map(Number) as [number, number];
  return { pingAvg: Number(rtt?.[1]), pingMdev: Number(rtt?.[2]), tcpP50: p50, tcpP95: p95 };
}

async function latency() {
  await sh(['ip', 'netns', 'add', NODE]);
  made.push(NODE);
  await sh(['ip', '-n', NODE, 'link', 'add', 'simplecni0', 'type', 'bridge']);
  await sh(['ip', '-n', NODE, 'addr', 'add', '10.244.1.1/24', 'dev', 'simplecni0']);
  await sh(['ip', '-n', NODE, 'link', 'set', 'simplecni0', 'up']);
  await sh(inNs(NODE, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1'));
  // p0 (tier=front) connects to p98 (app=a48: its allowing rules sit near the ingress chain's end);
  // 10.244.1.250 is a pod no policy selects.
  const client = await pod('c', pods[0]!.ip);
  const server = await pod('s', pods[98 % nPods]!.ip);
  await pod('o', '10.244.1.250');
  const listener = execCommand(inNs(server, process.execPath, '-e', 'require("net").createServer(c=>c.end()).listen(6379);setTimeout(()=>process.exit(0),120000)'));
  try {
    for (let i = 0; i < 50 && !(await execCommand(inNs(server, 'ss', '-Hltn', 'sport = :6379'))).stdout.trim(); i++) await new Promise((r) => setTimeout(r, 50));
    const without = await measure(client, '10.244.1.250', pods[98 % nPods]!.ip);
    await sh(inNs(NODE, 'nft', '-f', '-'), text);
    const withRules = await measure(client, '10.244.1.250', pods[98 % nPods]!.ip);
    console.log(`  latency over node1's bridge (br_netfilter on), ${count} each, without → with the ruleset:`);
    console.log(`    ping to an unselected pod: avg ${without.pingAvg.toFixed(3)} → ${withRules.pingAvg.toFixed(3)} ms (mdev ${without.pingMdev.toFixed(3)} → ${withRules.pingMdev.toFixed(3)})`);
    console.log(`    TCP connect to an isolated pod, allowed near the chain's end: p50 ${without.tcpP50.toFixed(3)} → ${withRules.tcpP50.toFixed(3)} ms, p95 ${without.tcpP95.toFixed(3)} → ${withRules.tcpP95.toFixed(3)} ms`);
  } finally {
    await execCommand(['ip', 'netns', 'pids', server]).then(async (r) => {
      for (const pid of r.stdout.split('\n').filter(Boolean)) await execCommand(['kill', pid]);
    });
    await listener;
  }
}

try {
  await latency();
} finally {
  for (const ns of made.reverse()) await execCommand(['ip', 'netns', 'del', ns]);
}
