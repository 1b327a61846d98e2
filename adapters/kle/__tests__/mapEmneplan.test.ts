import { describe, expect, it } from 'vitest';
import { LegacyBadResponse } from '../../core/errors';
import { mapEmneplan } from '../mapEmneplan';

const plan = `<?xml version="1.0" encoding="UTF-8"?>
<KLE-Emneplan>
  <UdgivelsesDato>2026-10-01</UdgivelsesDato>
  <Hovedgruppe>
    <HovedgruppeNr>27</HovedgruppeNr><HovedgruppeTitel>Social service</HovedgruppeTitel>
    <Gruppe>
      <GruppeNr>27.12</GruppeNr><GruppeTitel>Forebyggelse og rådgivning</GruppeTitel>
      <Emne><EmneNr>27.12.00</EmneNr><EmneTitel>Forebyggelse og rådgivning i almindelighed</EmneTitel></Emne>
      <Emne><EmneNr>27.12.04</EmneNr><EmneTitel>Rådgivning om sociale forhold</EmneTitel></Emne>
    </Gruppe>
  </Hovedgruppe>
</KLE-Emneplan>`;

describe('mapEmneplan (KLE-Emneplan XML)', () => {
  it('indexes every Emne by number with its group and main group', () => {
    const subjects = mapEmneplan(plan);
    expect(subjects.size).toBe(2);
    expect(subjects.get('27.12.04')).toEqual({
      number: '27.12.04',
      title: 'Rådgivning om sociale forhold',
      group: { number: '27.12', title: 'Forebyggelse og rådgivning' },
      mainGroup: { number: '27', title: 'Social service' },
    });
  });

  it('rejects a document that is not a subject plan', () => {
    expect(() => mapEmneplan('<html/>')).toThrow(LegacyBadResponse);
    expect(() => mapEmneplan('<KLE-Emneplan><Hoved')).toThrow(LegacyBadResponse);
  });
});
