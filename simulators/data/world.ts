/**
 * The synthetic world every simulator serves and every test reads: municipalities, streets,
 * addresses, buildings and units, a population in households, and their cases and documents.
 *
 * It is built from one seed, so every process that calls `buildWorld()` gets the same data.
 * CPR numbers are substitute numbers (day of month + 60), so none can belong to a real person.
 */
import { addDays, pad } from './calendar';
import { readFileSync } from 'node:fs';
import { acadreCaseNumber, acadreIndexUuid, FIRST_CASE_FILE_ID, FIRST_DOCUMENT_ID } from './acadreIdentity';
import { filePropertyCases } from './propertyCases';
import { drawInstallations, type TechnicalInstallation } from './installations';
import { createRandom, type Random } from './random';
import {
  caseGroups,
  caseTitleSuffixes,
  documentTemplates,
  familyNames,
  femaleGivenNames,
  maleGivenNames,
  middleNames,
  streetNames,
} from './names';

/**
 * Whose case-and-document system (ESDH) a municipality runs: the demo vendor's REST ESDH, or
 * Acadre v7. It decides how the municipality's cases are numbered and identified, in its ESDH and
 * so in the case index, which the ESDH feeds (see acadreIdentity.ts).
 */
export type EsdhVendor = 'demo' | 'acadre';

export interface Municipality {
  /** kommunekode, four digits */
  code: string;
  name: string;
  /** The municipality's CVR number (its legal identity as an authority). */
  cvr: string;
  postcodes: readonly { code: string; name: string }[];
  esdhVendor: EsdhVendor;
}

/** DAR husnummer (adgangsadresse): a house number on a street, the entry to one building. */
export interface AccessAddress {
  id: string;
  municipalityCode: string;
  /** vejkode, four digits, unique within the municipality */
  streetCode: string;
  streetName: string;
  /** husnummertekst, e.g. "12B" */
  houseNumber: string;
  postcode: string;
  postcodeName: string;
  buildingId: string;
}

/** DAR adresse: an access address plus floor and door; the unit of residence. */
export interface Address {
  id: string;
  accessAddressId: string;
  /** etagebetegnelse: "st", "1"…; null for a detached house */
  floor: string | null;
  /** dørbetegnelse: "tv", "th"; null for a detached house */
  door: string | null;
  /** adressebetegnelse, the full text as DAR writes it */
  text: string;
  unitId: string;
}

/** BBR bygning. */
export interface Building {
  id: string;
  accessAddressId: string;
  municipalityCode: string;
  /** byg021BygningensAnvendelse code */
  usageCode: string;
  yearBuilt: number;
  builtArea: number;
  totalArea: number;
  floors: number;
  unitIds: string[];
}

/** BBR enhed (a dwelling unit). */
export interface Unit {
  id: string;
  buildingId: string;
  addressId: string;
  /** enh020EnhedensAnvendelse code */
  usageCode: string;
  area: number;
  residentialArea: number;
  rooms: number;
}

export type Sex = 'K' | 'M';
/** CPR civilstand codes (SF1520 civilstandTypeType). */
export type MaritalStatus = 'U' | 'G' | 'F' | 'E';

export interface Person {
  /** personnummer: ten digits, no dash (as SF1520 carries it) */
  cpr: string;
  givenName: string;
  middleName: string | null;
  familyName: string;
  birthDate: string;
  sex: Sex;
  /** CPR status code: 1 active with Danish address, 90 dead */
  status: number;
  maritalStatus: MaritalStatus;
  addressId: string;
  municipalityCode: string;
  spouseCpr: string | null;
  childCprs: string[];
  motherCpr: string | null;
  fatherCpr: string | null;
  /** adressebeskyttelse: the address must not be disclosed */
  addressProtected: boolean;
}

export type CaseStatus = 'Opstaaet' | 'Oplyst' | 'Afgjort' | 'Afsluttet';
export type PartyRole = 'PRIMARY' | 'SECONDARY';
export type DocumentKind = 'INCOMING' | 'OUTGOING' | 'NOTE';

export interface KleSubject {
  uuid: string;
  /** EmneNr, e.g. "27.12.04" */
  number: string;
  /** EmneTitel without the leading number */
  title: string;
}

