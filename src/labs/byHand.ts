// Lab 01's by-hand topology, built and removed the way the lab text does it (platform-free: the
// page engine uses it too).
import { english, msg, type Text } from '../i18n/text.ts';
import { BYHAND } from '../validators/labs/lab01.ts';
import type { CheckContext } from '../validators/types.ts';
import type { LabEnv } from './actions.ts';

/** A lab action that cannot be done as asked; the message says why (the server answers 409), `text` says it in any language. */
export class LabActionError extends Error {
  constructor(readonly text: Text) {
    super(english(text));
  }
}

/** The by-hand topology of lab 01, built the way the lab text builds it. */
export async function buildByHand(env: LabEnv, ctx: CheckContext) {
  await removeByHand(env, ctx);
  const [[a, aAddr], [b, bAddr]] = BYHAND.pods;
  const script = [
    `ip link add ${BYHAND.bridge} type bridge`,
    `ip addr add ${BYHAND.bridgeAddr} dev ${BYHAND.bridge}`,
    `ip link set ${BYHAND.bridge} up`,
    ...[
      [a, aAddr, 'a'],
      [b, bAddr, 'b'],
    ].flatMap(([ns, addr, x]) => [
      `ip netns add ${ns}`,
      `ip link add veth-lab1${x} type veth peer name eth0 netns ${ns}`,
      `ip link set veth-lab1${x} master ${BYHAND.bridge} up`,
      `ip -n ${ns} link set lo up`,
      `ip -n ${ns} addr add ${addr} dev eth0`,
      `ip -n ${ns} link set eth0 up`,
    ]),
  ].join(' && ');
  const r = await env.driver.exec('node1', ['sh', '-c', script]);
  if (r.code !== 0) throw new LabActionError(msg('step.err.byHand', { error: r.stderr.trim() }));
}

export async function removeByHand(env: LabEnv, ctx: CheckContext) {
  const [[a], [b]] = BYHAND.pods;
  // The veths first: deleting one end removes both at once, where a deleted namespace frees its end
  // (and so the node's) only later, in the kernel's own time: a rebuild right after would meet
  // "File exists".
  await env.driver.exec('node1', ['sh', '-c', `ip link del veth-lab1a 2>/dev/null; ip link del veth-lab1b 2>/dev/null; ip netns del ${a} 2>/dev/null; ip netns del ${b} 2>/dev/null; ip link del ${BYHAND.bridge} 2>/dev/null; true`]);
}

