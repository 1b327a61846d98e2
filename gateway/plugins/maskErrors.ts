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