export interface Case {
  /** The case's id (UUID) in the case index */
  id: string;
  /** sagsnummer as the owning ESDH writes it (and so as the index shows it) */
  number: string;
  title: string;
  status: CaseStatus;
  kle: KleSubject;
  /** owning municipality (and so the ESDH that holds the case) */
  municipalityCode: string;
  responsibleUnit: string;
  sensitive: boolean;
  parties: { cpr: string; role: PartyRole }[];
  documentIds: string[];
  openedAt: string;
  /**
   * What the case is about (sagsgenstande), when it is about a property: its BBR building, its DAR
   * address, or both. Only property cases (propertyCases.ts) have any; a citizen's case has none.
   */
  objects?: readonly CaseObject[];
}

/** A thing a case is about (sagsgenstand), named by its id in its own register. */
export interface CaseObject {
  kind: 'address' | 'building';
  /** The DAR address id or the BBR building id (UUID) */
  id: string;
  /** How the ESDH describes it to the index (si:SagsgenstandeLokalUdvidelse Tekstfelt) */
  text: string;
}

export interface CaseDocument {
  id: string;
  caseId: string;
  title: string;
  date: string;
  kind: DocumentKind;
}

/** What a municipal paper outside citizens' cases is: a meeting's agenda or minutes, or a decision. */
export type MunicipalPaperKind = 'AGENDA' | 'MINUTES' | 'DECISION';

/**
 * A paper a municipality's ESDH keeps outside citizens' cases, for its council's and committees'
 * meetings (dagsorden, referat) and its decisions in matters of no citizen (a local plan, a
 * school district): what a municipal website publishes. Each is marked public or not in the
 * ESDH (its access code); one that is not (a closed item's papers, a decision that names a
 * person) is never published.
 */
export interface MunicipalPaper {
  id: string;
  municipalityCode: string;
  title: string;
  /** The paper's date: an agenda's a week before its meeting, minutes' after it, a decision's the day it was made */
  date: string;
  kind: MunicipalPaperKind;
  /** The council or committee (udvalg) whose meeting the paper is of; null for a decision made outside a meeting */
  committee: string | null;
  /** The date of that meeting */
  meetingDate: string | null;
  /** The public title of the matter a decision is made in (its case's published title); null for meeting papers */
  caseTitle: string | null;
  /** Marked public (offentlig) in the ESDH */
  public: boolean;
}

export interface World {
  municipalities: readonly Municipality[];
  accessAddresses: ReadonlyMap<string, AccessAddress>;
  addresses: ReadonlyMap<string, Address>;
  buildings: ReadonlyMap<string, Building>;
  units: ReadonlyMap<string, Unit>;
  persons: ReadonlyMap<string, Person>;
  cases: ReadonlyMap<string, Case>;
  documents: ReadonlyMap<string, CaseDocument>;
  kle: ReadonlyMap<string, KleSubject>;
  /** KLE main group and group titles by number ("27", "27.12") */
  kleGroupTitles: ReadonlyMap<string, string>;
  /** cases by party CPR */
  casesByParty: ReadonlyMap<string, string[]>;
  /** cases by `${municipalityCode}|${number}` */
  casesByNumber: ReadonlyMap<string, string>;
  /** addresses by the CPR address key, see `addressKey` */
  addressesByKey: ReadonlyMap<string, string>;
  /**
   * Per municipality code, its papers outside citizens' cases (meeting papers, decisions), public
   * or not, in the order they were drawn. Drawn from a stream of their own (`municipalPapers`), so
   * they changed nothing else of the world. `buildWorld` always draws them; a world a test builds
   * by hand may have none.
   */
  municipalPapers?: ReadonlyMap<string, readonly MunicipalPaper[]>;
  /**
   * Per building id, the technical installations BBR registers on it (tanks, burners, solar
   * panels). Drawn from a stream of their own (`drawInstallations`), like `municipalPapers`; a
   * world a test builds by hand may have none.
   */
  installationsByBuilding?: ReadonlyMap<string, readonly TechnicalInstallation[]>;
}

