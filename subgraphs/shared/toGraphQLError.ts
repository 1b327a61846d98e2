/**
 * The one place where legacy errors become GraphQL errors. A LegacyError keeps its safe message
 * and gets `extensions.code` (and `extensions.system`); anything else is masked as
 * INTERNAL_SERVER_ERROR so no stack trace, raw XML or personal data reaches a client.
 */
import type { GraphQLFormattedError } from 'graphql';
import { isLegacyError } from '../../adapters/core/errors';

/** Codes GraphQL itself (or Apollo Server) assigns; they pass through untouched. */
const GRAPHQL_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
]);

export function toGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown } | undefined)?.originalError ?? error;
  if (isLegacyError(original)) {
    return {
      message: original.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: original.code, system: original.system },
    };
  }
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && GRAPHQL_CODES.has(code)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: 'Unexpected error.',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
