/**
 * Issue 13, "Real connections": Datafordeler serves BBR and DAR to a service user (tjenestebruger:
 * `username` and `password` in the query) or a certificate user. The REST client sends them on
 * every call, the BBR and DAR simulators answer only calls that carry them, and the password is
 * in no error and no printed configuration, whatever goes wrong.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRestBuildingRegister } from '../../adapters/bbr';
import { createRegistryCache } from '../../adapters/core/cache';
import { LegacyFault, LegacyUnavailable } from '../../adapters/core/errors';
import { createJsonClient, QueryCredentials, type JsonClient, type JsonClientOptions } from '../../adapters/core/restClient';
import { createRestAddressRegister } from '../../adapters/dar';
import { describeForLog } from '../../runtime/redact';
import { startBbrSimulator } from '../../simulators/bbr/server';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { startDarSimulator } from '../../simulators/dar/server';
import { buildWorld } from '../../simulators/data/world';
import { propertyRegistersFrom } from '../../subgraphs/property';
import { datafordelerAccess, parseLegacyConfig, type LegacyConfigInput } from '../../subgraphs/shared/config';
import { legacyPlumbing } from '../../subgraphs/shared/legacyServices';
import { makeTestPki, TEST_CLIENT_SUBJECT, withoutCheckingTheServer, type TestPki } from '../support/testPki';

const world = buildWorld();
const building = [...world.buildings.values()][0]!;
const address = [...world.addresses.values()][0]!;
const serviceUser = { username: 'kgtest', password: 'df-test-only-81c4' };
const example = JSON.parse(readFileSync(fileURLToPath(new URL('../../config/legacy.example.json', import.meta.url)), 'utf8')) as LegacyConfigInput;

let bbr: RunningSimulator;
let dar: RunningSimulator;
const clients: JsonClient[] = [];

function client(options: JsonClientOptions): JsonClient {
  const made = createJsonClient({ timeoutMs: 2_000, ...options });
  clients.push(made);
  return made;
}
const buildings = (made: JsonClient) => createRestBuildingRegister({ client: made, cache: createRegistryCache() });

/** Every way an error could reach a log or a client: none may hold the password. */
function expectNoPassword(error: unknown) {
  const shown = [(error as Error).message, (error as { detail?: string }).detail, describeForLog(error), inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
  expect(shown).not.toContain(serviceUser.password);
}

beforeAll(async () => {
  [bbr, dar] = await Promise.all([startBbrSimulator({ world, serviceUser }), startDarSimulator({ world, serviceUser })]);
});
afterAll(async () => {
  await Promise.all([bbr.close(), dar.close()]);
});
afterEach(async () => {
  for (const made of clients.splice(0)) await made.close();
  bbr.resetCalls();
  dar.resetCalls();
});

describe('a Datafordeler service user', () => {
  it('reaches BBR and DAR on every call, read from the legacy configuration by reference', async () => {
    const config = parseLegacyConfig(
      { ...example, bbr: { url: bbr.url, credentials: { env: 'KG_DATAFORDELER' } }, dar: { url: dar.url, credentials: { env: 'KG_DATAFORDELER' } } },
      { env: { KG_DATAFORDELER: `${serviceUser.username}:${serviceUser.password}` } },
    );
    // The registers the property subgraph itself builds from the configuration, through its plumbing.
    const plumbing = legacyPlumbing(config);
    const registers = propertyRegistersFrom(config, plumbing);
    try {
      expect((await registers.buildings.buildingById(building.id)).id).toBe(building.id);
      expect((await registers.addresses.byId(address.id)).id).toBe(address.id);
    } finally {
      await plumbing.close();
    }
    // The simulators answered, so they saw the right username and password; what they record as the call's key holds neither.
    expect(bbr.calls.map((c) => `${c.operation} ${c.key}`)).toEqual([`bygning id:${building.id}`]);
    expect(dar.calls).toHaveLength(1);
    expect(JSON.stringify([bbr.calls, dar.calls])).not.toContain(serviceUser.password);
  });

  it('without credentials, or with a wrong password, is refused as LEGACY_FAULT HTTP 401 that names no password', async () => {
    const none = await buildings(client({ system: 'bbr', baseUrl: bbr.url })).buildingById(building.id).catch((e: unknown) => e);
    const wrong = await buildings(client({ system: 'bbr', baseUrl: bbr.url, queryCredentials: new QueryCredentials({ ...serviceUser, password: 'wrong-81c4' }) }))
      .buildingById(building.id)
      .catch((e: unknown) => e);
    for (const refused of [none, wrong]) {
      expect(refused).toBeInstanceOf(LegacyFault);
      expect(refused).toMatchObject({ system: 'bbr', detail: 'HTTP 401', serverSide: false });
      expect(`${(refused as Error).message} ${describeForLog(refused)}`).not.toMatch(/81c4|username|password/);
    }
    // Refused at the door: nothing reached the register.
    expect(bbr.calls).toEqual([]);
  });

  it('is in no error when the service cannot be reached, or answers with our own URL in its error document', async () => {
    const credentials = new QueryCredentials(serviceUser);
    // A port nobody listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await client({ system: 'bbr', baseUrl: `http://127.0.0.1:${closedPort}/`, queryCredentials: credentials }).get('BBR/BBRPublic/1/rest/bygning?Id=1').catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(LegacyUnavailable);
    expect(unreachable).toMatchObject({ detail: 'ECONNREFUSED' });
    expectNoPassword(unreachable);

    // A gateway in front of the service that quotes the request it refused.
    const echo: Server = createServer((req, res) => {
      res.writeHead(req.url?.includes('fail=500') ? 500 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'refused', request: req.url }));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`;
      const echoing = client({ system: 'bbr', baseUrl: base, queryCredentials: credentials });
      for (const path of ['bygning?Id=1', 'bygning?fail=500']) {
        const refused = await echoing.get(path).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(LegacyFault);
        expectNoPassword(refused);
      }
    } finally {
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });
});

describe('a Datafordeler certificate user', () => {
  let pki: TestPki;
  let guarded: RunningSimulator;
  beforeAll(async () => {
    pki = makeTestPki();
    const read = (path: string) => readFileSync(path);
    guarded = await startBbrSimulator({ world, tls: { key: read(pki.serverKey), cert: read(pki.serverCert), clientCa: read(pki.caCert) } });
  });
  afterAll(async () => {
    await guarded.close();
    pki.remove();
  });

  it('reaches BBR with the certificate the configuration names, and is refused without one', async () => {
    const config = parseLegacyConfig(
      { ...example, bbr: { url: guarded.url, clientCertificate: { pfx: 'client.p12', passphrase: { env: 'KG_P12' }, ca: 'ca.pem' } } },
      { baseDir: pki.dir, env: { KG_P12: pki.pfxPassphrase } },
    );
    const withCertificate = client({ system: 'bbr', baseUrl: config.bbr.url, ...datafordelerAccess(config.bbr) });
    expect((await buildings(withCertificate).buildingById(building.id)).id).toBe(building.id);
    expect(guarded.calls.map((c) => c.clientCertificate)).toEqual([TEST_CLIENT_SUBJECT]);

    // Without one (and so without our CA): the service is not trusted, and not called.
    const without = await client({ system: 'bbr', baseUrl: guarded.url }).get(`BBR/BBRPublic/1/rest/bygning?Id=${building.id}`).catch((e: unknown) => e);
    expect(without).toBeInstanceOf(LegacyUnavailable);
    expect(without).toMatchObject({ message: "bbr: the service's TLS certificate is not trusted (is the right CA configured?)" });
    // Trusting it but presenting nothing: the service refuses the handshake. undici reports the
    // TLS 1.3 alert that follows as the other side closing (UND_ERR_SOCKET), not by its name.
    const refused = await withoutCheckingTheServer(() => client({ system: 'bbr', baseUrl: guarded.url }).get(`BBR/BBRPublic/1/rest/bygning?Id=${building.id}`).catch((e: unknown) => e));
    expect(refused).toBeInstanceOf(LegacyUnavailable);
    expect(refused).toMatchObject({ message: 'bbr: the service could not be reached', detail: 'UND_ERR_SOCKET' });
    expect(guarded.calls).toHaveLength(1);
  });
});
