import { describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, parseTraceparent, traceparent } from '../traceContext';

describe('W3C traceparent', () => {
  it('reads a valid header, its trace, parent and sampled flag', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', sampled: true });
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.sampled).toBe(false);
  });

  it('takes a malformed or all-zero header for none, so a new trace starts', () => {
    for (const header of [undefined, '', 'garbage', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']]) {
      expect(parseTraceparent(header as string | undefined)).toBeUndefined();
    }
  });

  it('writes headers that read back, with new ids of the right form', () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(parseTraceparent(traceparent(traceId, spanId))).toEqual({ traceId, parentId: spanId, sampled: true });
    expect(traceparent(traceId, spanId, false).endsWith('-00')).toBe(true);
  });
  it('draws ids that never repeat across the random pool\'s refills', () => {
    const spans = Array.from({ length: 3000 }, () => newSpanId());
    const traces = Array.from({ length: 1500 }, () => newTraceId());
    for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/);
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(spans).size).toBe(spans.length);
    expect(new Set(traces).size).toBe(traces.length);
  });
});
