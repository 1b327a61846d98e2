/**
 * KLE-Emneplan XML (KLE-Emneplan-version-2-0.xsd: Hovedgruppe → Gruppe → Emne) → subjects by number.
 */
import { LegacyBadResponse } from '../core/errors';
import { listAt, parseXml, pathOf, textAt } from '../core/xml';

export interface KleSubjectRecord {
  /** EmneNr, e.g. "27.12.04" */
  number: string;
  title: string;
  group: { number: string; title: string | null };
  mainGroup: { number: string; title: string | null };
}

export function mapEmneplan(xml: string): Map<string, KleSubjectRecord> {
  const document = parseXml(xml);
  const plan = document ? pathOf(document, ['KLE-Emneplan']) : undefined;
  if (!plan) throw new LegacyBadResponse('kle: the document is not a KLE-Emneplan', { system: 'kle' });
  const subjects = new Map<string, KleSubjectRecord>();
  for (const main of listAt(plan, ['Hovedgruppe'])) {
    const mainGroup = { number: textAt(main, ['HovedgruppeNr']) ?? '', title: textAt(main, ['HovedgruppeTitel']) ?? null };
    for (const group of listAt(main, ['Gruppe'])) {
      const groupRef = { number: textAt(group, ['GruppeNr']) ?? '', title: textAt(group, ['GruppeTitel']) ?? null };
      for (const subject of listAt(group, ['Emne'])) {
        const number = textAt(subject, ['EmneNr']);
        if (!number) continue;
        subjects.set(number, { number, title: textAt(subject, ['EmneTitel']) ?? '', group: groupRef, mainGroup });
      }
    }
  }
  return subjects;
}
