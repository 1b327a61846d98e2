import { describe, expect, it } from 'vitest';
import {
  Forbidden,
  isForbidden,
  isLegacyBadResponse,
  isLegacyError,
  isLegacyFault,
  isLegacyTimeout,
  isLegacyUnavailable,
  isNotFound,
  LegacyBadResponse,
  LegacyFault,
  LegacyTimeout,
  LegacyUnavailable,
  NotFound,
} from '../errors';

const classes = [
  { Class: NotFound, guard: isNotFound, code: 'NOT_FOUND' },
  { Class: Forbidden, guard: isForbidden, code: 'FORBIDDEN' },
  { Class: LegacyFault, guard: isLegacyFault, code: 'LEGACY_FAULT' },
  { Class: LegacyTimeout, guard: isLegacyTimeout, code: 'LEGACY_TIMEOUT' },
  { Class: LegacyUnavailable, guard: isLegacyUnavailable, code: 'LEGACY_UNAVAILABLE' },
  { Class: LegacyBadResponse, guard: isLegacyBadResponse, code: 'LEGACY_BAD_RESPONSE' },
] as const;

describe('legacy errors', () => {
  for (const { Class, guard, code } of classes) {
    it(`${Class.name} has code ${code}, and only its own guard accepts it`, () => {
      const error = new Class('cpr: x', { system: 'cpr', tenant: '0101', detail: 'HTTP 500', cause: new Error('raw') });
      expect(error.code).toBe(code);
      expect(error).toMatchObject({ system: 'cpr', tenant: '0101', detail: 'HTTP 500' });
      expect(isLegacyError(error)).toBe(true);
      for (const other of classes) expect(other.guard(error)).toBe(other.Class === Class);
    });
  }

  it('no guard accepts a plain Error or a look-alike object', () => {
    for (const { guard } of classes) {
      expect(guard(new Error('NOT_FOUND'))).toBe(false);
      expect(guard({ code: 'NOT_FOUND', system: 'cpr' })).toBe(false);
    }
    expect(isLegacyError(new Error('x'))).toBe(false);
  });
});
