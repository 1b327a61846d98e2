import { describe, expect, it } from 'vitest';
import { LegacyBadResponse } from '../../core/errors';
import { mapEsdhCase, mapEsdhDocument } from '../mapEsdh';

describe('mapEsdhDocument and mapEsdhCase (demo ESDH vendor)', () => {
  it('maps the vendor\'s Danish document types to kinds, unknown ones to OTHER', () => {
    const base = { uuid: 'd1', sagsnummer: '27.12.04-G01-3-23', titel: 'Afgørelse', dato: '2023-10-20', filformat: 'application/pdf' };
    expect(mapEsdhDocument({ ...base, type: 'Udgående' }, 'esdh')).toEqual({
      id: 'd1', caseNumber: '27.12.04-G01-3-23', title: 'Afgørelse', date: '2023-10-20', kind: 'OUTGOING', format: 'application/pdf',
    });
    expect(mapEsdhDocument({ ...base, type: 'Indgående' }, 'esdh').kind).toBe('INCOMING');
    expect(mapEsdhDocument({ ...base, type: 'Fax' }, 'esdh').kind).toBe('OTHER');
  });

  it('maps a case with its KLE subject', () => {
    const kase = mapEsdhCase(
      { uuid: 'c1', sagsnummer: 'N1', titel: 'T', status: 'Oplyst', kle: { nummer: '27.12.04', titel: 'Rådgivning' }, ansvarligEnhed: 'Familie', oprettet: '2023-09-11' },
      'esdh',
    );
    expect(kase).toEqual({
      id: 'c1', number: 'N1', title: 'T', status: 'Oplyst', responsibleUnit: 'Familie', openedAt: '2023-09-11',
      classification: { number: '27.12.04', title: 'Rådgivning' },
    });
  });

  it('rejects records without identity', () => {
    expect(() => mapEsdhDocument({ titel: 'x' }, 'esdh')).toThrow(LegacyBadResponse);
    expect(() => mapEsdhCase({ uuid: 'c1' }, 'esdh')).toThrow(LegacyBadResponse);
  });
});
