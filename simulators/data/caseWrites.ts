/**
 * What an ESDH does when a caseworker works: open a case, file (journalize) a document on it,
 * move it on. The simulated systems share one world, so the case index sees a write at once (a
 * real index is fed by the ESDH, a little later). A write is identified as the municipality's
 * vendor identifies it: the demo ESDH's ids come from node:crypto (writes are not part of the
 * seeded world, and two stacks never share one), Acadre's from its counters (acadreIdentity.ts).
 */
import { randomUUID } from 'node:crypto';
import { nextAcadreCase, nextAcadreDocumentId } from './acadreIdentity';
import type { Case, CaseDocument, CaseStatus, DocumentKind, PartyRole, World } from './world';

export interface NewCase {
  title: string;
  /** KLE subject number (emnenummer), e.g. "32.18.04" */
  kle: string;
  parties: { cpr: string; role: PartyRole }[];
  responsibleUnit: string;
  sensitive?: boolean;
}

export class CaseWriteRefused extends Error {}

type Writable<T> = T extends ReadonlyMap<infer K, infer V> ? Map<K, V> : T;
const writable = <K extends keyof World>(world: World, key: K) => world[key] as unknown as Writable<World[K]>;

export function openCase(world: World, municipalityCode: string, input: NewCase, today = new Date()): Case {
  const kle = world.kle.get(input.kle);
  if (!kle) throw new CaseWriteRefused(`ukendt KLE-emne ${input.kle}`);
  if (input.parties.length === 0) throw new CaseWriteRefused('en sag skal have mindst én part');
  const numbers = writable(world, 'casesByNumber');
  const identity = inAcadre(world, municipalityCode) ? nextAcadreCase(world, municipalityCode, today) : demoCaseIdentity(numbers, municipalityCode, kle.number, today);
  const kase: Case = {
    ...identity,
    title: input.title,
    status: 'Opstaaet',
    kle,
    municipalityCode,
    responsibleUnit: input.responsibleUnit,
    sensitive: input.sensitive ?? false,
    parties: input.parties,
    documentIds: [],
    openedAt: today.toISOString().slice(0, 10),
  };
  writable(world, 'cases').set(kase.id, kase);
  numbers.set(`${municipalityCode}|${kase.number}`, kase.id);
  const byParty = writable(world, 'casesByParty');
  for (const party of input.parties) byParty.set(party.cpr, [...(byParty.get(party.cpr) ?? []), kase.id]);
  return kase;
}

export function fileDocument(world: World, kase: Case, input: { title: string; kind: DocumentKind; date: string }): CaseDocument {
  if (kase.status === 'Afsluttet') throw new CaseWriteRefused('sagen er afsluttet');
  const id = inAcadre(world, kase.municipalityCode) ? nextAcadreDocumentId(world, kase.municipalityCode) : randomUUID();
  const document: CaseDocument = { id, caseId: kase.id, title: input.title, date: input.date, kind: input.kind };
  writable(world, 'documents').set(document.id, document);
  kase.documentIds.push(document.id);
  return document;
}

/** This ESDH's one rule on status: a closed case stays closed (the graph checks the finer ones). */
export function changeStatus(kase: Case, status: CaseStatus): Case {
  if (kase.status === 'Afsluttet' && status !== 'Afsluttet') throw new CaseWriteRefused('sagen er afsluttet');
  kase.status = status;
  return kase;
}

function inAcadre(world: World, municipalityCode: string): boolean {
  return world.municipalities.find((m) => m.code === municipalityCode)?.esdhVendor === 'acadre';
}

/** The demo ESDH numbers a case after its KLE subject: the first free serial of the year. */
function demoCaseIdentity(numbers: ReadonlyMap<string, string>, municipalityCode: string, kle: string, today: Date): { id: string; number: string } {
  const year = String(today.getUTCFullYear() % 100).padStart(2, '0');
  const numberOf = (n: number) => `${kle}-G01-${n}-${year}`;
  let serial = 1;
  while (numbers.has(`${municipalityCode}|${numberOf(serial)}`)) serial++;
  return { id: randomUUID(), number: numberOf(serial) };
}
