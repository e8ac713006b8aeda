// The server engine: the lab server (`npm start`, `cnilab serve`) answers everything; terminals
// are PTYs on the nodes (and, when the server offers one, on the student's machine).
import { forgetToken, getToken } from '../../lib/token.ts';
import type { Engine, EngineLabs, TerminalInfo } from '../types.ts';
import { api, onAuthFailure } from './http.ts';
import { ServerTerminal } from './terminal.ts';
import { msg } from '../../../../src/i18n/index.ts';

export function createServerEngine(): Engine {
  let backend = '';
  return {
    get info() {
      return {
        kind: 'server' as const,
        label: msg('engine.server.label'),
        description: msg('engine.server.description'),
        kernel: backend === 'sim' ? msg('engine.simKernel') : backend ? msg('engine.server.backend', { backend }) : msg('engine.server.theCluster'),
      };
    },
    hasAccess: () => !!getToken(),
    onAccessRefused: (l) =>
      onAuthFailure((err) => {
        forgetToken();
        l(err);
      }),
    async labs(signal) {
      const data = await api.labs(signal);
      backend = data.backend;
      const terminals: TerminalInfo[] = data.terminals ?? data.nodes.map((n) => ({ id: n, label: n, kind: 'node' as const }));
      return { ...data, terminals } satisfies EngineLabs;
    },
    openTerminal: (id, sink) => new ServerTerminal(id, sink),
    check: api.check,
    hints: api.hints,
    nextHint: api.nextHint,
    solution: api.solution,
    reset: api.reset,
    solve: api.solve,
    topology: api.topology,
    trace: api.trace,
  };
}
