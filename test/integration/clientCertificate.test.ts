/**
 * Issue 13, "Real connections": Serviceplatformen refuses a call without the system certificate
 * (`sp:RequireClientCertificate` in SF1520's policies.wsdl). The CPR and case-index simulators
 * serve HTTPS here and ask for a client certificate from a throwaway CA made at test time; a real
 * SOAP PersonLookup is refused without one, as a typed error that tells nothing of the
 * certificate, and answered with one, as PEM and as PKCS#12, the WSDL documents included.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSoapCaseIndex } from '../../adapters/case-index';
import { LegacyUnavailable } from '../../adapters/core/errors';
import { checkTlsClientIdentity, type TlsClientIdentity, type TlsClientIdentityInput } from '../../adapters/core/tlsIdentity';
import { createSoapPersonRegistry, type SoapPersonRegistry } from '../../adapters/cpr';
import { describeForLog } from '../../runtime/redact';
import { CASE_INDEX_SERVICE_PATH, startCaseIndexSimulator } from '../../simulators/case-index/server';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { CPR_SERVICE_PATH, startCprSimulator } from '../../simulators/cpr/server';
import { buildWorld } from '../../simulators/data/world';
import { personRegistryFrom } from '../../subgraphs/citizen';
import { loadLegacyConfig } from '../../subgraphs/shared/config';
import { makeTestPki, TEST_CLIENT_SUBJECT, withoutCheckingTheServer, type TestPki } from '../support/testPki';

const world = buildWorld();
const person = [...world.persons.values()][0]!;
const invocationContext = {
  serviceAgreementUuid: '6a3c2f0e-1d4b-4c8a-9e7f-2b5d8c1a4e60',
  userSystemUuid: '0f5e8d2c-7b1a-4e3d-8c6f-9a2b4d1e7c35',
  userUuid: '3b7e1c9d-5f2a-4d8e-a6c1-8e4f2b9d6a17',
  serviceUuid: '1b2d3f4a-5c6e-4f80-9a1b-2c3d4e5f6a7b',
};
/** The simulator's WSDL as a file: a call refused at the door is then the call's own failure, not the WSDL's. */
const localWsdl = fileURLToPath(new URL('../../simulators/cpr/PersonBaseDataExtendedService.wsdl', import.meta.url));

let pki: TestPki;
let cpr: RunningSimulator;
const registries: SoapPersonRegistry[] = [];
const read = (path: string) => readFileSync(path);

function identity(input: TlsClientIdentityInput): TlsClientIdentity {
  const checked = checkTlsClientIdentity(input);
  if (!checked.identity) throw new Error(`test identity refused: ${JSON.stringify(checked.problems)}`);
  return checked.identity;
}

/**
 * A registry on its own WSDL location: soap keeps a parsed WSDL by location, process-wide, so a
 * location of its own makes each load cold (and really fetched with this registry's identity).
 */
let wsdlLoads = 0;
function registry(clientCertificate: TlsClientIdentity | undefined, wsdl: 'https' | 'file' = 'https'): SoapPersonRegistry {
  const made = createSoapPersonRegistry({
    wsdl: wsdl === 'file' ? localWsdl : `${cpr.url}${CPR_SERVICE_PATH}?wsdl&load=${++wsdlLoads}`,
    endpoint: `${cpr.url}${CPR_SERVICE_PATH}`,
    invocationContext,
    timeoutMs: 2_000,
    ...(clientCertificate ? { clientCertificate } : {}),
  });
  registries.push(made);
  return made;
}

