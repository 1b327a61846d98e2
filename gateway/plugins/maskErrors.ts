/**
 * What leaves the gateway has a fixed shape: known codes keep their message, everything else
 * becomes "Unexpected error." with INTERNAL_SERVER_ERROR. Stack traces, upstream bodies and
 * rejected input values never reach a client.
 */
import type { GraphQLFormattedError } from 'graphql';

/** Every code a client may see with its original message (docs/errors.md lists them). */
export const publicErrorCodes: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'OPERATION_NOT_TRUSTED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'LEGACY_FAULT',
  'LEGACY_TIMEOUT',
  'LEGACY_UNAVAILABLE',
  'LEGACY_BAD_RESPONSE',
  'SUBGRAPH_UNAVAILABLE',
  'SUBGRAPH_TIMEOUT',
  'AUDIT_UNAVAILABLE',
]);

/** Extensions a client may see; anything else (stacktrace, upstream responses) is dropped. */
const PUBLIC_EXTENSIONS = ['code', 'system', 'serviceName'] as const;

export function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  const located = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (typeof code !== 'string' || !publicErrorCodes.has(code)) {
    return { message: 'Unexpected error.', ...located, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  const extensions: Record<string, unknown> = {};
  for (const key of PUBLIC_EXTENSIONS) if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
  return { message: withoutEchoedValue(formatted.message), ...located, extensions };
}

/**
 * A subgraph that could not be reached or did not answer in time: Apollo's gateway reports the
 * fetch failure without a code, and the fields that subgraph owns are null. Give it one.
 */
export function classifySubgraphFailure(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause; depth++) {
    const { name, message } = cause as { name?: string; message?: string };
    if (name === 'TimeoutError' || name === 'AbortError') {
      return { ...formatted, message: 'A subgraph did not answer within the request\'s budget.', extensions: { code: 'SUBGRAPH_TIMEOUT' } };
    }
    if (name === 'TypeError' && message === 'fetch failed') {
      return { ...formatted, message: 'A subgraph could not be reached.', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } };
    }
    cause = (cause as { originalError?: unknown; cause?: unknown }).originalError ?? (cause as { cause?: unknown }).cause;
  }
  return formatted;
}

/**
 * graphql-js repeats rejected values in its messages ('Variable "$cpr" got invalid value "…"',
 * 'Expected value of type "CPR!", found "…"'); a CPR number must not travel back that way.
 */
export function withoutEchoedValue(message: string): string {
  // Syntax errors quote the offending line of the client's document, literals and all.
  const excerpt = message.indexOf('\n\nGraphQL request:');
  if (excerpt >= 0) message = message.slice(0, excerpt);
  // The explanation after the value may quote the value again, so nothing after it is kept.
  const variable = /^(Variable "\$[^"]+") got invalid value\b/.exec(message);
  if (variable) return `${variable[1]} got an invalid value.`;
  const literal = /^(Expected value of type "[^"]+"), found\b/.exec(message);
  if (literal) return `${literal[1]}, found an invalid value.`;
  return message;
}
