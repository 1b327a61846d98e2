/**
 * An HTTP proxy in front of a subgraph that keeps every request it forwards — headers and body —
 * as an attacker listening on the internal network would see them, and counts them: the tests
 * replay what it captured, and assert that a refusal made before planning reached no subgraph.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CapturingProxy {
  /** The proxy's URL (same path as the target's). */
  url: string;
  captured: CapturedRequest[];
  close(): Promise<void>;
}

export async function startCapturingProxy(target: string): Promise<CapturingProxy> {
  const captured: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url?.startsWith(new URL(target).pathname)) captured.push({ headers: req.headers, body });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) headers[name] = value;
      }
      fetch(new URL(req.url ?? '/', target), { method: req.method ?? 'GET', headers, ...(req.method === 'POST' ? { body } : {}) })
        .then(async (upstream) => {
          const text = await upstream.text();
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const targetUrl = new URL(target);
  return {
    url: `http://127.0.0.1:${port}${targetUrl.pathname}`,
    captured,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
