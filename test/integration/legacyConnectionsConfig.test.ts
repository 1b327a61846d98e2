/**
 * Issue 13, "Real connections": who we are to Serviceplatformen and Datafordeler is checked when
 * the legacy configuration is read, so a deployment with a wrong passphrase or an expired
 * certificate does not start. Each bad case is refused as CONFIG_INVALID with a message naming
 * the setting (and the file or reference it names), never the secret; all of them at once.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { QueryCredentials } from '../../adapters/core/restClient';
import { TlsClientIdentity } from '../../adapters/core/tlsIdentity';
import { ConfigInvalid, loadLegacyConfig, parseLegacyConfig, type LegacyConfigInput } from '../../subgraphs/shared/config';
import { makeTestPki, TEST_CLIENT_SUBJECT, type TestPki } from '../support/testPki';

const example = JSON.parse(readFileSync(fileURLToPath(new URL('../../config/legacy.example.json', import.meta.url)), 'utf8')) as LegacyConfigInput;

// Made when the file is collected: the tables below name its files.
const pki: TestPki = makeTestPki();
afterAll(() => pki.remove());

const env = () => ({ KG_KEY_PASSPHRASE: pki.keyPassphrase, KG_P12_PASSPHRASE: pki.pfxPassphrase, KG_BBR_USER: 'kgbbr:bbr-test-only-5e2b' });

/** The example configuration with `cpr.clientCertificate` set, read from the PKI's folder. */
function withCprCertificate(clientCertificate: unknown, environment: NodeJS.ProcessEnv = env()) {
  return parseLegacyConfig({ ...example, cpr: { ...example.cpr, clientCertificate } }, { baseDir: pki.dir, env: environment });
}

/** The issues a configuration is refused with; fails when it is accepted. */
function issuesOf(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalid);
    expect((error as ConfigInvalid).code).toBe('CONFIG_INVALID');
    const issues = (error as ConfigInvalid).issues;
    // Whatever went wrong, no message holds a secret or key material.
    const all = `${issues.join('\n')}\n${(error as Error).message}`;
    for (const secret of [pki.keyPassphrase, pki.pfxPassphrase, 'bbr-test-only-5e2b', 'PRIVATE KEY', 'BEGIN']) expect(all).not.toContain(secret);
    return issues;
  }
  throw new Error('the configuration was accepted');
}

const file = (name: string) => `${pki.dir}/${name}`;

