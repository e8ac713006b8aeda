// The local lab server: serves the site, answers the API, attaches terminals to nodes.
// Loopback by default; a per-run token on every API call and WebSocket; the Origin and the Host
// checked; no request can end the process (400 for the unparseable, 500 and a log line for a bug).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkContext, LabActionError, resetLab, solveLab, type LabEnv } from '../labs/actions.ts';
import { findLab, loadCatalog, type Lab } from '../labs/catalog.ts';
import { markPassed, readProgress, revealedHints } from '../labs/progress.ts';
import { solutionOf } from '../labs/starters.ts';
import { defaultWorkspace } from '../labs/workspace.ts';
import { runLabChecks } from '../validators/registry.ts';
import { cutReason, LIMITS, TERM_CLOSE, toApiDone, toApiLab, WORKSTATION, type ApiCheckDone, type ApiCheckError, type ApiCheckLine, type ApiDone, type ApiHints, type ApiLabs, type ApiSolution, type ApiTrace } from './api.ts';
import { serveStatic } from './static.ts';
import { loadPty, nodeShell, TerminalSet, workstationShell } from './terminals.ts';
import { collectTopology } from './topology.ts';
import { TraceError, traceBetween } from '../cluster/trace.ts';
import { matchLang, t } from '../i18n/index.ts';

export interface ServerOptions {
  env: LabEnv;
  /** The address to bind: loopback (127.0.0.1) unless given. */
  host?: string;
  port: number;
  siteDir: string;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
}

