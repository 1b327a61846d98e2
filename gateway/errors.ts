/**
 * The one registry of error codes a client of the gateway can receive, with the HTTP status a
 * request refused with that code gets. Every refusal the gateway makes is built here
 * (`gatewayError` for GraphQL errors, `httpRefusal` before Apollo runs), error masking lets
 * exactly these codes through, and docs/errors.md is checked against this list by a test.
 */
import { GraphQLError } from 'graphql';
import type { Refusal } from '../runtime/httpServer';

interface CodeEntry {
  /** The status of a whole request refused with this code; null: the code is only ever given at a field (200). */
  status: number | null;
  /**
   * Also given at a field, among the data of a 200 answer, besides refusing whole requests with
   * `status`: clients must expect the code in both places.
   */
  atField?: true;
}

export const GATEWAY_ERROR_CODES = {
  GRAPHQL_PARSE_FAILED: { status: 400 },
  GRAPHQL_VALIDATION_FAILED: { status: 400 },
  // At a field: a write the graph can tell is wrong, refused by the subgraph before it is made.
  BAD_USER_INPUT: { status: 400, atField: true },
  BAD_REQUEST: { status: 400 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  RATE_LIMITED: { status: 429 },
  PERSISTED_QUERY_NOT_FOUND: { status: 200 },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 200 },
  OPERATION_RESOLUTION_FAILURE: { status: 400 },
  OPERATION_NOT_TRUSTED: { status: 400 },
  UNAUTHENTICATED: { status: 401 },
  FORBIDDEN: { status: 403, atField: true },
  NOT_FOUND: { status: null },
  LEGACY_FAULT: { status: null },
  LEGACY_TIMEOUT: { status: null },
  LEGACY_UNAVAILABLE: { status: null },
  LEGACY_BAD_RESPONSE: { status: null },
  SUBGRAPH_UNAVAILABLE: { status: null },
  SUBGRAPH_TIMEOUT: { status: null },
  // A subgraph answered with an error the gateway cannot name more precisely. Its own message
  // could carry internals, so the client is told only which subgraph failed.
  SUBGRAPH_ERROR: { status: null },
  // 503: a write refused before it is made; at a field: a read's answer withheld (it was fetched, not recorded).
  AUDIT_UNAVAILABLE: { status: 503, atField: true },
  INTERNAL_SERVER_ERROR: { status: 500, atField: true },
} as const satisfies Record<string, CodeEntry>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;

export function isGatewayErrorCode(code: unknown): code is GatewayErrorCode {
  return typeof code === 'string' && Object.hasOwn(GATEWAY_ERROR_CODES, code);
}

/** Codes a client may see with their own message; anything else is masked as INTERNAL_SERVER_ERROR. */
export const publicErrorCodes: ReadonlySet<string> = new Set(Object.keys(GATEWAY_ERROR_CODES).filter((c) => c !== 'INTERNAL_SERVER_ERROR'));

/**
 * A refusal as a GraphQL error: the whole request gets the code's HTTP status when it is thrown
 * before execution; at a field (`path`) it is one error among the data.
 */
export function gatewayError(
  code: GatewayErrorCode,
  message: string,
  options: { path?: readonly (string | number)[]; headers?: Readonly<Record<string, string>> } = {},
): GraphQLError {
  const status = GATEWAY_ERROR_CODES[code].status;
  const http = options.path || status === null
    ? undefined
    : { status, ...(options.headers ? { headers: new Map(Object.entries(options.headers)) } : {}) };
  return new GraphQLError(message, {
    ...(options.path ? { path: options.path } : {}),
    extensions: { code, ...(http ? { http } : {}) },
  });
}

/** A refusal made before Apollo runs (body, trusted documents, authentication, rate limits, the audit API). */
export function httpRefusal(code: GatewayErrorCode, message: string, headers?: Readonly<Record<string, string>>): Refusal {
  return {
    status: GATEWAY_ERROR_CODES[code].status ?? 400,
    ...(headers ? { headers: { ...headers } } : {}),
    errors: [{ message, extensions: { code } }],
  };
}
