// The local lab server: serves the site, answers the API, attaches terminals to nodes.
// Loopback by default; a per-run token on every API call and WebSocket; the Origin checked.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { checkContext, LabActionError, resetLab, solveLab, type LabEnv } from '../labs/actions.ts';
import { findLab, loadCatalog, type Lab } from '../labs/catalog.ts';
import { markPassed, readProgress, revealedHints } from '../labs/progress.ts';
import { solutionOf } from '../labs/starters.ts';
import { defaultWorkspace } from '../labs/workspace.ts';
import { runLabChecks } from '../validators/registry.ts';
import { LIMITS, TERM_CLOSE, toApiLab, type ApiCheckDone, type ApiCheckError, type ApiCheckLine, type ApiDone, type ApiHints, type ApiLabs, type ApiSolution, type ApiTrace } from './api.ts';
import { serveStatic } from './static.ts';
import { attachTerminal, loadPty } from './terminals.ts';
import { collectTopology } from './topology.ts';
import { traceBetween } from '../cluster/trace.ts';

export interface ServerOptions {
  env: LabEnv;
  host: string;
  port: number;
  siteDir: string;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
}

export interface LabServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET /api/trace's query: from a node or node/pod, to a node, node/pod or IPv4 address, optional ping size. */
function traceQuery(q: URLSearchParams): { from: string; to: string; size?: number } {
  const endpoint = /^[a-z][a-z0-9]{0,30}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,62})?$/;
  const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  if (!endpoint.test(from)) throw new HttpError(400, `from must be a node or node/pod (like node1/web), not ${JSON.stringify(from)}`);
  if (!endpoint.test(to) && !ipv4.test(to)) throw new HttpError(400, `to must be a node, node/pod or IPv4 address (like node3/web or 10.244.3.2), not ${JSON.stringify(to)}`);
  const rawSize = q.get('size');
  if (rawSize === null) return { from, to };
  const size = Number(rawSize);
  if (!/^\d{1,5}$/.test(rawSize) || size > 65507) throw new HttpError(400, `size must be a whole number of bytes from 0 to 65507, not ${JSON.stringify(rawSize)}`);
  return { from, to, size };
}

export async function startServer(opts: ServerOptions): Promise<LabServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(token);
  const tokenOk = (given: string | undefined) => {
    const b = Buffer.from(given ?? '');
    return b.length === expected.length && timingSafeEqual(b, expected);
  };
  let origins = new Set<string>();
  const originOk = (origin: string | undefined) => origin === undefined || origins.has(origin);
  const env = opts.env;
  const nodes = env.topology.nodes.map((n) => n.name);
  const catalog = () => loadCatalog();
  const lab = (id: string): Lab => {
    try {
      return findLab(catalog(), id);
    } catch (err) {
      throw new HttpError(404, (err as Error).message);
    }
  };
  // One check, reset or solve at a time: they share the nodes.
  let busy: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = busy.then(fn, fn);
    busy = next.catch(() => {});
    return next;
  };

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  async function api(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const parts = url.pathname.split('/').filter(Boolean); // ['api', ...]
    const method = req.method ?? 'GET';
    if (parts[1] === 'labs' && parts.length === 2 && method === 'GET') {
      const p = readProgress();
      const body: ApiLabs = {
        labs: catalog().map((l) => toApiLab(l, l.id in p.passed)),
        ...(p.current ? { current: p.current } : {}),
        nodes,
        cluster: env.backend.cluster,
        backend: env.driver.backend,
      };
      return json(res, 200, body);
    }
    if (parts[1] === 'topology' && method === 'GET') {
      return json(res, 200, await collectTopology(env.driver, env.backend.readState()?.mode ?? 'host-gw'));
    }
    if (parts[1] === 'trace' && parts.length === 2 && method === 'GET') {
      const { from, to, size } = traceQuery(url.searchParams);
      let trace: ApiTrace;
      try {
        trace = await traceBetween(env, from, to, size === undefined ? {} : { size });
      } catch (err) {
        throw new HttpError(400, (err as Error).message); // an unknown pod, a backend that cannot trace: the student's to fix
      }
      return json(res, 200, trace);
    }
    if (parts[1] === 'labs' && parts.length === 4) {
      const l = lab(parts[2]!);
      const action = parts[3];
      if (action === 'check' && method === 'POST') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
        const report = await serial(() =>
          runLabChecks(l, checkContext(env), (result) => res.write(JSON.stringify({ type: 'check', result } satisfies ApiCheckLine) + '\n')),
        );
        if (report.passed) markPassed([l.id]);
        res.end(JSON.stringify({ type: 'done', lab: l.id, passed: report.passed, checks: report.checks } satisfies ApiCheckDone) + '\n');
        return;
      }
      if ((action === 'hint' && method === 'POST') || (action === 'hints' && method === 'GET')) {
        return json(res, 200, { lab: l.id, ...revealedHints(l, action === 'hint') } satisfies ApiHints);
      }
      if (action === 'solution' && method === 'GET') {
        const available = l.id in readProgress().passed;
        const regions = available ? solutionOf(l.id).map((r) => ({ file: r.file, line: r.line, description: r.description, code: r.solution.join('\n') })) : [];
        return json(res, 200, { lab: l.id, available, regions } satisfies ApiSolution);
      }
      if ((action === 'reset' || action === 'solve') && method === 'POST') {
        const done = await serial(async () => {
          try {
            return action === 'solve' ? await solveLab(env, l) : await resetLab(env, l, defaultWorkspace());
          } catch (err) {
            if (err instanceof LabActionError) throw new HttpError(409, err.message);
            throw err;
          }
        });
        return json(res, 200, { lab: l.id, done } satisfies ApiDone);
      }
    }
    throw new HttpError(404, `no such API: ${method} ${url.pathname}`);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, opts.siteDir, url.pathname);
    if (!originOk(req.headers.origin)) return json(res, 403, { error: `origin ${req.headers.origin} is not allowed` });
    const auth = req.headers.authorization?.replace(/^Bearer /, '');
    if (!tokenOk(auth)) return json(res, 401, { error: 'missing or wrong token: open the URL the server printed' });
    api(req, res, url).catch((err) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (res.headersSent) res.end(JSON.stringify({ type: 'error', message: (err as Error).message } satisfies ApiCheckError) + '\n');
      else json(res, status, { error: (err as Error).message });
    });
  });

  const { WebSocketServer } = await import('ws'); // loaded by `cnilab serve` only
  const pty = await loadPty();
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxMessageBytes, handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith('cnilab.')) ?? false });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/term') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    // Browsers always send Origin on a WebSocket: it must be this server's own page.
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const node = url.searchParams.get('node') ?? '';
    let refusal: [number, string] | undefined;
    if (!req.headers.origin || !origins.has(req.headers.origin)) refusal = [TERM_CLOSE.forbiddenOrigin, `origin ${req.headers.origin ?? '(none)'} is not allowed`];
    else if (!offered.some((p) => p.startsWith('cnilab.') && tokenOk(p.slice('cnilab.'.length)))) refusal = [TERM_CLOSE.unauthorized, 'missing or wrong token: open the URL the server printed'];
    else if (!nodes.includes(node)) refusal = [TERM_CLOSE.unknownNode, `no node ${JSON.stringify(node)}; nodes are ${nodes.join(', ')}`]; // a node from the topology, never anything else
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (refusal) ws.close(...refusal); // nothing is attached: the socket only carries the reason
      else attachTerminal(ws, pty, env.driver, node);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  origins = new Set([`http://${shownHost}:${port}`, `http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  return {
    url: `http://${shownHost}:${port}/#token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