export const DEFAULT_SEED = 20_261_123;

export const municipalities: readonly Municipality[] = [
  {
    code: '0101', name: 'København', cvr: '64942212', esdhVendor: 'demo',
    postcodes: [
      { code: '2100', name: 'København Ø' }, { code: '2200', name: 'København N' },
      { code: '2300', name: 'København S' }, { code: '1620', name: 'København V' },
    ],
  },
  {
    code: '0751', name: 'Aarhus', cvr: '55133018', esdhVendor: 'demo',
    postcodes: [
      { code: '8000', name: 'Aarhus C' }, { code: '8200', name: 'Aarhus N' }, { code: '8210', name: 'Aarhus V' },
    ],
  },
  {
    code: '0461', name: 'Odense', cvr: '35209115', esdhVendor: 'acadre',
    postcodes: [
      { code: '5000', name: 'Odense C' }, { code: '5200', name: 'Odense V' }, { code: '5210', name: 'Odense NV' },
    ],
  },
];

/** The key by which CPR names an address: kommunekode, vejkode, husnummer, etage, sidedør. */
export function addressKey(parts: {
  municipalityCode: string; streetCode: string; houseNumber: string; floor: string | null; door: string | null;
}): string {
  return [parts.municipalityCode, parts.streetCode, parts.houseNumber, parts.floor ?? '', parts.door ?? ''].join('|');
}

const STREETS_PER_MUNICIPALITY = 30;
const HOUSES_PER_STREET = 10;
const APARTMENT_FLOORS = ['st', '1', '2', '3', '4'] as const;
const APARTMENT_DOORS = ['tv', 'th'] as const;
const MIN_PERSONS = 10_000;
const MIN_CASES = 20_000;

let cached: World | undefined;

/** The world for the default seed, built once per process. */
export function buildWorld(seed: number = DEFAULT_SEED): World {
  if (seed === DEFAULT_SEED && cached) return cached;
  const world = generate(seed);
  if (seed === DEFAULT_SEED) cached = world;
  return world;
}

/**
 * A copy of `world` that case writes (`caseWrites.ts`) can change without changing `world`: the
 * tables writes touch and every case are copied, the rest is shared, as nothing writes it. Each
 * local stack works on one, so the world `buildWorld` keeps for the process stays as seeded for
 * every stack, and every test file, that starts after another one wrote.
 */
export function forkWorld(world: World): World {
  const cases = new Map<string, Case>();
  for (const [id, kase] of world.cases) cases.set(id, { ...kase, documentIds: [...kase.documentIds] });
  return {
    ...world,
    cases,
    documents: new Map(world.documents),
    casesByParty: new Map(world.casesByParty),
    casesByNumber: new Map(world.casesByNumber),
  };
}

