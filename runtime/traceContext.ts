/**
 * W3C Trace Context (traceparent: `00-<trace id>-<parent id>-<flags>`), as the gateway takes it
 * from a client, answers with it, and hands it to each subgraph, and a subgraph reads it: one trace
 * id through every layer's log lines. A malformed or all-zero header is no trace context, and a
 * new trace starts (the specification's rule), rather than a request being refused for it.
 */
import { randomFillSync } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
export const TRACEPARENT_HEADER = 'traceparent';

export interface TraceContext {
  traceId: string;
  /** The span id of whoever sent it (the client's, or the gateway's call to a subgraph). */
  parentId: string;
  /** Whether the sender samples the trace (flags bit 0). */
  sampled: boolean;
}

export function parseTraceparent(header: string | string[] | undefined): TraceContext | undefined {
  const match = typeof header === 'string' ? TRACEPARENT.exec(header) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, parentId: match[2]!, sampled: (Number.parseInt(match[3]!, 16) & 1) === 1 };
}

/**
 * Random bytes drawn a pool at a time, as node:crypto does for randomUUID: a request takes two or
 * three ids, and a call to the system's random source for each was 3.7% of the gateway's CPU on
 * the light query (node --cpu-prof, bench:peers (b)).
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let used = POOL_BYTES;

function randomHex(bytes: number): string {
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}

/** A new span id (8 random bytes, hex). */
export function newSpanId(): string {
  return randomHex(8);
}

/** A new trace id (16 random bytes, hex). */
export function newTraceId(): string {
  return randomHex(16);
}

/** The header for a span of this trace. */
export function traceparent(traceId: string, spanId: string, sampled = true): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}
