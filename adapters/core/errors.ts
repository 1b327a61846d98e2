/**
 * Typed errors of legacy calls. Every adapter failure is one of these, so subgraphs map errors
 * to GraphQL once (`subgraphs/shared/toGraphQLError.ts`) and never see raw XML, HTTP bodies or
 * personal data: messages name the system and what went wrong, nothing of the payload.
 */

export type LegacyErrorCode =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'LEGACY_FAULT'
  | 'LEGACY_TIMEOUT'
  | 'LEGACY_UNAVAILABLE'
  | 'LEGACY_BAD_RESPONSE';

export interface LegacyErrorOptions {
  /** The legacy system, e.g. `cpr`, `case-index`, `esdh`, `bbr`, `dar`, `kle`. */
  system: string;
  /** Municipality code when the call was tenant-specific. */
  tenant?: string;
  /** Safe diagnostic detail: an HTTP status, a SOAP fault code. Never a body. */
  detail?: string;
  cause?: unknown;
}

export abstract class LegacyError extends Error {
  abstract readonly code: LegacyErrorCode;
  readonly system: string;
  readonly tenant: string | undefined;
  readonly detail: string | undefined;

  constructor(message: string, options: LegacyErrorOptions) {
    super(message, { cause: options.cause });
    this.system = options.system;
    this.tenant = options.tenant;
    this.detail = options.detail;
  }
}

/** The legacy system answered that the thing asked for does not exist. */
export class NotFound extends LegacyError {
  readonly code = 'NOT_FOUND' as const;
  override readonly name = 'NotFound';
}

/** The caller may not see this (wrong tenant, protected data). */
export class Forbidden extends LegacyError {
  readonly code = 'FORBIDDEN' as const;
  override readonly name = 'Forbidden';
}

/** The system answered with an error document of its protocol (a SOAP Fault, a JSON error). */
export class LegacyFault extends LegacyError {
  readonly code = 'LEGACY_FAULT' as const;
  override readonly name = 'LegacyFault';
  /** The system blamed itself (soap:Server, HTTP 5xx), not the request: it counts against its breaker. */
  readonly serverSide: boolean;
  constructor(message: string, options: LegacyErrorOptions & { serverSide?: boolean }) {
    super(message, options);
    this.serverSide = options.serverSide ?? false;
  }
}

/** No answer before the deadline. */
export class LegacyTimeout extends LegacyError {
  readonly code = 'LEGACY_TIMEOUT' as const;
  override readonly name = 'LegacyTimeout';
}

/** The system could not be reached, or answered 5xx without a protocol error document. */
export class LegacyUnavailable extends LegacyError {
  readonly code = 'LEGACY_UNAVAILABLE' as const;
  override readonly name = 'LegacyUnavailable';
}

/** The system answered something that is not the contract's shape (garbage, truncation). */
export class LegacyBadResponse extends LegacyError {
  readonly code = 'LEGACY_BAD_RESPONSE' as const;
  override readonly name = 'LegacyBadResponse';
}

export const isLegacyError = (e: unknown): e is LegacyError => e instanceof LegacyError;
export const isNotFound = (e: unknown): e is NotFound => e instanceof NotFound;
export const isForbidden = (e: unknown): e is Forbidden => e instanceof Forbidden;
export const isLegacyFault = (e: unknown): e is LegacyFault => e instanceof LegacyFault;
export const isLegacyTimeout = (e: unknown): e is LegacyTimeout => e instanceof LegacyTimeout;
export const isLegacyUnavailable = (e: unknown): e is LegacyUnavailable => e instanceof LegacyUnavailable;
export const isLegacyBadResponse = (e: unknown): e is LegacyBadResponse => e instanceof LegacyBadResponse;

const BY_CODE: Readonly<Record<LegacyErrorCode, new (message: string, options: LegacyErrorOptions) => LegacyError>> = {
  NOT_FOUND: NotFound,
  FORBIDDEN: Forbidden,
  LEGACY_FAULT: LegacyFault,
  LEGACY_TIMEOUT: LegacyTimeout,
  LEGACY_UNAVAILABLE: LegacyUnavailable,
  LEGACY_BAD_RESPONSE: LegacyBadResponse,
};

/** The error a code names, e.g. when one subgraph passes another's failure on; an unknown code is LEGACY_UNAVAILABLE. */
export function legacyErrorOf(code: string, message: string, options: LegacyErrorOptions): LegacyError {
  const Class = BY_CODE[code as LegacyErrorCode] ?? LegacyUnavailable;
  return new Class(message, options);
}