function generate(seed: number): World {
  const random = createRandom(seed);
  const { kle, kleGroupTitles } = loadKle();
  const accessAddresses = new Map<string, AccessAddress>();
  const addresses = new Map<string, Address>();
  const buildings = new Map<string, Building>();
  const units = new Map<string, Unit>();
  const addressesByKey = new Map<string, string>();
  const dwellingsByMunicipality = new Map<string, string[]>();

  for (const municipality of municipalities) {
    const dwellings: string[] = [];
    const codes = new Set<string>();
    for (let s = 0; s < STREETS_PER_MUNICIPALITY; s++) {
      let streetCode: string;
      do streetCode = String(random.int(10, 9899)).padStart(4, '0');
      while (codes.has(streetCode));
      codes.add(streetCode);
      const streetName = streetNames[s % streetNames.length] as string;
      const postcode = random.pick(municipality.postcodes);
      for (let h = 0; h < HOUSES_PER_STREET; h++) {
        const houseNumber = `${1 + h * 2}${random.chance(0.1) ? 'A' : ''}`;
        const accessAddress: AccessAddress = {
          id: random.uuid(), municipalityCode: municipality.code, streetCode, streetName, houseNumber,
          postcode: postcode.code, postcodeName: postcode.name, buildingId: random.uuid(),
        };
        accessAddresses.set(accessAddress.id, accessAddress);
        const apartmentBlock = random.chance(0.5);
        const building: Building = {
          id: accessAddress.buildingId, accessAddressId: accessAddress.id, municipalityCode: municipality.code,
          usageCode: apartmentBlock ? '140' : random.pick(['120', '131']),
          yearBuilt: apartmentBlock ? random.int(1880, 1975) : random.int(1930, 2022),
          builtArea: 0, totalArea: 0, floors: apartmentBlock ? APARTMENT_FLOORS.length : random.int(1, 2), unitIds: [],
        };
        const placements: { floor: string | null; door: string | null }[] = apartmentBlock
          ? APARTMENT_FLOORS.flatMap((floor) => APARTMENT_DOORS.map((door) => ({ floor, door })))
          : [{ floor: null, door: null }];
        for (const { floor, door } of placements) {
          const area = apartmentBlock ? random.int(45, 130) : random.int(90, 220);
          const unit: Unit = {
            id: random.uuid(), buildingId: building.id, addressId: random.uuid(),
            usageCode: apartmentBlock ? '140' : building.usageCode,
            area, residentialArea: area, rooms: Math.max(1, Math.round(area / 28)),
          };
          const text = formatAddressText(accessAddress, floor, door);
          addresses.set(unit.addressId, { id: unit.addressId, accessAddressId: accessAddress.id, floor, door, text, unitId: unit.id });
          addressesByKey.set(
            addressKey({ municipalityCode: municipality.code, streetCode, houseNumber, floor, door }),
            unit.addressId,
          );
          units.set(unit.id, unit);
          building.unitIds.push(unit.id);
          building.totalArea += area;
          dwellings.push(unit.addressId);
        }
        building.builtArea = Math.round(building.totalArea / building.floors);
        buildings.set(building.id, building);
      }
    }
    dwellingsByMunicipality.set(municipality.code, dwellings);
  }

  const persons = populate(random, addresses, accessAddresses, dwellingsByMunicipality);
  const { cases, documents, casesByParty, casesByNumber } = fileCases(random, persons, kle);
  filePropertyCases(seed, { municipalities, accessAddresses, addresses, buildings, units, persons, kle, cases, documents, casesByParty, casesByNumber });
  return {
    municipalities, accessAddresses, addresses, buildings, units, persons, cases, documents,
    kle, kleGroupTitles, casesByParty, casesByNumber, addressesByKey,
    municipalPapers: municipalPapers(seed),
    installationsByBuilding: drawInstallations(seed, buildings.values()),
  };
}

function formatAddressText(access: AccessAddress, floor: string | null, door: string | null): string {
  const unit = floor === null ? '' : `, ${floor === 'st' ? 'st.' : `${floor}.`}${door ? ` ${door}` : ''}`;
  return `${access.streetName} ${access.houseNumber}${unit}, ${access.postcode} ${access.postcodeName}`;
}

function loadKle(): { kle: Map<string, KleSubject>; kleGroupTitles: Map<string, string> } {
  const csv = readFileSync(new URL('./kle-subset.csv', import.meta.url), 'utf8');
  const subjects = new Map<string, KleSubject>();
  const groupTitles = new Map<string, string>();
  for (const line of csv.split('\n').slice(1)) {
    const match = /^([0-9a-f-]{36}),([0-9.]+),"?(.*?)"?\s*$/.exec(line);
    if (!match) continue;
    const [, uuid, number, fullTitle] = match as unknown as [string, string, string, string];
    const title = fullTitle.replace(/^[0-9.]+ - /, '');
    // only emner (subjects, three levels) classify cases; groups give their titles
    if (number.split('.').length === 3) subjects.set(number, { uuid, number, title });
    else groupTitles.set(number, title);
  }
  return { kle: subjects, kleGroupTitles: groupTitles };
}