describe('a Serviceplatformen client certificate in the legacy configuration', () => {
  it('is read as PKCS#12 or PEM, files named relative to the configuration, and shows no secret when printed', () => {
    const pkcs12 = withCprCertificate({ pfx: 'client.p12', passphrase: { env: 'KG_P12_PASSPHRASE' }, ca: 'ca.pem' });
    const pem = withCprCertificate({ cert: 'client.pem', key: 'client.key', passphrase: { env: 'KG_KEY_PASSPHRASE' } });
    for (const config of [pkcs12, pem]) {
      expect(config.cpr.clientCertificate).toBeInstanceOf(TlsClientIdentity);
      expect(config.cpr.clientCertificate?.subject).toBe(TEST_CLIENT_SUBJECT);
      const shown = `${JSON.stringify(config)}\n${inspect(config, { depth: 10 })}`;
      for (const secret of [pki.keyPassphrase, pki.pfxPassphrase, 'PRIVATE KEY']) expect(shown).not.toContain(secret);
    }
    // A passphrase file written with `echo` ends in a line break, which is not part of the passphrase.
    writeFileSync(file('p12-passphrase.txt'), `${pki.pfxPassphrase}\n`);
    expect(withCprCertificate({ pfx: 'client.p12', passphrase: { file: 'p12-passphrase.txt' } }, {}).cpr.clientCertificate).toBeDefined();
  });

  it.each([
    ['a file that is not there', { pfx: 'missing.p12', passphrase: { env: 'KG_P12_PASSPHRASE' } }, `cpr.clientCertificate.pfx: cannot read ${file('missing.p12')}`],
    ['a PKCS#12 setting naming a PEM file', { pfx: 'client.pem', passphrase: { env: 'KG_P12_PASSPHRASE' } }, `cpr.clientCertificate.pfx: is not a PKCS#12 (.p12/.pfx) file (${file('client.pem')})`],
    ['a PKCS#12 file without its certificate', { pfx: 'key-only.p12', passphrase: { env: 'KG_P12_PASSPHRASE' } }, `cpr.clientCertificate.pfx: the PKCS#12 file holds no certificate (only a key?): export it with its certificate (${file('key-only.p12')})`],
    ['the wrong PKCS#12 passphrase', { pfx: 'client.p12', passphrase: { env: 'KG_KEY_PASSPHRASE' } }, `cpr.clientCertificate.passphrase: does not open the PKCS#12 file (the environment variable KG_KEY_PASSPHRASE, for ${file('client.p12')})`],
    ['no passphrase for a protected PKCS#12 file', { pfx: 'client.p12' }, `cpr.clientCertificate.passphrase: the PKCS#12 file is protected: name its passphrase (no passphrase, for ${file('client.p12')})`],
    ['a passphrase variable that is not set', { pfx: 'client.p12', passphrase: { env: 'KG_NOT_SET' } }, 'cpr.clientCertificate.passphrase: the environment variable KG_NOT_SET is not set'],
    ['a certificate setting naming no certificate', { cert: 'not-pem.txt', key: 'other.key' }, `cpr.clientCertificate.cert: is not a certificate (PEM or DER) (${file('not-pem.txt')})`],
    ['a key setting naming no key', { cert: 'client.pem', key: 'client.pem' }, `cpr.clientCertificate.key: is not a private key (PEM or DER) (${file('client.pem')})`],
    ['the wrong key passphrase', { cert: 'client.pem', key: 'client.key', passphrase: { env: 'KG_P12_PASSPHRASE' } }, `cpr.clientCertificate.passphrase: does not open the private key (the environment variable KG_P12_PASSPHRASE, for ${file('client.key')})`],
    ['no passphrase for an encrypted key', { cert: 'client.pem', key: 'client.key' }, `cpr.clientCertificate.passphrase: the private key is encrypted: name its passphrase (no passphrase, for ${file('client.key')})`],
    ['a key that is not the certificate\'s', { cert: 'client.pem', key: 'other.key' }, `cpr.clientCertificate.key: is not the key of the certificate (${file('other.key')})`],
    ['an expired certificate', { cert: 'expired.pem', key: 'client.key', passphrase: { env: 'KG_KEY_PASSPHRASE' } }, `cpr.clientCertificate.cert: the certificate expired on 2020-01-02T00:00:00.000Z (${file('expired.pem')})`],
    ['a certificate not valid yet', { cert: 'future.pem', key: 'client.key', passphrase: { env: 'KG_KEY_PASSPHRASE' } }, `cpr.clientCertificate.cert: the certificate is not valid before 2099-01-01T00:00:00.000Z (${file('future.pem')})`],
    ['a CA file that is no certificate', { pfx: 'client.p12', passphrase: { env: 'KG_P12_PASSPHRASE' }, ca: 'not-pem.txt' }, `cpr.clientCertificate.ca: holds something that is not a certificate (PEM or DER) (${file('not-pem.txt')})`],
    ['both forms at once', { pfx: 'client.p12', cert: 'client.pem', key: 'client.key' }, 'cpr.clientCertificate: give either "pfx" or "cert" and "key", not both'],
    ['a key without its certificate', { key: 'client.key' }, 'cpr.clientCertificate.cert: must name the certificate file that goes with "key"'],
    ['a passphrase written into the file', { pfx: 'client.p12', passphrase: 'p12-test-only-7c1d' }, 'cpr.clientCertificate.passphrase: must name where the secret is kept, { "env": "VARIABLE" } or { "file": "path" }, never hold it'],
  ])('refuses %s, naming the setting', (_case, clientCertificate, expected) => {
    expect(issuesOf(() => withCprCertificate(clientCertificate))).toEqual([expected]);
  });

  it('lists every bad setting at once, the case index\'s and Datafordeler\'s beside CPR\'s', () => {
    const issues = issuesOf(() =>
      parseLegacyConfig(
        {
          ...example,
          cpr: { ...example.cpr, clientCertificate: { cert: 'expired.pem', key: 'other.key' } },
          caseIndex: { ...example.caseIndex, clientCertificate: { pfx: 'client.p12', passphrase: { env: 'KG_KEY_PASSPHRASE' } } },
          bbr: { url: 'https://services.datafordeler.dk/', credentials: { env: 'KG_NOT_SET' } },
          timeoutMs: -1,
        },
        { baseDir: pki.dir, env: env() },
      ),
    );
    expect(issues).toEqual([
      `cpr.clientCertificate.key: is not the key of the certificate (${file('other.key')})`,
      `caseIndex.clientCertificate.passphrase: does not open the PKCS#12 file (the environment variable KG_KEY_PASSPHRASE, for ${file('client.p12')})`,
      'bbr.credentials: the environment variable KG_NOT_SET is not set',
      'timeoutMs: Too small: expected number to be >0',
    ]);
  });
});

