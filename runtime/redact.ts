/**
 * What an unexpected error may say in a log: its class and a message with anything shaped like
 * a CPR number or a token masked and markup cut off, and the same for the errors that caused it.
 * No stack traces, no payloads.
 */

// Digits glued to letters ("PNR0101601234") or one too many ("010160-99999", a mistyped number)
// still carry a birth date, so the boundaries are digits, not \b, and longer runs are masked too.
const CPR_LIKE = /(?<!\d)\d{6}(?:-\d+|\d{4,})/g;
/**
 * A JSON Web Token (a client's bearer token, our internal token): three base64url parts, the
 * first a JSON object, so it starts "eyJ". A bearer credential of any other shape is known by
 * the scheme word before it.
 */
const TOKEN_LIKE = /\beyJ[\w-]*\.[\w-]*\.[\w-]*|\b(Bearer)\s+[\w.~+/=-]{16,}/gi;

/** How many causes deep a log line follows: enough for fetch → socket → DNS. */
const MAX_CAUSES = 3;

/**
 * Free text made fit for a log line without shortening it: anything shaped like a CPR number
 * is `[cpr]`, anything shaped like a token `[token]`. The structured logger (runtime/log.ts)
 * passes every message and string field through this; an error's text gets `redactMessage`.
 */
export function maskForLog(text: string): string {
  return text.replace(CPR_LIKE, '[cpr]').replace(TOKEN_LIKE, (_token, scheme?: string) => (scheme ? `${scheme} [token]` : '[token]'));
}

export function redactMessage(message: string): string {
  return maskForLog(message).split('<')[0]!.slice(0, 200);
}

export function describeForLog(error: unknown): string {
  const first = innermostError(error);
  const parts = [describeOne(first)];
  let cause = first instanceof Error ? first.cause : undefined;
  for (let depth = 0; depth < MAX_CAUSES && cause !== undefined && cause !== null; depth++) {
    parts.push(`(cause: ${describeOne(cause)})`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join(' ');
}

/**
 * A GraphQLError wrapping a thrown Error is described by the Error, which says what went wrong.
 * Apollo's gateway also wraps the plain JSON error a subgraph answered with as `originalError`;
 * that object is no Error, and the wrapper carries its message, so the wrapper is described.
 */
function innermostError(error: unknown): unknown {
  const original = (error as { originalError?: unknown } | null | undefined)?.originalError;
  return original instanceof Error ? original : error;
}

function describeOne(value: unknown): string {
  if (value instanceof Error) {
    // Node's socket errors may have an empty message and say what happened only in `code`.
    const code = (value as { code?: unknown }).code;
    const message = value.message || (typeof code === 'string' ? code : '');
    return `${value.name}: ${redactMessage(message)}`;
  }
  if (typeof value === 'object' && value !== null) {
    // String() of a plain object is "[object Object]", which tells an operator nothing.
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string') return `${value.constructor?.name ?? 'Object'}: ${redactMessage(message)}`;
    return `${value.constructor?.name ?? 'Object'} without a message (keys: ${Object.keys(value).slice(0, 5).join(', ') || 'none'})`;
  }
  return `${typeof value}: ${redactMessage(String(value))}`;
}
