/**
 * Who we are to a service that asks for a TLS client certificate: Serviceplatformen's policy
 * requires one on every call (`sp:RequireClientCertificate` in SF1520's policies.wsdl), and
 * Datafordeler serves certificate users too. The identity is checked once, when it is made, so a
 * wrong passphrase or an expired certificate stops start instead of failing every call.
 *
 * The key material lives in private fields: the identity serializes and prints as its
 * certificate's subject and validity only, so a configuration logged whole still shows no key.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext, type SecureContextOptions } from 'node:tls';
import { inspect } from 'node:util';

/**
 * The files' contents, as Node's TLS takes them: a PKCS#12 bundle (`.p12`/`.pfx`, as the
 * certificate portals hand out OCES/FOCES system certificates), or a PEM certificate and key.
 * `ca` replaces the system's trust store for the service's own certificate (a private CA, a
 * test environment); without it the service's certificate must chain to a public root.
 */
export type TlsClientIdentityInput =
  | { pfx: Buffer; passphrase?: string; ca?: Buffer }
  | { cert: Buffer; key: Buffer; passphrase?: string; ca?: Buffer };

/** Which part of the input a problem is about, so the configuration can name the setting. */
export type TlsIdentityPart = 'pfx' | 'cert' | 'key' | 'passphrase' | 'ca';

/** One reason an identity cannot be used. The message never holds the passphrase or key material. */
export interface TlsIdentityProblem {
  part: TlsIdentityPart;
  message: string;
}

/** A checked client identity. Make one with `checkTlsClientIdentity`. */
export class TlsClientIdentity {
  readonly #options: SecureContextOptions;
  /** The certificate's subject (`CN=…`), for messages: not a secret. */
  readonly subject: string;
  /** When the certificate stops being valid: worth an alert well before. */
  readonly validTo: Date;

  private constructor(options: SecureContextOptions, certificate: X509Certificate) {
    this.#options = options;
    this.subject = certificate.subject.replaceAll('\n', ', ');
    this.validTo = new Date(certificate.validTo);
  }

  /** @internal Made only by `checkTlsClientIdentity`, after every check passed. */
  static checked(options: SecureContextOptions, certificate: X509Certificate): TlsClientIdentity {
    return new TlsClientIdentity(options, certificate);
  }