export interface LabServer {
  url: string;
  token: string;
  port: number;
  /** The address the server is bound to. */
  address: string;
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
    // Why an action could not be done, in the language the page asks in (its first Accept-Language); English otherwise.
    const lang = matchLang(req.headers['accept-language']?.split(',')[0]?.split(';')[0]) ?? 'en';
    if (parts[1] === 'labs' && parts.length === 2 && method === 'GET') {
      const p = readProgress();
      const body: ApiLabs = {
        labs: catalog().map((l) => toApiLab(l, l.id in p.passed)),
        ...(p.current ? { current: p.current } : {}),
        nodes,
        terminals: [{ id: WORKSTATION, label: 'your machine', kind: 'workstation' }, ...nodes.map((n) => ({ id: n, label: n, kind: 'node' as const }))],
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
        throw new HttpError(400, err instanceof TraceError ? t(lang, err.text) : (err as Error).message); // an unknown pod, a backend that cannot trace: the student's to fix
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
            if (err instanceof LabActionError) throw new HttpError(409, t(lang, err.text));
            throw err;
          }
        });
        return json(res, 200, toApiDone(l.id, done) satisfies ApiDone);
      }
    }
    throw new HttpError(404, `no such API: ${method} ${url.pathname}`);
  }

  // Hosts this server answers to. A page on another name that resolves here (DNS rebinding)
  // sends its own name in Host: refused, so it cannot even read the site.
  let hosts = new Set<string>();
  let wildcardPort = 0; // bound to every address (--host 0.0.0.0): any IP address is fine, never a name
  const hostOk = (host: string | undefined) => {
    if (host === undefined) return false;
    const h = host.toLowerCase();
    if (hosts.has(h)) return true;
    const m = /^\[?([0-9a-f:.]+?)\]?:(\d+)$/.exec(h);
    return wildcardPort !== 0 && m !== null && Number(m[2]) === wildcardPort && isIP(m[1]!) !== 0;
  };

  const securityHeaders = {
    'x-frame-options': 'DENY',
    'content-security-policy': "frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const log = (what: string, err: unknown) => process.stderr.write(`cnilab serve: ${what}: ${(err as Error)?.stack ?? String(err)}\n`);

  function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    for (const [k, v] of Object.entries(securityHeaders)) res.setHeader(k, v);
    if (!hostOk(req.headers.host)) return json(res, 421, { error: `this server answers to ${[...hosts].join(', ')} only` });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return json(res, 400, { error: 'bad request: the path is not a URL path' });
    }
    if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, opts.siteDir, url.pathname);
    if (!originOk(req.headers.origin)) return json(res, 403, { error: 'this Origin is not allowed: only the page this server serves may call its API' });
    const auth = /^Bearer (.*)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!tokenOk(auth)) return json(res, 401, { error: 'missing or wrong token: open the URL the server printed' });
    api(req, res, url).catch((err) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log(`${req.method} ${url.pathname}`, err);
      if (res.headersSent) res.end(JSON.stringify({ type: 'error', message: (err as Error).message } satisfies ApiCheckError) + '\n');
      else json(res, status, { error: (err as Error).message });
    });
  }

  const server = http.createServer((req, res) => {
    // The last resort: a bug answers 500 and is logged; it never takes the server (and its shells) down.
    try {
      handle(req, res);
    } catch (err) {
      log(`${req.method} ${String(req.url).slice(0, 200)}`, err);
      if (!res.headersSent) json(res, 500, { error: 'internal error: see the server\'s log' });
      else res.destroy();
    }
  });

  const { WebSocketServer } = await import('ws'); // loaded by `cnilab serve` only
  const pty = await loadPty();
  const terminals = new TerminalSet(LIMITS.maxTerminals);
  const terminalIds = new Set([WORKSTATION, ...nodes]);
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxMessageBytes, handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith('cnilab.')) ?? false });
  const upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // a client that resets the connection is no error of ours
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    if (url.pathname !== '/api/term') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!hostOk(req.headers.host)) {
      socket.end('HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\n\r\n');
      return;
    }
    // Browsers always send Origin on a WebSocket: it must be this server's own page.
    // Close reasons are fixed texts (at most 123 bytes, the protocol's limit): never the input.
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const id = url.searchParams.get('node') ?? '';
    let refusal: [number, string] | undefined;
    if (!req.headers.origin || !origins.has(req.headers.origin)) refusal = [TERM_CLOSE.forbiddenOrigin, 'this Origin is not allowed: open the page this server serves'];
    else if (!offered.some((p) => p.startsWith('cnilab.') && tokenOk(p.slice('cnilab.'.length)))) refusal = [TERM_CLOSE.unauthorized, 'missing or wrong token: open the URL the server printed'];
    else if (!terminalIds.has(id)) refusal = [TERM_CLOSE.unknownNode, unknownTerminalReason]; // a terminal from the list, never anything else
    else if (terminals.full) refusal = [TERM_CLOSE.tooMany, `${LIMITS.maxTerminals} terminals are open, the most this server allows: close one first`];
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (refusal) return ws.close(...refusal); // nothing is attached: the socket only carries the reason
      try {
        const spec = id === WORKSTATION ? workstationShell(env.backend.cluster) : nodeShell(env.driver, id);
        terminals.attach(ws, pty, spec, id);
      } catch (err) {
        log(`terminal ${id}`, err);
        ws.close(1011, 'internal error: see the server\'s log');
      }
    });
  };
  const unknownTerminalReason = cutReason(`no such terminal; nodes are ${nodes.join(", ")}, and workstation (your machine)`);
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      upgrade(req, socket, head);
    } catch (err) {
      log(`upgrade ${String(req.url).slice(0, 200)}`, err);
      socket.destroy();
    }
  });

  const bindHost = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, bindHost, () => resolve());
  });
  const { port, address } = server.address() as { port: number; address: string };
  const shownHost = bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  hosts = new Set([`${shownHost}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`].map((h) => h.toLowerCase()));
  origins = new Set([...hosts].map((h) => `http://${h}`));
  if (bindHost === '0.0.0.0' || bindHost === '::') wildcardPort = port;
  return {
    url: `http://${shownHost}:${port}/#token=${token}`,
    token,
    port,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        void terminals.endAll().then(() => {
          for (const c of wss.clients) c.terminate();
          wss.close();
          server.closeAllConnections();
          server.close(() => resolve());
        });
      }),
  };
}