/** Households until the population passes MIN_PERSONS; every person lives at a seeded dwelling. */
function populate(
  random: Random,
  addresses: Map<string, Address>,
  accessAddresses: Map<string, AccessAddress>,
  dwellingsByMunicipality: Map<string, string[]>,
): Map<string, Person> {
  const persons = new Map<string, Person>();
  const used = new Set<string>();
  const free = [...dwellingsByMunicipality.values()].flat();
  let cursor = 0;

  const newPerson = (sex: Sex, birthYear: number, familyName: string, addressId: string): Person => {
    const address = addresses.get(addressId)!;
    const municipalityCode = accessAddresses.get(address.accessAddressId)!.municipalityCode;
    const month = random.int(1, 12);
    const day = random.int(1, 28);
    const cpr = substituteCpr(random, used, birthYear, month, day, sex);
    const person: Person = {
      cpr,
      givenName: random.pick(sex === 'K' ? femaleGivenNames : maleGivenNames),
      middleName: random.chance(0.25) ? random.pick(middleNames) : null,
      familyName,
      birthDate: `${birthYear}-${pad(month)}-${pad(day)}`,
      sex,
      status: 1,
      maritalStatus: 'U',
      addressId,
      municipalityCode,
      spouseCpr: null,
      childCprs: [],
      motherCpr: null,
      fatherCpr: null,
      addressProtected: random.chance(0.01),
    };
    persons.set(cpr, person);
    return person;
  };

  while (persons.size < MIN_PERSONS) {
    if (cursor >= free.length) throw new Error('synthetic world: more households than dwellings');
    // Interleave municipalities so each gets a share of every household kind.
    const addressId = free[(cursor * 7919) % free.length] as string;
    cursor++;
    const familyName = random.pick(familyNames);
    const kind = random.next();
    const adults: Person[] = [];
    if (kind < 0.6) {
      const woman = newPerson('K', random.int(1950, 1998), familyName, addressId);
      const man = newPerson('M', Number(woman.birthDate.slice(0, 4)) + random.int(-4, 4), familyName, addressId);
      woman.maritalStatus = 'G'; man.maritalStatus = 'G';
      woman.spouseCpr = man.cpr; man.spouseCpr = woman.cpr;
      adults.push(woman, man);
    } else {
      adults.push(newPerson(random.chance(0.5) ? 'K' : 'M', random.int(1945, 2002), familyName, addressId));
      if (random.chance(0.3)) adults[0]!.maritalStatus = random.pick(['F', 'E'] as const);
    }
    const childCount = kind < 0.45 ? random.int(1, 3) : kind > 0.9 ? random.int(1, 2) : 0;
    for (let c = 0; c < childCount; c++) {
      const child = newPerson(random.chance(0.5) ? 'K' : 'M', random.int(2008, 2024), familyName, addressId);
      for (const parent of adults) {
        parent.childCprs.push(child.cpr);
        if (parent.sex === 'K') child.motherCpr = parent.cpr;
        else child.fatherCpr = parent.cpr;
      }
    }
  }
  return persons;
}

/**
 * A substitute personnummer: day of month + 60, a century-consistent seventh digit, and a
 * final digit whose parity gives the sex (odd male, even female), as real numbers do.
 */
function substituteCpr(random: Random, used: Set<string>, year: number, month: number, day: number, sex: Sex): string {
  const yy = pad(year % 100);
  for (;;) {
    const centuryDigit = year >= 2000 ? 4 : random.int(0, 3);
    const middle = String(random.int(0, 99)).padStart(2, '0');
    let last = random.int(0, 9);
    if ((last % 2 === 1) !== (sex === 'M')) last = (last + 1) % 10;
    const cpr = `${pad(day + 60)}${pad(month)}${yy}${centuryDigit}${middle}${last}`;
    if (!used.has(cpr)) {
      used.add(cpr);
      return cpr;
    }
  }
}