describe('Datafordeler credentials in the legacy configuration', () => {
  it('reads a service user by reference into credentials that print as their names only', () => {
    const config = parseLegacyConfig({ ...example, bbr: { url: 'https://services.datafordeler.dk/', credentials: { env: 'KG_BBR_USER' } } }, { baseDir: pki.dir, env: env() });
    expect(config.bbr.credentials).toBeInstanceOf(QueryCredentials);
    expect(JSON.stringify(config.bbr)).toBe('{"url":"https://services.datafordeler.dk/","credentials":"[query credentials: username, password]"}');
    expect(inspect(config, { depth: 10 })).not.toContain('bbr-test-only-5e2b');
    const url = new URL('https://services.datafordeler.dk/BBR/BBRPublic/1/rest/bygning?Id=1');
    config.bbr.credentials!.applyTo(url);
    expect([url.searchParams.get('username'), url.searchParams.get('password')]).toEqual(['kgbbr', 'bbr-test-only-5e2b']);
  });

  it('reads a certificate user as a client certificate', () => {
    const config = parseLegacyConfig(
      { ...example, dar: { url: 'https://certservices.datafordeler.dk/', clientCertificate: { pfx: 'client.p12', passphrase: { env: 'KG_P12_PASSPHRASE' } } } },
      { baseDir: pki.dir, env: env() },
    );
    expect(config.dar.clientCertificate?.subject).toBe(TEST_CLIENT_SUBJECT);
  });

  it.each([
    ['credentials that are not "username:password"', { credentials: { env: 'KG_KEY_PASSPHRASE' } }, 'bbr.credentials: the credentials must read "username:password" (the environment variable KG_KEY_PASSPHRASE)'],
    ['a credentials file that is not there', { credentials: { file: 'no-such-secret' } }, `bbr.credentials: cannot read ${file('no-such-secret')}`],
    ['a password written into the file', { credentials: 'kgbbr:bbr-test-only-5e2b' }, 'bbr.credentials: must name where the secret is kept, { "env": "VARIABLE" } or { "file": "path" }, never hold it'],
    ['a service user and a certificate at once', { credentials: { env: 'KG_BBR_USER' }, clientCertificate: { pfx: 'client.p12', passphrase: { env: 'KG_P12_PASSPHRASE' } } }, 'bbr: give "credentials" (a service user) or "clientCertificate" (a certificate user), not both'],
  ])('refuses %s, naming the setting', (_case, access, expected) => {
    expect(issuesOf(() => parseLegacyConfig({ ...example, bbr: { url: 'https://services.datafordeler.dk/', ...access } }, { baseDir: pki.dir, env: env() }))).toEqual([expected]);
  });
});

describe('config/legacy.production.example.json', () => {
  it('is read once the files and secrets it names are where it says', () => {
    const productionExample = fileURLToPath(new URL('../../config/legacy.production.example.json', import.meta.url));
    // The example beside its files, as a deployment lays them out.
    mkdirSync(file('certificates'), { recursive: true });
    mkdirSync(file('secrets'), { recursive: true });
    copyFileSync(productionExample, file('legacy.json'));
    copyFileSync(pki.clientPfx, file('certificates/serviceplatformen.p12'));
    copyFileSync(pki.clientCert, file('certificates/serviceplatformen.pem'));
    copyFileSync(pki.clientKey, file('certificates/serviceplatformen.key'));
    writeFileSync(file('secrets/serviceplatformen-key-passphrase'), `${pki.keyPassphrase}\n`);
    writeFileSync(file('secrets/datafordeler-service-user'), 'kgdar:dar-test-only-0d3e\n');
    const config = loadLegacyConfig({
      LEGACY_CONFIG: file('legacy.json'),
      SERVICEPLATFORMEN_CERTIFICATE_PASSPHRASE: pki.pfxPassphrase,
      DATAFORDELER_SERVICE_USER: 'kgbbr:bbr-test-only-5e2b',
    });
    expect([config.cpr.clientCertificate?.subject, config.caseIndex.clientCertificate?.subject]).toEqual([TEST_CLIENT_SUBJECT, TEST_CLIENT_SUBJECT]);
    expect([config.bbr.credentials, config.dar.credentials].every((c) => c instanceof QueryCredentials)).toBe(true);
    const url = new URL('https://services.datafordeler.dk/DAR/DAR/1/rest/adresse');
    config.dar.credentials!.applyTo(url);
    expect(url.searchParams.get('password')).toBe('dar-test-only-0d3e');
  });
});
