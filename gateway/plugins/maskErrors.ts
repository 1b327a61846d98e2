/**
 * What leaves the gateway has a fixed shape: known codes keep their message, everything else
 * becomes "Unexpected error." with INTERNAL_SERVER_ERROR. Stack traces, upstream bodies and
 * rejected input values never reach a client. Subgraph failures get codes of their own and name
 * the subgraph, to clients (`extensions.serviceName`) and in the log.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { describeForLog, redactMessage } from '../../runtime/redact';
import { isGatewayErrorCode, publicErrorCodes, type GatewayErrorCode } from '../errors';

/** Extensions a client may see; anything else (stacktrace, upstream responses) is dropped. */
const PUBLIC_EXTENSIONS = ['code', 'system', 'serviceName'] as const;

/** The fields of a line about an error: its code, and the subgraph it came from when known. */
export interface ErrorLogFields {
  code: string;
  subgraph?: string;
}

/** Where formatGatewayError reports what clients are not told (a pino logger, runtime/log.ts). */
export interface ErrorLog {
  warn(fields: ErrorLogFields, message: string): void;
  error(fields: ErrorLogFields, message: string): void;
}

export function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  const located = locatedAs(formatted);
  if (typeof code !== 'string' || !publicErrorCodes.has(code)) {
    return { message: 'Unexpected error.', ...located, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  const extensions: Record<string, unknown> = {};
  for (const key of PUBLIC_EXTENSIONS) if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
  // A refused move names the statuses its case may go to, for a client to offer: enum values only.
  const allowed = formatted.extensions?.['allowedStatuses'];
  if (code === 'BAD_USER_INPUT' && Array.isArray(allowed) && allowed.length <= 10 && allowed.every((v) => typeof v === 'string' && /^[A-Z][A-Z_]{0,39}$/.test(v))) extensions['allowedStatuses'] = allowed;
  return { message: withoutEchoedValue(formatted.message), ...located, extensions };
}

/**
 * A subgraph that could not be reached or did not answer in time: Apollo's gateway reports the
 * fetch failure without a code, and the fields that subgraph owns are null. Give it one.
 */
export function classifySubgraphFailure(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  const name = serviceNameOf(formatted);
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause; depth++) {
    const { name: errorName, message } = cause as { name?: string; message?: string };
    if (errorName === 'TimeoutError' || errorName === 'AbortError') return subgraphFailure(formatted, 'SUBGRAPH_TIMEOUT', name);
    if (errorName === 'TypeError' && message === 'fetch failed') return subgraphFailure(formatted, 'SUBGRAPH_UNAVAILABLE', name);
    cause = (cause as { originalError?: unknown; cause?: unknown }).originalError ?? (cause as { cause?: unknown }).cause;
  }
  return formatted;
}

/**
 * The gateway's formatError: classifies subgraph failures, masks, names the subgraph an error
 * came from, and logs what the client is not told (redacted).
 */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown, log: ErrorLog): GraphQLFormattedError {
  const name = serviceNameOf(formatted);
  const answer = httpAnswerOf(formatted);
  let shown: GraphQLFormattedError;
  let subgraphSaid: string | undefined;
  if (answer) {
    // Apollo's data source codes a 401/403 answer UNAUTHENTICATED/FORBIDDEN; that would tell the
    // client its own token was refused when the subgraph refused the gateway's.
    shown = subgraphFailure(formatted, UNREACHABLE_STATUSES.has(answer.status) ? 'SUBGRAPH_UNAVAILABLE' : 'SUBGRAPH_ERROR', name);
    subgraphSaid = `it answered HTTP ${answer.status}${answer.errors ? `: ${answer.errors}` : ''}`;
  } else {
    const classified = classifySubgraphFailure(formatted, error);
    const code = classified.extensions?.['code'];
    if (name !== undefined && !isGatewayErrorCode(code)) {
      // A code the gateway does not document could mean anything, and its message could carry
      // the subgraph's internals: the client hears only which subgraph failed.
      shown = subgraphFailure(formatted, 'SUBGRAPH_ERROR', name);
      subgraphSaid = `it answered ${code === APOLLO_NO_CODE || typeof code !== 'string' ? 'without a code' : `code ${code}`}: ${describeForLog(error)}`;
    } else {
      shown = maskError(classified);
    }
  }
  // Every error from a subgraph names it, masked ones too: a client reporting a problem can say where.
  if (name !== undefined) shown = { ...shown, extensions: { ...shown.extensions, serviceName: name } };

  const code = shown.extensions?.['code'];
  // A path holds the client's aliases, which may hold digits like anything else a client writes.
  const at = shown.path?.length ? ` (at ${redactMessage(shown.path.join('.'))})` : '';
  const fields: ErrorLogFields = { code: String(code), ...(name !== undefined ? { subgraph: name } : {}) };
  if (code === 'INTERNAL_SERVER_ERROR') {
    log.error(fields, `unexpected error${name !== undefined ? ` from subgraph ${name}` : ''}: ${describeForLog(error)}${at}`);
  } else if (code === 'SUBGRAPH_UNAVAILABLE' || code === 'SUBGRAPH_TIMEOUT' || code === 'SUBGRAPH_ERROR') {
    const from = name !== undefined ? `subgraph ${name}` : 'a subgraph (its name is not known here)';
    log.warn(fields, `${code} from ${from}: ${subgraphSaid ?? describeForLog(error)}${at}`);
  }
  return shown;
}