  /** What `https.Agent` or undici's `connect` takes: a fresh object each time, so no caller edits ours. */
  connectOptions(): SecureContextOptions {
    return { ...this.#options };
  }

  toJSON(): { clientCertificate: string; validTo: string } {
    return { clientCertificate: this.subject, validTo: this.validTo.toISOString() };
  }

  [inspect.custom](): string {
    return `TlsClientIdentity { ${this.subject}, valid to ${this.validTo.toISOString()} }`;
  }
}

/**
 * The identity in `input`, or every problem with it: the file is not what it should be, the
 * passphrase does not open it, the key is not the certificate's, or the certificate is not valid
 * at `now`. OpenSSL's own messages are not passed on: they name its internals, not the setting.
 */
export function checkTlsClientIdentity(
  input: TlsClientIdentityInput,
  now: Date = new Date(),
): { identity: TlsClientIdentity; problems?: undefined } | { identity?: undefined; problems: TlsIdentityProblem[] } {
  const problems: TlsIdentityProblem[] = [];
  const ca = input.ca === undefined ? undefined : checkCa(input.ca, problems);
  const certificate = 'pfx' in input ? checkPkcs12(input.pfx, input.passphrase, problems) : checkPem(input.cert, input.key, input.passphrase, problems);
  if (certificate) checkValidity(certificate, 'pfx' in input ? 'pfx' : 'cert', now, problems);
  if (problems.length > 0 || !certificate) return { problems };
  const options: SecureContextOptions =
    'pfx' in input
      ? { pfx: input.pfx, ...(input.passphrase !== undefined ? { passphrase: input.passphrase } : {}) }
      : { cert: input.cert, key: input.key, ...(input.passphrase !== undefined ? { passphrase: input.passphrase } : {}) };
  if (ca) options.ca = ca;
  return { identity: TlsClientIdentity.checked(options, certificate) };
}

function checkPkcs12(pfx: Buffer, passphrase: string | undefined, problems: TlsIdentityProblem[]): X509Certificate | undefined {
  let context: SecureContext;
  try {
    context = createSecureContext({ pfx, ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (error) {
    const text = messageOf(error);
    // OpenSSL checks the bundle's MAC with the passphrase first: a wrong one fails there.
    if (/mac verify failure|bad decrypt|invalid password/i.test(text)) {
      problems.push({ part: 'passphrase', message: passphrase === undefined ? 'the PKCS#12 file is protected: name its passphrase' : 'does not open the PKCS#12 file' });
    } else if (/unable to load certificate/i.test(text)) {
      problems.push({ part: 'pfx', message: 'the PKCS#12 file holds no certificate (only a key?): export it with its certificate' });
    } else if (/unsupported/i.test(text)) {
      // Older tools encrypt PKCS#12 with RC2-40 or 3DES, which OpenSSL 3 only loads with its legacy provider.
      problems.push({ part: 'pfx', message: 'the PKCS#12 file is encrypted with an algorithm OpenSSL 3 no longer loads: export it again (openssl pkcs12 -export, AES-256)' });
    } else {
      problems.push({ part: 'pfx', message: 'is not a PKCS#12 (.p12/.pfx) file' });
    }
    return undefined;
  }
  // Node reads no PKCS#12 itself; a socket made on the context (never connected) shows its certificate.
  const socket = new TLSSocket(new Socket(), { secureContext: context });
  try {
    const local = socket.getCertificate();
    const raw = local && 'raw' in local ? local.raw : undefined;
    if (raw) return new X509Certificate(raw);
  } finally {
    socket.destroy();
  }
  problems.push({ part: 'pfx', message: 'the PKCS#12 file holds no certificate (only a key?): export it with its certificate' });
  return undefined;
}

function checkPem(cert: Buffer, key: Buffer, passphrase: string | undefined, problems: TlsIdentityProblem[]): X509Certificate | undefined {
  let certificate: X509Certificate | undefined;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    problems.push({ part: 'cert', message: 'is not a certificate (PEM or DER)' });
  }
  let privateKey: KeyObject | undefined;
  try {
    privateKey = createPrivateKey({ key, ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_OSSL_BAD_DECRYPT') {
      problems.push({ part: 'passphrase', message: 'does not open the private key' });
    } else if (code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED' || code === 'ERR_MISSING_PASSPHRASE') {
      // OpenSSL asked for a passphrase nobody gave it.
      problems.push({ part: 'passphrase', message: 'the private key is encrypted: name its passphrase' });
    } else {
      problems.push({ part: 'key', message: 'is not a private key (PEM or DER)' });
    }
  }
  if (!certificate || !privateKey) return undefined;
  if (!certificate.checkPrivateKey(privateKey)) {
    problems.push({ part: 'key', message: 'is not the key of the certificate' });
    return undefined;
  }
  try {
    createSecureContext({ cert, key, ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch {
    problems.push({ part: 'cert', message: 'is not usable for TLS with this key' });
    return undefined;
  }
  return certificate;
}

function checkValidity(certificate: X509Certificate, part: 'pfx' | 'cert', now: Date, problems: TlsIdentityProblem[]): void {
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  if (now < from) problems.push({ part, message: `the certificate is not valid before ${from.toISOString()}` });
  if (now > to) problems.push({ part, message: `the certificate expired on ${to.toISOString()}` });
}

/** The CA certificates as given, if every one of them parses (Node's TLS would skip a bad one silently). */
function checkCa(ca: Buffer, problems: TlsIdentityProblem[]): Buffer | undefined {
  const text = ca.toString('latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  try {
    if (blocks) for (const block of blocks) new X509Certificate(block);
    else new X509Certificate(ca); // one DER certificate
  } catch {
    problems.push({ part: 'ca', message: 'holds something that is not a certificate (PEM or DER)' });
    return undefined;
  }
  return ca;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
