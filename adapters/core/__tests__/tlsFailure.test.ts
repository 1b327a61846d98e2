/**
 * What a failed connection keeps (tlsFailure.ts): its code and the kind of failure, never the
 * HTTP client's error with its configuration or OpenSSL's message with its source files.
 */
import { describe, expect, it } from 'vitest';
import { isTlsFailure, transportFailure } from '../tlsFailure';

const failed = (code: string, message = 'x', extra: object = {}) => Object.assign(new Error(message), { code, ...extra });

describe('transportFailure', () => {
  it.each([
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'refused'],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'refused'],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'refused'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'refused'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted'],
    ['CERT_HAS_EXPIRED', 'untrusted'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'untrusted'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['ECONNREFUSED', 'other'],
    ['ECONNRESET', 'other'],
  ])('reads %s as %s', (code, kind) => {
    const failure = transportFailure(failed(code));
    expect([failure.kind, failure.code, isTlsFailure(failure)]).toEqual([kind, code, kind !== 'other']);
  });

  it('keeps nothing of the original: no message, no request configuration, no cause', () => {
    const axiosLike = failed('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', '805CA8B5977F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601', {
      config: { headers: { Authorization: 'Basic c2VjcmV0' }, httpsAgent: { options: { passphrase: 'secret' } } },
    });
    const failure = transportFailure(axiosLike);
    expect(failure.message).toBe('the service refused our TLS client certificate, or its absence');
    expect(JSON.stringify({ ...failure, message: failure.message, cause: failure.cause })).not.toMatch(/secret|c2VjcmV0|rec_layer/);
  });

  it('finds a TLS code under a wrapper that only says the socket closed, and otherwise keeps the outer code', () => {
    const wrapped = Object.assign(new Error('other side closed', { cause: failed('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') }), { code: 'UND_ERR_SOCKET' });
    expect(transportFailure(wrapped).code).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(transportFailure(Object.assign(new Error('x', { cause: failed('EPIPE') }), { code: 'UND_ERR_SOCKET' })).code).toBe('UND_ERR_SOCKET');
    expect(transportFailure('not an error').code).toBe('unknown');
  });
});
