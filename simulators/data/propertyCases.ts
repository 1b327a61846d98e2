/**
 * The cases a municipality keeps about a property rather than about a person: environmental cases
 * (KLE main group 09, Miljøbeskyttelse) and building permits (02, Byggeri). Each names what it is
 * about (its sagsgenstande): the BBR building, the DAR address, or both; some have the owner as
 * party, others none a CPR register knows (a housing association, a company).
 *
 * Drawn from a stream of their own (PROPERTY_CASES_STREAM), after every other case, so the rest of
 * the world draws exactly what it drew before them; they take the next case numbers and, in an
 * Acadre municipality, the next case file and document ids, as if opened after the seeded ones.
 */
import { addDays, pad } from './calendar';
import { acadreCaseNumber, acadreIndexUuid, FIRST_CASE_FILE_ID, FIRST_DOCUMENT_ID } from './acadreIdentity';
import { createRandom, type Random } from './random';
import type { AccessAddress, Address, Building, Case, CaseDocument, CaseObject, CaseStatus, KleSubject, Municipality, Person } from './world';

/** Mixed into the seed for the property cases' own stream. */
const PROPERTY_CASES_STREAM = 0x9e0b_0900;
/** Buildings per municipality that have property cases. */
const BUILDINGS_WITH_CASES = 12;
/**
 * The most cases a building gets. An owner is picked among residents with at most
 * OWNER_MAX_SEEDED_CASES cases of their own, so nobody reaches the ten cases that make a sample
 * citizen (samples.ts) by owning a house, and the samples stay who they were.
 */
const MAX_CASES_PER_BUILDING = 3;
const OWNER_MAX_SEEDED_CASES = 5;

/** The KLE subjects property cases are classified with, from the world's subset. */
const ENVIRONMENTAL_SUBJECT = '09.02.00';
const BUILDING_PERMIT_SUBJECT = '02.34.02';

const UNIT = { environmental: 'Teknik og Miljø', permit: 'Byggesagsafdelingen' } as const;
const DOCUMENTS = {
  environmental: [
    { title: 'Anmeldelse modtaget', kind: 'INCOMING' },
    { title: 'Tilsynsrapport', kind: 'NOTE' },
    { title: 'Varsel om påbud', kind: 'OUTGOING' },
    { title: 'Miljøgodkendelse', kind: 'OUTGOING' },
  ],
  permit: [
    { title: 'Ansøgning om byggetilladelse', kind: 'INCOMING' },
    { title: 'Tegningsmateriale', kind: 'INCOMING' },
    { title: 'Byggetilladelse', kind: 'OUTGOING' },
  ],
} as const;

/** What the seeded world holds that property cases are drawn from and filed into. */
export interface PropertyCaseWorld {
  municipalities: readonly Municipality[];
  accessAddresses: ReadonlyMap<string, AccessAddress>;
  addresses: ReadonlyMap<string, Address>;
  buildings: ReadonlyMap<string, Building>;
  units: ReadonlyMap<string, { addressId: string }>;
  persons: ReadonlyMap<string, Person>;
  kle: ReadonlyMap<string, KleSubject>;
  cases: Map<string, Case>;
  documents: Map<string, CaseDocument>;
  casesByParty: Map<string, string[]>;
  casesByNumber: Map<string, string>;
}

/** Files the property cases into `world`'s case tables, after the cases already there. */
export function filePropertyCases(seed: number, world: PropertyCaseWorld): void {
  const environmental = world.kle.get(ENVIRONMENTAL_SUBJECT);
  const permit = world.kle.get(BUILDING_PERMIT_SUBJECT);
  // A world built on another KLE subset has no property cases rather than wrongly classified ones.
  if (!environmental || !permit) return;
  const random = createRandom((seed ^ PROPERTY_CASES_STREAM) >>> 0);
  const residents = residentsByAddress(world.persons);
  for (const municipality of world.municipalities) {
    const numbering = numberingOf(world, municipality);
    const buildings = [...world.buildings.values()].filter((b) => b.municipalityCode === municipality.code);
    const chosen = new Set<Building>();
    while (chosen.size < Math.min(BUILDINGS_WITH_CASES, buildings.length)) chosen.add(random.pick(buildings));
    for (const building of chosen) {
      const access = world.accessAddresses.get(building.accessAddressId)!;
      const addressIds = building.unitIds.map((id) => world.units.get(id)!.addressId);
      const buildingObject: CaseObject = { kind: 'building', id: building.id, text: `Bygning, ${access.streetName} ${access.houseNumber}, ${access.postcode} ${access.postcodeName}` };
      const addressObject = (id: string): CaseObject => ({ kind: 'address', id, text: world.addresses.get(id)!.text });
      const house = addressIds.length === 1;
      // One or two environmental cases, and half the time a building permit beside them, about
      // the same property: what the graph must tell apart by KLE main group.
      const kinds = Array.from({ length: random.int(1, MAX_CASES_PER_BUILDING - 1) }, () => 'environmental' as const);
      const withPermit = random.chance(0.5);
      for (const kind of withPermit ? [...kinds, 'permit' as const] : kinds) {
        const subject = kind === 'environmental' ? environmental : permit;
        // An environmental case names the property, one of a block's flats (a complaint from a
        // dwelling), or both; a permit names the building, and a house's permit its address too.
        const addressId = house ? addressIds[0]! : random.pick(addressIds);
        const shape = kind === 'permit' ? (house ? 'both' : 'building') : random.pick(['both', 'both', 'building', 'address'] as const);
        const objects = shape === 'both' ? [buildingObject, addressObject(addressId)] : shape === 'building' ? [buildingObject] : [addressObject(addressId)];
        // The owner of a house, or the resident of the flat a case names; a block's own cases have
        // no citizen party (its owner is a housing association or a company).
        const partyFrom = house || shape !== 'building' ? owner(random, residents.get(addressId) ?? [], world.casesByParty) : undefined;
        const parties: Case['parties'] = partyFrom && random.chance(0.75) ? [{ cpr: partyFrom.cpr, role: 'PRIMARY' }] : [];
        fileCase(random, world, numbering, {
          subject,
          kind,
          objects,
          parties,
          title: `${subject.title}, ${shape === 'address' ? world.addresses.get(addressId)!.text : `${access.streetName} ${access.houseNumber}`}`,
        });
      }
    }
  }
}

