/**
 * A client's idempotency key for a write (`Idempotency-Key`, as REST APIs take it): send a write
 * again under the same key, after a timeout or a lost connection, and it is made once, answered
 * as the first time. The gateway only checks its form and carries it, signed, to the subgraph that
 * makes the write; the system of record keeps the keys (the case subgraph scopes each key to the
 * municipality, the actor and the mutation before it goes there), so a replay works after any
 * restart of the gateway or the subgraphs, and a first call that timed out after the system made
 * the write is answered with that write.
 */
import type { IncomingMessage } from 'node:http';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const FORM = /^[A-Za-z0-9._:-]{8,100}$/;
export const IDEMPOTENCY_KEY_RULE = 'Idempotency-Key must be 8 to 100 characters of letters, digits and . _ : - (a UUID will do), once per request.';

export function isIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && FORM.test(value);
}

/** The request's key, when it has one of the right form (the admission refuses any other). */
export function idempotencyKeyOf(req: IncomingMessage): string | null {
  const value = req.headers[IDEMPOTENCY_KEY_HEADER];
  return isIdempotencyKey(value) ? value : null;
}
