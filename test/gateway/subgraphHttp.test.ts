/**
 * The gateway's client to its subgraphs (gateway/subgraphHttp.ts), against real HTTP servers: it
 * answers as fetch does, reuses its connections, stops at the request's budget with a TimeoutError,
 * and reports a subgraph it cannot reach as fetch does (TypeError "fetch failed"), which is what the
 * error masking and the metrics tell apart.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_BUDGET_HEADER } from '../../gateway/pipeline';
import { subgraphHttp, SUBGRAPH_GRACE_MS } from '../../gateway/subgraphHttp';

describe('the gateway\'s client to its subgraphs', () => {
  let server: Server;
  let url: string;
  const sockets = new Set<unknown>();
  const seen: { method?: string; headers: Record<string, unknown>; body: string }[] = [];
  const http = subgraphHttp();
  beforeAll(async () => {
    server = createServer((req, res) => {
      sockets.add(req.socket);
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/hang') return; // never answers
        res.writeHead(req.url === '/bad' ? 502 : 200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ data: { echo: body } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await http.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the method, headers and body, and answers as fetch does, over kept-alive connections', async () => {
    const ask = () => http.fetcher(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-one': 'two', [REQUEST_BUDGET_HEADER]: '5000' }, body: '{"query":"{ x }"}' });
    const first = await ask();
    expect(first.ok).toBe(true);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(first.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await first.json()).toEqual({ data: { echo: '{"query":"{ x }"}' } });
    for (let i = 0; i < 4; i++) await (await ask()).text();
    expect(seen.map((s) => [s.method, s.headers['x-one'], s.body])).toEqual(Array.from({ length: 5 }, () => ['POST', 'two', '{"query":"{ x }"}']));
    // Kept alive: undici opens a second connection after the first request, then reuses it.
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('gives a subgraph\'s error status as it came', async () => {
    const answer = await http.fetcher(`${url}/bad`, { method: 'POST', headers: { [REQUEST_BUDGET_HEADER]: '5000' }, body: '{}' });
    expect([answer.ok, answer.status]).toEqual([false, 502]);
  });

  it('stops at the budget and its grace with a TimeoutError', async () => {
    const started = performance.now();
    const error = await http.fetcher(`${url}/hang`, { method: 'POST', headers: { [REQUEST_BUDGET_HEADER]: '100' }, body: '{}' }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect(performance.now() - started).toBeGreaterThanOrEqual(100 + SUBGRAPH_GRACE_MS - 20);
  });

  it('reports a subgraph it cannot reach as fetch does: TypeError "fetch failed", the cause kept', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = (await http.fetcher(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { [REQUEST_BUDGET_HEADER]: '5000' }, body: '{}' }).catch((e: unknown) => e)) as TypeError & { cause?: { code?: string } };
    expect([error.name, error.message, error.cause?.code]).toEqual(['TypeError', 'fetch failed', 'ECONNREFUSED']);
  });
});