/**
 * Apollo's gateway names the subgraph (`extensions.serviceName`) only on errors the subgraph
 * answered with in a GraphQL response; a call that failed (refused, timed out, answered non-2xx)
 * reaches formatError without it. A data source that throws its failures through this names
 * them; the original stays the `originalError`, so classification and logging see the cause.
 */
export function attributedToSubgraph(serviceName: string, error: unknown): GraphQLError {
  const original = error instanceof Error ? error : new Error(String(error));
  const extensions = error instanceof GraphQLError ? error.extensions : {};
  return new GraphQLError(original.message, { originalError: original, extensions: { ...extensions, serviceName } });
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

/** The code @apollo/gateway gives a subgraph's error that came without one. */
const APOLLO_NO_CODE = 'DOWNSTREAM_SERVICE_ERROR';

/** Answers of a proxy or load balancer in front of a subgraph that is not there. */
const UNREACHABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

const SUBGRAPH_MESSAGES = {
  SUBGRAPH_TIMEOUT: (subgraph: string) => `${subgraph} did not answer within the request's budget.`,
  SUBGRAPH_UNAVAILABLE: (subgraph: string) => `${subgraph} could not be reached.`,
  SUBGRAPH_ERROR: (subgraph: string) => `${subgraph} failed.`,
} satisfies Partial<Record<GatewayErrorCode, (subgraph: string) => string>>;

function subgraphFailure(formatted: GraphQLFormattedError, code: keyof typeof SUBGRAPH_MESSAGES, name: string | undefined): GraphQLFormattedError {
  return {
    message: SUBGRAPH_MESSAGES[code](name !== undefined ? `The ${name} subgraph` : 'A subgraph'),
    ...locatedAs(formatted),
    extensions: { code, ...(name !== undefined ? { serviceName: name } : {}) },
  };
}

function serviceNameOf(formatted: GraphQLFormattedError): string | undefined {
  const name = formatted.extensions?.['serviceName'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * A subgraph's non-2xx answer, as RemoteGraphQLDataSource's errorFromResponse reports it:
 * `extensions.response` with the status and the parsed body. The body's GraphQL errors say why
 * (redacted, for the log only); a body that is not a GraphQL response is not repeated.
 */
function httpAnswerOf(formatted: GraphQLFormattedError): { status: number; errors?: string } | undefined {
  const response = formatted.extensions?.['response'] as { status?: unknown; body?: unknown } | undefined;
  if (typeof response !== 'object' || response === null || typeof response.status !== 'number') return undefined;
  const errors = (response.body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return { status: response.status };
  const said = errors.slice(0, 3).map((e: { message?: unknown; extensions?: { code?: unknown } } | null) => {
    const code = typeof e?.extensions?.code === 'string' ? e.extensions.code : 'no code';
    return `${code}: ${typeof e?.message === 'string' ? redactMessage(e.message) : 'no message'}`;
  });
  return { status: response.status, errors: said.join('; ') };
}

function locatedAs(formatted: GraphQLFormattedError): Pick<GraphQLFormattedError, 'locations' | 'path'> {
  return {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
}