interface Numbering {
  municipality: Municipality;
  nextSerial: number;
  nextCaseFile: number;
  nextDocument: number;
}

/** Where the municipality's numbering stands after the seeded cases: one serial per case, from 1. */
function numberingOf(world: PropertyCaseWorld, municipality: Municipality): Numbering {
  const cases = [...world.cases.values()].filter((c) => c.municipalityCode === municipality.code);
  const documents = cases.reduce((n, c) => n + c.documentIds.length, 0);
  return { municipality, nextSerial: cases.length + 1, nextCaseFile: FIRST_CASE_FILE_ID + cases.length, nextDocument: FIRST_DOCUMENT_ID + documents };
}

function fileCase(
  random: Random,
  world: PropertyCaseWorld,
  numbering: Numbering,
  drawn: { subject: KleSubject; kind: keyof typeof DOCUMENTS; objects: CaseObject[]; parties: Case['parties']; title: string },
): void {
  const { municipality } = numbering;
  const acadre = municipality.esdhVendor === 'acadre';
  const year = random.int(2019, 2026);
  const serial = numbering.nextSerial++;
  // The UUID is drawn for every case, as for the seeded ones, so the vendor changes no other data.
  const drawnId = random.uuid();
  const kase: Case = {
    id: acadre ? acadreIndexUuid('case', municipality.code, numbering.nextCaseFile++) : drawnId,
    number: acadre ? acadreCaseNumber(year, serial) : `${drawn.subject.number}-G01-${serial}-${String(year % 100).padStart(2, '0')}`,
    title: drawn.title,
    status: random.pick<CaseStatus>(['Opstaaet', 'Oplyst', 'Afgjort', 'Afsluttet']),
    kle: drawn.subject,
    municipalityCode: municipality.code,
    responsibleUnit: UNIT[drawn.kind],
    sensitive: false,
    parties: drawn.parties,
    documentIds: [],
    openedAt: `${year}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`,
    objects: drawn.objects,
  };
  const templates = DOCUMENTS[drawn.kind];
  const documentCount = random.int(1, templates.length);
  for (let d = 0; d < documentCount; d++) {
    const template = templates[d]!;
    const drawnDocumentId = random.uuid();
    const document: CaseDocument = {
      id: acadre ? acadreIndexUuid('document', municipality.code, numbering.nextDocument++) : drawnDocumentId,
      caseId: kase.id,
      title: template.title,
      date: addDays(kase.openedAt, random.int(0, 120)),
      kind: template.kind,
    };
    world.documents.set(document.id, document);
    kase.documentIds.push(document.id);
  }
  world.cases.set(kase.id, kase);
  world.casesByNumber.set(`${kase.municipalityCode}|${kase.number}`, kase.id);
  for (const party of kase.parties) world.casesByParty.set(party.cpr, [...(world.casesByParty.get(party.cpr) ?? []), kase.id]);
}

/** An adult living at the address who has few cases of their own, if any does. */
function owner(random: Random, residents: readonly Person[], casesByParty: ReadonlyMap<string, readonly string[]>): Person | undefined {
  const candidates = residents.filter((p) => Number(p.birthDate.slice(0, 4)) < 2006 && (casesByParty.get(p.cpr)?.length ?? 0) <= OWNER_MAX_SEEDED_CASES);
  return candidates.length > 0 ? random.pick(candidates) : undefined;
}

function residentsByAddress(persons: ReadonlyMap<string, Person>): Map<string, Person[]> {
  const byAddress = new Map<string, Person[]>();
  for (const person of persons.values()) byAddress.set(person.addressId, [...(byAddress.get(person.addressId) ?? []), person]);
  return byAddress;
}

