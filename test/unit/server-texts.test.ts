// Texts the lab server and CLI send back: close reasons within the WebSocket limit, the one line
// for `cnilab` typed on a node.
import { describe, expect, it } from 'vitest';
import { cutReason } from '../../src/server/api.ts';
import { insideNodeMessage } from '../../src/cli/insideNode.ts';

describe('cutReason', () => {
  it('keeps a short reason and cuts a long one to 123 bytes of valid UTF-8', () => {
    expect(cutReason('the shell ended')).toBe('the shell ended');
    for (const long of ['a'.repeat(500), 'é'.repeat(200), '节点'.repeat(100), `x${'😀'.repeat(60)}`]) {
      const cut = cutReason(long);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
      expect(cut.endsWith('…')).toBe(true);
      expect(cut).not.toContain('\uFFFD'); // never half a character
    }
  });
});

describe('insideNodeMessage', () => {
  it('points a command typed on a node to the workstation, in one line', () => {
    const m = insideNodeMessage({ SIMPLECNI_NODE: 'node2' }, ['check', '04']);
    expect(m).toMatch(/node node2.*"your machine" terminal/);
    expect(m).not.toContain('\n');
  });
  it('lets help and version through, and anything off a node', () => {
    expect(insideNodeMessage({ SIMPLECNI_NODE: 'node2' }, ['--help'])).toBeUndefined();
    expect(insideNodeMessage({ SIMPLECNI_NODE: 'node2' }, ['--version'])).toBeUndefined();
    expect(insideNodeMessage({}, ['check', '04'])).toBeUndefined();
  });
});