function fileCases(random: Random, persons: Map<string, Person>, kle: Map<string, KleSubject>) {
  const cases = new Map<string, Case>();
  const documents = new Map<string, CaseDocument>();
  const casesByParty = new Map<string, string[]>();
  const casesByNumber = new Map<string, string>();
  const subjectsByGroup = new Map<string, KleSubject[]>();
  for (const subject of kle.values()) {
    const group = subject.number.slice(0, 2);
    subjectsByGroup.set(group, [...(subjectsByGroup.get(group) ?? []), subject]);
  }
  const serials = new Map<string, number>();
  const acadre = new Set(municipalities.filter((m) => m.esdhVendor === 'acadre').map((m) => m.code));
  const acadreIds = new Map<string, { caseFile: number; document: number }>();
  /** An Acadre municipality's next case file and document ids: what its index feeder shows them under. */
  const nextAcadreId = (municipalityCode: string, kind: 'caseFile' | 'document') => {
    const ids = acadreIds.get(municipalityCode) ?? { caseFile: FIRST_CASE_FILE_ID, document: FIRST_DOCUMENT_ID };
    acadreIds.set(municipalityCode, { ...ids, [kind]: ids[kind] + 1 });
    return ids[kind];
  };
  const adults = [...persons.values()].filter((p) => Number(p.birthDate.slice(0, 4)) < 2006);

  const openCase = (primary: Person) => {
    const { group, unit } = random.pick(caseGroups);
    const subject = random.pick(subjectsByGroup.get(group) ?? [...kle.values()]);
    const year = random.int(2019, 2026);
    const serial = (serials.get(primary.municipalityCode) ?? 0) + 1;
    serials.set(primary.municipalityCode, serial);
    const inAcadre = acadre.has(primary.municipalityCode);
    const number = inAcadre ? acadreCaseNumber(year, serial) : `${subject.number}-G01-${serial}-${pad(year % 100)}`;
    const parties: Case['parties'] = [{ cpr: primary.cpr, role: 'PRIMARY' }];
    // Family members often share a case; this is what makes party look-ups repeat.
    if (primary.spouseCpr && random.chance(0.5)) parties.push({ cpr: primary.spouseCpr, role: 'SECONDARY' });
    for (const child of primary.childCprs) if (random.chance(0.4)) parties.push({ cpr: child, role: 'SECONDARY' });
    const statuses: CaseStatus[] = ['Opstaaet', 'Oplyst', 'Afgjort', 'Afsluttet'];
    // The UUID is drawn for every case, so which vendor a municipality runs changes no other data.
    const drawnId = random.uuid();
    const kase: Case = {
      id: inAcadre ? acadreIndexUuid('case', primary.municipalityCode, nextAcadreId(primary.municipalityCode, 'caseFile')) : drawnId, number,
      title: `${subject.title}, ${random.pick(caseTitleSuffixes)}`,
      status: random.pick(statuses), kle: subject,
      municipalityCode: primary.municipalityCode, responsibleUnit: unit,
      sensitive: group === '27' || group === '29',
      parties, documentIds: [],
      openedAt: `${year}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`,
    };
    const documentCount = random.int(1, 4);
    for (let d = 0; d < documentCount; d++) {
      const template = random.pick(documentTemplates);
      const drawnDocumentId = random.uuid();
      const document: CaseDocument = {
        id: inAcadre ? acadreIndexUuid('document', kase.municipalityCode, nextAcadreId(kase.municipalityCode, 'document')) : drawnDocumentId,
        caseId: kase.id, title: template.title,
        date: addDays(kase.openedAt, random.int(0, 150)), kind: template.kind,
      };
      documents.set(document.id, document);
      kase.documentIds.push(document.id);
    }
    cases.set(kase.id, kase);
    casesByNumber.set(`${kase.municipalityCode}|${kase.number}`, kase.id);
    for (const party of parties) casesByParty.set(party.cpr, [...(casesByParty.get(party.cpr) ?? []), kase.id]);
  };

  let index = 0;
  while (cases.size < MIN_CASES) {
    const primary = adults[index % adults.length] as Person;
    // Every 50th adult with a family is a "heavy" citizen with a dozen cases.
    const heavy = index % 50 === 0 && primary.spouseCpr !== null && primary.childCprs.length > 0;
    const count = heavy ? 12 : random.int(0, 4);
    for (let c = 0; c < count; c++) openCase(primary);
    index++;
  }
  return { cases, documents, casesByParty, casesByNumber };
}


