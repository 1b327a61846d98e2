/**
 * What a failed connection may say about itself. The HTTP clients' errors carry far more than
 * an error should: axios keeps the whole request configuration (headers with credentials, the
 * https.Agent holding our private key), OpenSSL writes its source files and line numbers into
 * the message. A LegacyError keeps only this: the error code and a sentence naming the kind of
 * failure, TLS refusals told apart because an operator fixes those in configuration.
 */

/**
 * - `refused`: the service turned our certificate (or its absence) down
 * - `untrusted`: we turned the service's certificate down
 * - `tls`: another TLS handshake failure
 * - `other`: anything else (refused connection, reset, DNS, a file that cannot be read)
 */
export type TransportFailureKind = 'refused' | 'untrusted' | 'tls' | 'other';

/** The cause a LegacyError keeps for a failed connection: its code and a plain description. */
export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';
  constructor(
    readonly kind: TransportFailureKind,
    /** Node's or OpenSSL's error code, e.g. `ECONNREFUSED`, `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`. */
    readonly code: string,
  ) {
    super(DESCRIPTIONS[kind](code));
  }
}

const DESCRIPTIONS: Readonly<Record<TransportFailureKind, (code: string) => string>> = {
  refused: () => 'the service refused our TLS client certificate, or its absence',
  untrusted: () => "the service's TLS certificate is not trusted (is the right CA configured?)",
  tls: (code) => `the TLS handshake failed (${code})`,
  other: (code) => `the request failed (${code})`,
};

/**
 * The peer's TLS alerts that mean "not with that certificate" (or with none): RFC 8446 §6.2
 * certificate_required, bad_certificate, certificate_expired … as OpenSSL names them in codes.
 */
const REFUSED_OUR_CERTIFICATE = /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|UNKNOWN_CA|ACCESS_DENIED)$/;

/** Node's verdicts on the service's own certificate (`tls.checkServerIdentity` and OpenSSL's verify codes). */
const DISTRUSTED_THEIR_CERTIFICATE =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|CERT_REVOKED|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** The code and a safe description of a connection that failed, with nothing else of the original. */
export function transportFailure(error: unknown): TransportFailure {
  const code = codeOf(error);
  if (REFUSED_OUR_CERTIFICATE.test(code)) return new TransportFailure('refused', code);
  if (DISTRUSTED_THEIR_CERTIFICATE.test(code)) return new TransportFailure('untrusted', code);
  if (isTlsCode(code)) return new TransportFailure('tls', code);
  return new TransportFailure('other', code);
}

/** Whether a failure is about certificates or the handshake, so an error message may say so. */
export function isTlsFailure(failure: TransportFailure): boolean {
  return failure.kind !== 'other';
}

function isTlsCode(code: string): boolean {
  return REFUSED_OUR_CERTIFICATE.test(code) || DISTRUSTED_THEIR_CERTIFICATE.test(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_');
}

/**
 * The error's code; a TLS code further down the chain of causes wins, since undici and axios may
 * wrap the socket's error in one of their own that only says the socket closed.
 */
function codeOf(error: unknown): string {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const own = (current as { code?: unknown }).code;
    if (typeof own === 'string' && own) codes.push(own);
    current = (current as { cause?: unknown }).cause;
  }
  return codes.find(isTlsCode) ?? codes[0] ?? 'unknown';
}
