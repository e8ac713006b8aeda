// TCP probes between pods, for NetworkPolicy: a tiny listener inside a pod's namespace answers
// "ok" to every connection; a client in another pod connects and reads the answer. Getting "ok"
// proves both ways: the connection was let in, and the reply came back. The listener runs on the
// node's Node.js (every node has one: the plugin runs on it), ends itself after `seconds`, and
// `stop` ends it by its PID. A driver whose nodes are modelled (the simulated kernel) answers the
// same probes itself (`driver.tcp`): a socket in the pod's namespace, a handshake walked there and back.
import type { NodeDriver } from '../cluster/driver.ts';
import { msg, TextError } from '../i18n/text.ts';
import { errnoOf } from '../shared/errno.ts';

// The listener says "ready" once every port listens; it answers "ok" to every connection.
const LISTENER =
  'const n=require("net");const ps=process.argv.slice(1,-1);let k=ps.length;' +
  'for(const p of ps)n.createServer(c=>c.end("ok\\n")).listen(+p,()=>--k||console.log("ready"));' +
  'setTimeout(()=>process.exit(0),1000*process.argv.at(-1))';
/**
 * Starts the listener as bash's coprocess and waits for its "ready" (a Node.js start takes seconds
 * on an emulated CPU): its output goes to bash alone, so this command ends as soon as bash has the
 * line, and the listener holds none of the caller's pipes. Its PID is printed; when it fails to
 * start, the error it printed is.
 */
const START_LISTENER =
  'coproc L { exec node -e "$0" "$@" 2>&1; }; pid=$L_PID; exec 3<&"${L[0]}"; ' +
  'if IFS= read -r -t 60 line <&3 && [ "$line" = ready ]; then echo "$pid"; exit 0; fi; ' +
  'kill "$pid" 2>/dev/null; why=$(timeout 2 cat <&3 | grep -m1 -o "Error: .*"); ' +
  'echo "the listener did not start: ${why:-${line:-no word from it}}" >&2; exit 1';
// The client is bash's /dev/tcp (every node has bash), bounded by coreutils' `timeout`: a probe then
// costs a process that starts in milliseconds, where a Node.js client cost 0.1 s of CPU here (and
// seconds on an emulated one), and lab 11's checks start seven. "connected" is printed the moment
// the handshake is done, so a connection let in but never answered reads as "connected", never as
// a timeout; the answer's line follows it. A failed connect prints bash's "connect: <reason>".
const CLIENT = 'exec 2>&1; exec 3<>"/dev/tcp/$1/$2" || exit 3; echo connected; IFS= read -r line <&3; [ -n "$line" ] && echo "$line"; exit 0';
/** What one run of the client means: the answer, "connected", "timeout", or why the connect failed. */
export function clientVerdict(r: { code: number; stdout: string; stderr: string }): string {
  const lines = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const at = lines.indexOf('connected');
  if (at >= 0) return lines[at + 1] ?? 'connected';
  const failed = /connect: (.+)$/m.exec(r.stdout)?.[1]?.trim();
  if (failed) return errnoOf(failed) ?? failed;
  if (r.code === 124) return 'timeout';
  return r.stdout.trim() || r.stderr.trim() || `exit ${r.code}`;
}

/**
 * How long a probe that should be dropped waits. A SYN let in is answered by the other pod's
 * kernel within a millisecond on these links (as fast as the allowed probes' are), and the client
 * says "connected" as soon as it is; Linux would resend a dropped SYN only after 1 s.
 */
export const DROPPED_WAIT_MS = 500;
/**
 * How long a probe that should get through may take. It ends as soon as it is answered, so only a
 * failing check waits this out; it is long because the answer is written by another Node.js process
 * (the listener), which a loaded node schedules late: on one emulated vCPU running the checks'
 * other probes, a handshake done but its "ok" a few seconds behind was seen at 1.5 s.
 */
export const ANSWER_WAIT_MS = 5000;