/** Mixed into the seed for the papers' own stream, so the rest of the world draws exactly what it drew before them. */
const PAPERS_STREAM = 0x7ab1_1c00;
const COMMITTEES = ['Økonomiudvalget', 'Teknik- og Miljøudvalget', 'Børne- og Ungdomsudvalget', 'Socialudvalget', 'Kultur- og Fritidsudvalget'] as const;
/** What the council and committees decide in matters of no citizen: a title for the matter and for its decision. */
const PUBLIC_MATTERS = [
  { matter: 'Lokalplan nr. {n} for {street}', decision: 'Vedtagelse af lokalplan nr. {n}' },
  { matter: 'Trafiksikring af {street}', decision: 'Beslutning om hastighedsdæmpning på {street}' },
  { matter: 'Skoledistrikter fra skoleåret 2027/28', decision: 'Fastlæggelse af skoledistrikter' },
  { matter: 'Renovering af {street} Skole', decision: 'Anlægsbevilling til renovering af {street} Skole' },
  { matter: 'Takster for dagtilbud 2027', decision: 'Godkendelse af takster for dagtilbud' },
  { matter: 'Kommuneplantillæg nr. {n}', decision: 'Endelig vedtagelse af kommuneplantillæg nr. {n}' },
] as const;
/** Closed items (lukkede punkter): their papers stay internal. */
const CLOSED_ITEMS = ['Personalesag', 'Køb af ejendom', 'Udbud af rengøring', 'Klagesag'] as const;

/**
 * Each municipality's meeting papers and decisions in 2026: the council (Borgerrepræsentationen in
 * København, Byrådet elsewhere) meets every month, each committee in about half of them; every
 * meeting has an agenda and minutes, public, and some a closed item whose papers are not; and a
 * handful of decisions outside meetings, most of them public.
 */
function municipalPapers(seed: number): Map<string, MunicipalPaper[]> {
  const random = createRandom((seed ^ PAPERS_STREAM) >>> 0);
  const byMunicipality = new Map<string, MunicipalPaper[]>();
  for (const municipality of municipalities) {
    const papers: MunicipalPaper[] = [];
    const paper = (fields: Omit<MunicipalPaper, 'id' | 'municipalityCode'>) =>
      papers.push({ id: random.uuid(), municipalityCode: municipality.code, ...fields });
    const council = municipality.code === '0101' ? 'Borgerrepræsentationen' : 'Byrådet';
    for (let month = 1; month <= 11; month++) {
      for (const committee of [council, ...COMMITTEES]) {
        if (committee !== council && !random.chance(0.5)) continue;
        const meetingDate = `2026-${pad(month)}-${pad(random.int(8, 24))}`;
        const on = danishDate(meetingDate);
        paper({ title: `Dagsorden, ${committee} ${on}`, date: addDays(meetingDate, -7), kind: 'AGENDA', committee, meetingDate, caseTitle: null, public: true });
        paper({ title: `Referat, ${committee} ${on}`, date: addDays(meetingDate, random.int(1, 3)), kind: 'MINUTES', committee, meetingDate, caseTitle: null, public: true });
        if (random.chance(0.3)) {
          const item = random.pick(CLOSED_ITEMS);
          paper({ title: `Lukket punkt: ${item}, ${committee} ${on}`, date: meetingDate, kind: 'MINUTES', committee, meetingDate, caseTitle: null, public: false });
        }
      }
    }
    const decisions = random.int(5, 8);
    for (let d = 0; d < decisions; d++) {
      const { matter, decision } = random.pick(PUBLIC_MATTERS);
      const fill = (text: string, n: number, street: string) => text.replace('{n}', String(n)).replace('{street}', street);
      const n = random.int(100, 999);
      const street = random.pick(streetNames);
      const published = random.chance(0.8);
      paper({
        title: published ? fill(decision, n, street) : `Afgørelse i sag om ${fill(matter, n, street).toLowerCase()}, med oplysninger om enkeltpersoner`,
        date: `2026-${pad(random.int(1, 11))}-${pad(random.int(1, 28))}`,
        kind: 'DECISION', committee: null, meetingDate: null, caseTitle: fill(matter, n, street), public: published,
      });
    }
    byMunicipality.set(municipality.code, papers);
  }
  return byMunicipality;
}

/** "12. marts 2026", as Danish municipalities date their meetings. */
function danishDate(isoDate: string): string {
  const months = ['januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'december'];
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return `${day}. ${months[month - 1]} ${year}`;
}