/** Everything an error could show a log or a client: nothing of it may be certificate data, a secret or a stack. */
function expectNothingLeaked(error: unknown) {
  const shown = [(error as Error).message, (error as { detail?: string }).detail, describeForLog(error), inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
  for (const secret of [pki.keyPassphrase, pki.pfxPassphrase, 'PRIVATE KEY', 'BEGIN CERTIFICATE', TEST_CLIENT_SUBJECT]) expect(shown).not.toContain(secret);
  // OpenSSL's message names its source files; it must not come along.
  expect(describeForLog(error)).not.toMatch(/\.c:\d+|ssl3_|routines/);
}

beforeAll(async () => {
  pki = makeTestPki();
  cpr = await startCprSimulator({ world, tls: { key: read(pki.serverKey), cert: read(pki.serverCert), clientCa: read(pki.caCert) } });
});
afterAll(async () => {
  await cpr.close();
  pki.remove();
});
afterEach(() => {
  for (const made of registries.splice(0)) made.soap.close();
  cpr.resetCalls();
});

describe('CPR PersonLookup over TLS that requires a client certificate', () => {
  it('is answered with a PEM certificate and key, the WSDL fetched with them too', async () => {
    const pem = identity({ cert: read(pki.clientCert), key: read(pki.clientKey), passphrase: pki.keyPassphrase, ca: read(pki.caCert) });
    const found = await registry(pem).lookup(person.cpr);
    expect(found.cpr).toBe(person.cpr);
    expect(cpr.calls.map((c) => [c.operation, c.clientCertificate])).toEqual([
      ['wsdl', TEST_CLIENT_SUBJECT],
      ['PersonLookup', TEST_CLIENT_SUBJECT],
    ]);
  });

  it('is answered with a PKCS#12 bundle, over one kept-alive connection for two look-ups', async () => {
    const pkcs12 = identity({ pfx: read(pki.clientPfx), passphrase: pki.pfxPassphrase, ca: read(pki.caCert) });
    const made = registry(pkcs12);
    const before = cpr.connectionsOpened();
    await made.lookup(person.cpr);
    await made.lookup(person.cpr);
    expect(cpr.callsTo('PersonLookup', person.cpr).map((c) => c.clientCertificate)).toEqual([TEST_CLIENT_SUBJECT, TEST_CLIENT_SUBJECT]);
    // The WSDL and both look-ups went over the one connection: the identity did not cost keep-alive.
    expect(cpr.connectionsOpened() - before).toBe(1);
  });

  it('is refused without a certificate, as LEGACY_UNAVAILABLE that names the TLS alert and shows nothing of the exchange', async () => {
    const refused = await withoutCheckingTheServer(() => registry(undefined, 'file').lookup(person.cpr).catch((e: unknown) => e));
    expect(refused).toBeInstanceOf(LegacyUnavailable);
    expect(refused).toMatchObject({
      code: 'LEGACY_UNAVAILABLE',
      system: 'cpr',
      message: 'cpr: the service refused our TLS client certificate, or its absence',
      detail: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    });
    expectNothingLeaked(refused);
    // Refused at the door: nothing reached CPR.
    expect(cpr.calls).toEqual([]);
  });

  it('cannot load its WSDL without the certificate either, and says why', async () => {
    const refused = await withoutCheckingTheServer(() => registry(undefined).lookup(person.cpr).catch((e: unknown) => e));
    expect(refused).toBeInstanceOf(LegacyUnavailable);
    expect(refused).toMatchObject({ detail: 'wsdl', message: 'cpr: WSDL could not be loaded (the service refused our TLS client certificate, or its absence)' });
    expectNothingLeaked(refused);
    expect(cpr.calls).toEqual([]);
  });

  it('does not call a service whose certificate it cannot trust', async () => {
    const refused = await registry(undefined, 'file').lookup(person.cpr).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LegacyUnavailable);
    expect(refused).toMatchObject({ message: "cpr: the service's TLS certificate is not trusted (is the right CA configured?)", detail: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expectNothingLeaked(refused);
    expect(cpr.calls).toEqual([]);
  });

  it('is refused with a certificate from a CA the service does not know', async () => {
    const stranger = identity({ cert: read(pki.strangerCert), key: read(pki.strangerKey), ca: read(pki.caCert) });
    const refused = await registry(stranger, 'file').lookup(person.cpr).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LegacyUnavailable);
    // Node's server checks a presented certificate after the handshake and drops the connection
    // without an alert (OpenSSL alerts only for a missing one): the client sees a reset.
    expect(refused).toMatchObject({ message: 'cpr: the service could not be reached', detail: 'ECONNRESET' });
    expectNothingLeaked(refused);
    expect(cpr.calls).toEqual([]);
  });
});

describe('the SF1470 case index over the same TLS', () => {
  it('answers a fremsoeg made with the certificate, and refuses one made with another', async () => {
    const index = await startCaseIndexSimulator({ world, tls: { key: read(pki.serverKey), cert: read(pki.serverCert), clientCa: read(pki.caCert) } });
    const made = (clientCertificate: TlsClientIdentity) =>
      createSoapCaseIndex({ wsdl: `${index.url}${CASE_INDEX_SERVICE_PATH}?wsdl&load=${++wsdlLoads}`, endpoint: `${index.url}${CASE_INDEX_SERVICE_PATH}`, clientCertificate });
    const ours = made(identity({ pfx: read(pki.clientPfx), passphrase: pki.pfxPassphrase, ca: read(pki.caCert) }));
    const theirs = made(identity({ cert: read(pki.strangerCert), key: read(pki.strangerKey), ca: read(pki.caCert) }));
    try {
      const party = [...world.cases.values()][0]!.parties[0]!.cpr;
      expect((await ours.casesByParty(party)).length).toBeGreaterThan(0);
      expect(index.callsTo('fremsoeg').map((c) => c.clientCertificate)).toEqual([TEST_CLIENT_SUBJECT]);
      await expect(theirs.casesByParty(party)).rejects.toBeInstanceOf(LegacyUnavailable);
    } finally {
      ours.soap.close();
      theirs.soap.close();
      await index.close();
    }
  });
});

describe('the certificate named in the legacy configuration', () => {
  it('reaches the CPR adapter: files relative to the configuration, the passphrase from the environment', async () => {
    const configPath = join(pki.dir, 'legacy.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        cpr: {
          wsdl: `${cpr.url}${CPR_SERVICE_PATH}?wsdl&load=${++wsdlLoads}`,
          endpoint: `${cpr.url}${CPR_SERVICE_PATH}`,
          invocationContext,
          clientCertificate: { pfx: 'client.p12', passphrase: { env: 'KG_TEST_P12_PASSPHRASE' }, ca: 'ca.pem' },
        },
        caseIndex: { wsdl: `${cpr.url}/unused?wsdl` },
        bbr: { url: 'https://bbr.invalid/' },
        dar: { url: 'https://dar.invalid/' },
        kle: { url: 'https://kle.invalid/' },
        tenantRegistry: 'tenants.json',
      }),
    );
    const config = loadLegacyConfig({ LEGACY_CONFIG: configPath, KG_TEST_P12_PASSPHRASE: pki.pfxPassphrase });
    const made = personRegistryFrom(config);
    registries.push(made);
    expect((await made.lookup(person.cpr)).cpr).toBe(person.cpr);
    expect(cpr.callsTo('PersonLookup').map((c) => c.clientCertificate)).toEqual([TEST_CLIENT_SUBJECT]);
    // The parsed configuration shows who we are, never the key or the passphrase.
    const shown = `${JSON.stringify(config)}\n${inspect(config, { depth: 10 })}`;
    expect(shown).toContain(TEST_CLIENT_SUBJECT);
    expect(shown).not.toContain(pki.pfxPassphrase);
    expect(shown).not.toContain('PRIVATE KEY');
  });
});
