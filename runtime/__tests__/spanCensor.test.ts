/**
 * The span censor (runtime/tracing.ts): a CPR number in a span's name or a string attribute is
 * masked before export, and the ids the gateway made are left as they are, whatever run of digits
 * a UUID happens to hold (CI once saw a request id exported as `…-a857-[cpr]b6`).
 */
import { describe, expect, it } from 'vitest';
import { spanCensor } from '../tracing';

function span(name: string, attributes: Record<string, unknown>) {
  const out = { name, attributes: { ...attributes } };
  return {
    ...out,
    updateName(next: string) {
      out.name = next;
      return this;
    },
    setAttribute(key: string, value: unknown) {
      out.attributes[key] = value;
      return this;
    },
    get exported() {
      return out;
    },
  };
}

describe('spanCensor', () => {
  it('masks a CPR number in the name and in string attributes', () => {
    const s = span('query Find0101601234', { 'graphql.operation.name': 'Find010160-1234', count: 3 });
    spanCensor.onEnding(s as never);
    expect(s.exported.name).not.toMatch(/0101601234/);
    expect(s.exported.attributes['graphql.operation.name']).not.toMatch(/010160-1234/);
    expect(s.exported.attributes['count']).toBe(3);
  });

  it('leaves the request id alone, digits and all', () => {
    const requestId = 'd30fdfef-2144-4295-a857-0293355567b6';
    const s = span('POST /graphql', { 'kommunegraph.request_id': requestId });
    spanCensor.onEnding(s as never);
    expect(s.exported.attributes['kommunegraph.request_id']).toBe(requestId);
  });
});