/** Whether a probe's result means the connection was let in (answered, or at least accepted). */
export const letIn = (result: string) => result === 'ok' || result === 'connected';

export interface Listener {
  pid: number;
  stop(): Promise<void>;
}

/** The last listener start asked of each node, per driver. */
const starting = new WeakMap<NodeDriver, Map<string, Promise<unknown>>>();
/**
 * A node starts its listeners one at a time, in the order asked: two Node.js starts at once on one
 * CPU (a VM's vCPU; here, two CPUs for every node) make both late, and the first asked is the one
 * a check waits on longest (lab 11's db, whose dropped probes then wait their half second).
 */
function oneAtATime<T>(driver: NodeDriver, node: string, start: () => Promise<T>): Promise<T> {
  const mine = starting.get(driver) ?? new Map<string, Promise<unknown>>();
  starting.set(driver, mine);
  const turn = (mine.get(node) ?? Promise.resolve()).catch(() => undefined).then(start);
  mine.set(node, turn);
  return turn;
}

/** Starts the listener in a pod on the given ports and waits until every one listens. */
export async function startListener(driver: NodeDriver, node: string, pod: string, ports: readonly number[], seconds = 120): Promise<Listener> {
  if (driver.tcp) return { pid: 0, ...(await driver.tcp.listen(node, pod, ports, seconds)) };
  // Every port must listen before the probes: a port still closed would read as "refused", which a
  // check that wants a connection dropped would take for a denial.
  const r = await oneAtATime(driver, node, () => driver.execPod(node, pod, ['bash', '-c', START_LISTENER, LISTENER, ...ports.map(String), String(seconds)]));
  const pid = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isInteger(pid) || pid <= 0) throw new TextError(msg('err.probe.listener', { pod: `${node}/${pod}`, ports: ports.join(', '), error: r.stderr.trim() }));
  return { pid, stop: async () => void (await driver.execPod(node, pod, ['kill', String(pid)])) };
}

/** "ok" when the connection got through and the answer came back; else what happened ("timeout", "ECONNREFUSED"…). */
export async function tcpProbe(driver: NodeDriver, node: string, pod: string, ip: string, port: number, timeoutMs = ANSWER_WAIT_MS): Promise<string> {
  if (driver.tcp) return driver.tcp.connect(node, pod, ip, port);
  const r = await driver.execPod(node, pod, ['timeout', String(timeoutMs / 1000), 'bash', '-c', CLIENT, 'probe', ip, String(port)]);
  return clientVerdict(r);
}

interface Running {
  ports: readonly number[];
  listener: Promise<Listener>;
  users: number;
  ended: Promise<void>;
  end(): void;
}
/** The listeners running now, per driver (two clusters may both have a node1/db). */
const running = new WeakMap<NodeDriver, Map<string, Running>>();

/**
 * Runs `fn` while a listener answers on `ports` in the pod. Checks run at once: one that needs
 * ports a running listener already has shares it; one that needs others waits for its end (one port
 * can have one listener). The last user of a listener ends it.
 */
export async function withListener<T>(driver: NodeDriver, node: string, pod: string, ports: readonly number[], fn: () => Promise<T>): Promise<T> {
  const mine = running.get(driver) ?? new Map<string, Running>();
  running.set(driver, mine);
  const key = `${node}/${pod}`;
  let r = mine.get(key);
  while (r && !ports.every((p) => r!.ports.includes(p))) {
    await r.ended;
    r = mine.get(key);
  }
  if (!r) {
    let end = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    r = { ports, listener: startListener(driver, node, pod, ports), users: 0, ended, end };
    mine.set(key, r);
  }
  const shared = r;
  shared.users++;
  try {
    await shared.listener;
    return await fn();
  } finally {
    if (--shared.users === 0) {
      mine.delete(key);
      // A listener that never started has nothing to stop (its users saw why).
      const l = await shared.listener.catch(() => undefined);
      try {
        await l?.stop();
      } finally {
        shared.end();
      }
    }
  }
}
