import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyBadResponse, LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from '../errors';
import { createJsonClient, type JsonClient } from '../restClient';

/** A real HTTP server answering each path with one kind of (mis)behaviour. */
let server: Server;
let client: JsonClient;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    switch (req.url) {
      case '/ok': return send(200, '[{"id":"1"}]');
      case '/missing': return send(404, '{"fejl":"findes ikke"}');
      case '/error-document': return send(503, '{"fejlkode":"SYSTEM_NEDE","besked":"6101604321 kunne ikke slås op"}');
      case '/crash': return send(500, 'Internal Server Error', 'text/plain');
      case '/slow-down': return send(429, '{"besked":"for mange kald"}');
      case '/bad-request': return send(400, '{"fejl":"ugyldig parameter"}');
      case '/refused': return send(403, 'nope', 'text/plain');
      case '/garbage': return send(200, '[{"id":', 'application/json');
      case '/hang': return; // never answers
      default: return send(404, '');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createJsonClient({ system: 'bbr', baseUrl, timeoutMs: 200 });
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('createJsonClient', () => {
  it('returns the parsed JSON of a 2xx answer', async () => {
    expect(await client.get('/ok')).toEqual([{ id: '1' }]);
  });

  it.each([
    ['/missing', NotFound, 'HTTP 404'],
    ['/error-document', LegacyFault, 'HTTP 503'],
    ['/crash', LegacyUnavailable, 'HTTP 500'],
    ['/refused', LegacyFault, 'HTTP 403'],
    ['/slow-down', LegacyUnavailable, 'HTTP 429'],
    ['/bad-request', LegacyFault, 'HTTP 400'],
    ['/garbage', LegacyBadResponse, undefined],
    ['/hang', LegacyTimeout, undefined],
  ] as const)('%s becomes %O with detail %s and no body in the message', async (path, Type, detail) => {
    const error = await client.get(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Type);
    expect((error as { detail?: string }).detail).toBe(detail);
    expect((error as Error).message).not.toMatch(/6101604321|fejlkode|Internal Server Error/);
    expect((error as { system: string }).system).toBe('bbr');
  });

  it('marks a 5xx error document as the system\'s own fault and a 4xx one as the request\'s', async () => {
    expect(((await client.get('/error-document').catch((e: unknown) => e)) as LegacyFault).serverSide).toBe(true);
    expect(((await client.get('/bad-request').catch((e: unknown) => e)) as LegacyFault).serverSide).toBe(false);
  });

  it('reports an unreachable system as LegacyUnavailable', async () => {
    const nowhere = createJsonClient({ system: 'dar', baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
    await expect(nowhere.get('/x')).rejects.toBeInstanceOf(LegacyUnavailable);
    await nowhere.close();
  });

  it('gives up when the caller aborts, as a timeout', async () => {
    const controller = new AbortController();
    const pending = client.get('/hang', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(LegacyTimeout);
  });
});
