// TCP probes between pods, for NetworkPolicy: a tiny listener inside a pod's namespace answers
// "ok" to every connection; a client in another pod connects and reads the answer. Getting "ok"
// proves both ways: the connection was let in, and the reply came back. The listener runs on the
// node's Node.js (every node has one: the plugin runs on it), ends itself after `seconds`, and
// `stop` ends it by its PID. A driver whose nodes are modelled (the simulated kernel) answers the
// same probes itself (`driver.tcp`): a socket in the pod's namespace, a handshake walked there and back.
import type { NodeDriver } from '../cluster/driver.ts';
import { msg, TextError } from '../i18n/text.ts';

const LISTENER = 'const n=require("net");for(const p of process.argv.slice(1,-1))n.createServer(c=>c.end("ok\\n")).listen(+p);setTimeout(()=>process.exit(0),1000*process.argv.at(-1))';
const CLIENT =
  'const c=require("net").connect({host:process.argv[1],port:+process.argv[2]});c.setTimeout(+process.argv[3]);' +
  'c.on("data",d=>{process.stdout.write(String(d).trim());process.exit(0)});c.on("timeout",()=>{process.stdout.write("timeout");process.exit(2)});' +
  'c.on("error",e=>{process.stdout.write(e.code||e.message);process.exit(3)})';

export interface Listener {
  pid: number;
  stop(): Promise<void>;
}

/** Starts the listener in a pod on the given ports and waits until the first one listens. */
export async function startListener(driver: NodeDriver, node: string, pod: string, ports: readonly number[], seconds = 120): Promise<Listener> {
  if (driver.tcp) return { pid: 0, ...(await driver.tcp.listen(node, pod, ports, seconds)) };
  const script =
    'node -e "$0" "$@" >/dev/null 2>&1 & pid=$!; i=0; ' +
    `while ! ss -Hltn "sport = :${ports[0]}" | grep -q .; do i=$((i+1)); [ $i -gt 200 ] && { kill $pid; echo "the listener did not start" >&2; exit 1; }; sleep 0.05; done; echo $pid`;
  const r = await driver.execPod(node, pod, ['sh', '-c', script, LISTENER, ...ports.map(String), String(seconds)]);
  const pid = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isInteger(pid) || pid <= 0) throw new TextError(msg('err.probe.listener', { pod: `${node}/${pod}`, ports: ports.join(', '), error: r.stderr.trim() }));
  return { pid, stop: async () => void (await driver.execPod(node, pod, ['kill', String(pid)])) };
}

/** "ok" when the connection got through and the answer came back; else what happened ("timeout", "ECONNREFUSED"…). */
export async function tcpProbe(driver: NodeDriver, node: string, pod: string, ip: string, port: number, timeoutMs = 1500): Promise<string> {
  if (driver.tcp) return driver.tcp.connect(node, pod, ip, port);
  const r = await driver.execPod(node, pod, ['node', '-e', CLIENT, ip, String(port), String(timeoutMs)]);
  return r.stdout.trim() || r.stderr.trim() || `exit ${r.code}`;
}

const busy = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while a listener answers on `ports` in the pod. Checks run at once: the listeners of
 * one pod take turns (one port can have one listener), and each is ended when its turn is over.
 */
export async function withListener<T>(driver: NodeDriver, node: string, pod: string, ports: readonly number[], fn: () => Promise<T>): Promise<T> {
  const key = `${node}/${pod}`;
  const before = busy.get(key) ?? Promise.resolve();
  const mine = before.catch(() => {}).then(async () => {
    const l = await startListener(driver, node, pod, ports);
    try {
      return await fn();
    } finally {
      await l.stop();
    }
  });
  busy.set(key, mine.catch(() => {}));
  return mine;
}
