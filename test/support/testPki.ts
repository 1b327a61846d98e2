/**
 * A throwaway PKI for TLS tests, made with the `openssl` CLI in a temporary folder: a CA, a
 * server certificate for 127.0.0.1, a client certificate as PEM (its key encrypted) and as
 * PKCS#12, and the bad cases start-up must refuse (expired, not yet valid, another key, another
 * CA, a bundle without a certificate). EC P-256 keys: quick to make on a busy machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  /** The CA that issued the server's and the client's certificates (PEM). */
  caCert: string;
  serverKey: string;
  serverCert: string;
  /** The client certificate and its key, encrypted with `keyPassphrase` (PEM). */
  clientCert: string;
  clientKey: string;
  keyPassphrase: string;
  /** The same identity as one PKCS#12 file, protected with `pfxPassphrase`. */
  clientPfx: string;
  pfxPassphrase: string;
  /** The client's key, certified only from 2020-01-01 to 2020-01-02. */
  expiredCert: string;
  /** The client's key, certified only from 2099. */
  futureCert: string;
  /** A key that belongs to no certificate here (PEM, unencrypted). */
  otherKey: string;
  /** A client identity from a CA the server does not know (PEM, unencrypted key). */
  strangerCert: string;
  strangerKey: string;
  /** A PKCS#12 file holding the client's key only. */
  keyOnlyPfx: string;
  /** A text file that is none of the above. */
  notPem: string;
  /** Removes the folder. */
  remove(): void;
}

export const TEST_CLIENT_SUBJECT = 'CN=kommune-graph test client';

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'kg-pki-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ecKey = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', at(name));
  const keyPassphrase = 'pem-test-only-3f9a';
  const pfxPassphrase = 'p12-test-only-7c1d';

  // Two CAs: ours, and a stranger's.
  for (const ca of ['ca', 'stranger-ca']) {
    ecKey(`${ca}.key`);
    openssl('req', '-x509', '-new', '-key', at(`${ca}.key`), '-out', at(`${ca}.pem`), '-days', '2', '-subj', `/CN=kommune-graph ${ca}`);
  }
  const issue = (csr: string, out: string, ca = 'ca', extfile?: string) =>
    openssl('x509', '-req', '-in', at(csr), '-CA', at(`${ca}.pem`), '-CAkey', at(`${ca}.key`), '-CAcreateserial', '-out', at(out), '-days', '2', ...(extfile ? ['-extfile', at(extfile)] : []));

  ecKey('server.key');
  openssl('req', '-new', '-key', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(at('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  issue('server.csr', 'server.pem', 'ca', 'server.ext');

  ecKey('client-plain.key');
  openssl('pkey', '-in', at('client-plain.key'), '-aes256', '-passout', `pass:${keyPassphrase}`, '-out', at('client.key'));
  openssl('req', '-new', '-key', at('client-plain.key'), '-out', at('client.csr'), '-subj', `/${TEST_CLIENT_SUBJECT}`);
  issue('client.csr', 'client.pem');
  openssl('pkcs12', '-export', '-in', at('client.pem'), '-inkey', at('client-plain.key'), '-passout', `pass:${pfxPassphrase}`, '-out', at('client.p12'));
  openssl('pkcs12', '-export', '-nocerts', '-inkey', at('client-plain.key'), '-passout', `pass:${pfxPassphrase}`, '-out', at('key-only.p12'));

  // Certificates valid at other times: `openssl ca` is the one command of OpenSSL 3.0 that takes dates.
  writeFileSync(at('index.txt'), '');
  writeFileSync(at('serial'), '1000\n');
  writeFileSync(
    at('ca.cnf'),
    ['[ca]', 'default_ca = test', '[test]', 'database = index.txt', 'serial = serial', 'new_certs_dir = .', 'default_md = sha256', 'policy = any', 'unique_subject = no', '[any]', 'commonName = supplied', ''].join('\n'),
  );
  const dated = (out: string, start: string, end: string) =>
    openssl('ca', '-batch', '-config', at('ca.cnf'), '-cert', at('ca.pem'), '-keyfile', at('ca.key'), '-in', at('client.csr'), '-out', at(out), '-startdate', start, '-enddate', end, '-notext');
  dated('expired.pem', '20200101000000Z', '20200102000000Z');
  dated('future.pem', '20990101000000Z', '20991231000000Z');

  ecKey('other.key');
  ecKey('stranger.key');
  openssl('req', '-new', '-key', at('stranger.key'), '-out', at('stranger.csr'), '-subj', '/CN=someone else');
  issue('stranger.csr', 'stranger.pem', 'stranger-ca');
  writeFileSync(at('not-pem.txt'), 'this is not a certificate\n');

  return {
    dir,
    caCert: at('ca.pem'),
    serverKey: at('server.key'),
    serverCert: at('server.pem'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    keyPassphrase,
    clientPfx: at('client.p12'),
    pfxPassphrase,
    expiredCert: at('expired.pem'),
    futureCert: at('future.pem'),
    otherKey: at('other.key'),
    strangerCert: at('stranger.pem'),
    strangerKey: at('stranger.key'),
    keyOnlyPfx: at('key-only.p12'),
    notPem: at('not-pem.txt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs `call` with Node's check of the server's certificate off (Node warns once that it is). A
 * client without an identity has no `ca` either, and the simulator's CA is made at test time: so
 * that what a test sees is the server refusing the missing certificate, not our distrust of it.
 */
export async function withoutCheckingTheServer<T>(call: () => Promise<T>): Promise<T> {
  const before = process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
  process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
  try {
    return await call();
  } finally {
    if (before === undefined) delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
    else process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = before;
  }
}
