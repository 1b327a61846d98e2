/**
 * Case-index simulator: SOAP 1.1, compatible with KOMBIT SF1470 Sags- og Dokumentindeks v5 via
 * Serviceplatformen, operation `fremsoeg` (namespaces, element order, RequestHeader and fault
 * as in the published WSDL/XSD). Finds cases by case UUID, or by a search expression (SoegUdtryk:
 * AND, OR, NOT over SoegSag) whose SoegSag name a party (Sagspart, CPR as `urn:oio:cpr-nr:…`), a KLE
 * subject (Sagsklasse, by Klasse UUID or by the index's BrugervendtNoegle), a thing the case is
 * about (Sagsgenstande, a DAR address or BBR building by UUID), the status in force
 * (Fremdrift without Virkning) or when the case arose (Fremdrift Opstaaet with a Virkning: its
 * beginning falls in that period, from inclusive, to exclusive), sorted as SagSortering asks and
 * paged by the first SoegSag's FoersteResultatReference (matches skipped) and MaksimalAntalKvantitet.
 * Anything else it is given it refuses by name, rather than answer as if it had understood.
 * It shows every part of a case whatever the Filter asks, except its objects (Sagsgenstande): those
 * only when the Filter's SagVis names sagsgenstand, as a search by case object does.
 *
 * Role and type UUIDs are KOMBIT's sample values; "Sekundær part" has no published UUID, so the
 * simulator uses its own (SECONDARY_PARTY_ROLE below).
 */
import { readFileSync } from 'node:fs';
import { buildWorld, type Case, type World } from '../data/world';
import { startSimulator, type RunningSimulator, type SimulatorOptions, type SimulatorRequest } from '../core/simulator';
import { wsdlAnswer, childOf, childrenOf, elementsOf, readEnvelope, serviceplatformFault, SoapRequestError, soapResponse, textOf, type QualifiedElement } from '../core/soap';

export const NS = {
  tns: 'http://serviceplatformen.dk/xml/wsdl/soap11/SagDokument/SagDokumentIndeks/5/',
  header: 'http://kombit.dk/xml/schemas/RequestHeader/1/',
  authctx: 'http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/',
  sdi: 'urn:oio:sts:sagdok:sagdokumentindeks:1.2.4.0',
  sag: 'urn:oio:sts:sagdok:sag:1.2.4.0',
  si: 'urn:oio:sts:sagdok:sagindeks:1.2.4.0',
  gd: 'urn:oio:sts:generelledefinitioner:1.2.4.0',
  sd: 'urn:oio:sagdok:3.0.0',
} as const;

export const FREMSOEG_ACTION = `${NS.tns}fremsoeg`;
export const CASE_INDEX_SERVICE_PATH = '/service/SagDokument/SagDokumentIndeks/5';

const ROLE = {
  primaryParty: 'd839f26a-d4d1-4441-b2d6-3dbbb12a9404',
  secondaryParty: '5e2b7c1a-9d3f-4e8a-b6c2-0a4f7d9e1b35', // simulator's own: no published UUID exists
  responsible: 'a1263342-d348-44ba-a566-233f37c4cb67',
  owner: '9e979b84-b846-4472-8622-58007dc63c7e',
  primaryClass: 'a86c6581-ec85-412d-a655-31a1f1d5b14f',
  master: '251c24fd-57b0-4afc-9d73-b063d1957eb3',
  filed: '69a0a697-0a77-4916-bea3-226594fa6627', // Tilakteret
} as const;
const TYPE = {
  person: 'c189ba35-de4b-4363-a8b7-67f1456cf56f',
  organisationUnit: 'c5fc3b3b-5197-49ee-92e6-ae6ba1957174',
  organisation: 'bc6972cd-8f2b-4b9d-8d37-62916d6a71aa',
  klasse: '267235ea-526d-4a18-8001-f2a0e563eba1',
  itSystem: '29fe1da2-897a-46cd-b635-b9be8e0bffd6',
  document: '198dd40f-88fe-49a3-8716-b6230544c23b',
} as const;

const CPR_URN = /^urn:oio:cpr-?nr:([0-9]{10})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface CaseIndexSimulatorOptions extends SimulatorOptions {
  world?: World;
  /**
   * Answer every case, whatever AuthorityContext asks for: an index whose access rules are wider
   * than the asking municipality's, for tests that the graph holds tenancy on its own.
   */
  ignoreAuthorityContext?: boolean;
}

export async function startCaseIndexSimulator(options: CaseIndexSimulatorOptions = {}): Promise<RunningSimulator> {
  const world = options.world ?? buildWorld();
  const wsdlTemplate = readFileSync(new URL('./SagDokumentIndeksService.wsdl', import.meta.url), 'utf8');
  let baseUrl = '';
  const simulator = await startSimulator(
    {
      name: 'case-index',
      renderFault: () => serviceplatformFault('Server', 'SERVICE_UNAVAILABLE', 'Sagsindekset er midlertidigt utilgængeligt'),
      handle: (request) => {
        const wsdl = wsdlAnswer(request, wsdlTemplate, `${baseUrl}${CASE_INDEX_SERVICE_PATH}`);
        if (wsdl) return { response: wsdl, record: { operation: 'wsdl', key: '' } };
        return fremsoeg(world, request, options.ignoreAuthorityContext ?? false);
      },
    },
    options,
  );
  baseUrl = simulator.url;
  return simulator;
}

function fremsoeg(world: World, request: SimulatorRequest, ignoreAuthority: boolean) {
  if (request.method !== 'POST' || request.url.pathname !== CASE_INDEX_SERVICE_PATH) {
    return { response: { status: 404, contentType: 'text/plain', body: 'no such service' } };
  }
  const action = String(request.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
  if (action !== FREMSOEG_ACTION) {
    return { response: serviceplatformFault('Client', 'UNSUPPORTED_OPERATION', 'Simulatoren understøtter kun fremsoeg') };
  }
  let query: Query;
  try {
    query = readQuery(request.body, world);
  } catch (error) {
    if (error instanceof SoapRequestError) return { response: serviceplatformFault('Client', 'INVALID_REQUEST', error.message) };
    throw error;
  }
  const municipality = query.municipalityCvr ? world.municipalities.find((m) => m.cvr === query.municipalityCvr) : undefined;
  if (query.municipalityCvr && !municipality) {
    return { response: serviceplatformFault('Client', 'UNKNOWN_AUTHORITY', 'Ukendt myndighed i AuthorityContext') };
  }
  const visible = (c: Case | undefined): c is Case => c !== undefined && (!municipality || ignoreAuthority || c.municipalityCode === municipality.code);
  const search = query.search;
  let cases: Case[];
  let total: number;
  if (search) {
    // The party index narrows a search that names a party every match must have; else every case is a candidate.
    const candidates = search.party !== undefined ? (world.casesByParty.get(search.party) ?? []).map((id) => world.cases.get(id)) : [...world.cases.values()];
    const matches = candidates.filter(visible).filter(search.matches);
    if (search.order.length > 0) matches.sort(comparing(search.order));
    total = matches.length;
    const offset = search.page?.offset ?? 0;
    cases = matches.slice(offset, search.page?.limit !== undefined ? offset + search.page.limit : undefined);
  } else {
    cases = query.caseIds.map((id) => world.cases.get(id)).filter(visible);
    total = cases.length;
  }
  const record = { operation: 'fremsoeg', key: search ? search.key : `case:${[...query.caseIds].sort().join(',')}` };
  const header = query.transactionId
    ? { 'header:RequestHeader': { '@_xmlns:header': NS.header, 'header:TransactionUUID': query.transactionId } }
    : undefined;
  const body = {
    'tns:FremsoegResponse': {
      ...Object.fromEntries(Object.entries(NS).filter(([p]) => p !== 'header' && p !== 'authctx').map(([p, uri]) => [`@_xmlns:${p}`, uri])),
      'sdi:FremsoegSagDokumentIndeksOutput': {
        'sd:StandardRetur': { 'sd:StatusKode': 20, 'sd:FejlbeskedTekst': 'OK' },
        // How many match in all, and, for a paged search, which slice this answer is (sdi:AntalType).
        'sdi:Antal': {
          'sdi:Element': 'sager',
          'sdi:Antal': total,
          ...(search?.page
            ? {
                'sdi:Paginering': {
                  'sd:FoersteResultatReference': search.page.offset,
                  ...(search.page.limit !== undefined ? { 'sd:MaksimalAntalKvantitet': search.page.limit } : {}),
                },
              }
            : {}),
        },
        'sdi:SagFiltreretOejebliksbillede': cases.map((c) => caseSnapshot(world, c, { caseObjects: query.showsCaseObjects })),
      },
    },
  };
  return { response: soapResponse(body, header), record };
}

interface Query {
  caseIds: string[];
  search?: Search;
  /** The Filter's SagVis names sagsgenstand: show each case's objects. */
  showsCaseObjects: boolean;
  municipalityCvr?: string;
  transactionId?: string;
}

/** A search expression as the simulator runs it. */
interface Search {
  matches: (kase: Case) => boolean;
  /** A party every match has (from a SoegSag the expression ANDs in): where to start looking. */
  party?: string;
  page?: { offset: number; limit?: number };
  order: SortKey[];
  /** What the call log records: `party:<cpr>` for a plain search by party, else the expression. */
  key: string;
}

interface SortKey {
  element: 'Registreringstidspunkt' | 'BrugervendtNoegle';
  descending: boolean;
}

function readQuery(xml: string, world: World): Query {
  const { header, body } = readEnvelope(xml);
  const request = body.find((e) => e.namespace === NS.tns && e.localName === 'FremsoegRequest');
  if (!request) throw new SoapRequestError('Body must hold FremsoegRequest in the SagDokumentIndeks/5 namespace');
  const input = childOf(request, NS.sdi, 'FremsoegSagDokumentIndeksInput');
  if (!input) throw new SoapRequestError('FremsoegRequest must hold sdi:FremsoegSagDokumentIndeksInput');
  const requestHeader = header.find((e) => e.namespace === NS.header && e.localName === 'RequestHeader');
  const transactionId = textOf(requestHeader ? childOf(requestHeader, NS.header, 'TransactionUUID') : undefined);
  const authority = childOf(request, NS.authctx, 'AuthorityContext');
  const municipalityCvr = textOf(authority ? childOf(authority, NS.authctx, 'MunicipalityCVR') : undefined);
  const caseIds = childrenOf(input, NS.sdi, 'SagUuid').map((e) => textOf(e) ?? '');
  const expression = childOf(input, NS.sdi, 'SoegUdtryk');
  if (!expression && caseIds.length === 0) throw new SoapRequestError('give a SoegUdtryk or one or more SagUuid');
  if (expression && caseIds.length > 0) throw new SoapRequestError('the simulator takes either SagUuid or a SoegUdtryk, not both');
  const filter = childOf(input, NS.sdi, 'Filter');
  const views = (filter ? childrenOf(filter, NS.sdi, 'SagVis') : []).map((v) => textOf(childOf(v, NS.sdi, 'Vis')));
  return {
    caseIds,
    showsCaseObjects: views.includes('sagsgenstand'),
    ...(expression ? { search: readSearch(expression, childOf(input, NS.sdi, 'Sortering'), world) } : {}),
    ...(municipalityCvr ? { municipalityCvr } : {}),
    ...(transactionId ? { transactionId } : {}),
  };
}

/** What one SoegSag, or one expression, asks: a test, the parties it requires and how it reads in the call log. */
interface Criterion {
  test: (kase: Case) => boolean;
  parties: string[];
  text: string;
}

function readSearch(expression: QualifiedElement, sorting: QualifiedElement | undefined, world: World): Search {
  const pages: { offset: number; limit?: number }[] = [];
  const criterion = readExpression(expression, world, pages, true);
  const page = pages[0];
  const order = readSorting(sorting);
  // A plain search by one party keeps the key it always had, so call counts read the same.
  const plainParty = /^sag\(part=([0-9]{10})\)$/.exec(criterion.text);
  return {
    matches: criterion.test,
    ...(criterion.parties[0] !== undefined ? { party: criterion.parties[0] } : {}),
    ...(page ? { page } : {}),
    order,
    key: plainParty && !page && order.length === 0 ? `party:${plainParty[1]}` : `search:${criterion.text}${page ? `#${page.offset}+${page.limit ?? ''}` : ''}`,
  };
}

/** sdi:SoegUdtrykType: `operation` (AND when absent) over SoegSag, nested SoegUdtryk and NOT. */
function readExpression(expression: QualifiedElement, world: World, pages: { offset: number; limit?: number }[], top: boolean): Criterion {
  const operation = textOf(childOf(expression, NS.sdi, 'operation')) ?? 'AND';
  if (operation !== 'AND' && operation !== 'OR') throw new SoapRequestError('SoegUdtryk operation must be AND or OR');
  const parts: Criterion[] = [];
  let first = true;
  for (const element of elementsOf(expression.node, expression.scope)) {
    if (element.namespace === NS.sdi && element.localName === 'operation') continue;
    if (element.namespace !== NS.sdi) throw new SoapRequestError(`SoegUdtryk cannot hold ${element.localName}`);
    if (element.localName === 'SoegSag') {
      // Paging belongs to the search as a whole: it is read from the first SoegSag of the expression.
      parts.push(readSoegSag(element, world, top && first && operation === 'AND' ? pages : undefined));
      first = false;
    } else if (element.localName === 'SoegUdtryk') {
      parts.push(readExpression(element, world, pages, false));
    } else if (element.localName === 'NOT') {
      const inner = readExpression(element, world, pages, false);
      parts.push({ test: (c) => !inner.test(c), parties: [], text: `NOT(${inner.text})` });
    } else if (element.localName === 'SoegDokument' || element.localName === 'SoegSagsloeseDokumenter') {
      throw new SoapRequestError('the simulator searches cases (SoegSag) only, not documents');
    } else {
      throw new SoapRequestError(`SoegUdtryk cannot hold ${element.localName}`);
    }
  }
  if (parts.length === 0) throw new SoapRequestError('SoegUdtryk must hold at least one search');
  if (parts.length === 1) return parts[0] as Criterion;
  const tests = parts.map((p) => p.test);
  return operation === 'OR'
    ? { test: (c) => tests.some((t) => t(c)), parties: [], text: `OR(${parts.map((p) => p.text).join(',')})` }
    : { test: (c) => tests.every((t) => t(c)), parties: parts.flatMap((p) => p.parties), text: `AND(${parts.map((p) => p.text).join(',')})` };
}

/** One sag:SoegInputType: every criterion it names must hold (an empty one matches every case). */
function readSoegSag(search: QualifiedElement, world: World, pages: { offset: number; limit?: number }[] | undefined): Criterion {
  const attributes = childOf(search, NS.sag, 'AttributListe');
  const states = childOf(search, NS.sag, 'TilstandListe');
  const relations = childOf(search, NS.sag, 'RelationListe');
  if (!attributes || !states || !relations) throw new SoapRequestError('SoegSag must hold sag:AttributListe, sag:TilstandListe and sag:RelationListe');
  const offset = integerOf(childOf(search, NS.sd, 'FoersteResultatReference'), 'FoersteResultatReference');
  const limit = integerOf(childOf(search, NS.sd, 'MaksimalAntalKvantitet'), 'MaksimalAntalKvantitet');
  if (offset !== undefined || limit !== undefined) {
    if (!pages) throw new SoapRequestError('paging (FoersteResultatReference, MaksimalAntalKvantitet) is read from the first SoegSag of the expression only');
    pages.push({ offset: offset ?? 0, ...(limit !== undefined ? { limit } : {}) });
  }
  for (const name of ['SoegRegistrering', 'SoegVirkning']) {
    if (childOf(search, NS.sd, name)) throw new SoapRequestError(`the simulator does not search by ${name}`);
  }
  if (elementsOf(attributes.node, attributes.scope).length > 0) throw new SoapRequestError('the simulator does not search by AttributListe');
  const tests: ((c: Case) => boolean)[] = [];
  const texts: string[] = [];
  const parties: string[] = [];
  for (const relation of elementsOf(relations.node, relations.scope)) {
    if (relation.namespace === NS.sag && relation.localName === 'Sagspart') {
      const reference = childOf(relation, NS.gd, 'ReferenceID');
      const match = CPR_URN.exec(textOf(reference ? childOf(reference, NS.sd, 'URNIdentifikator') : undefined) ?? '');
      if (!match) throw new SoapRequestError('Sagspart ReferenceID must be urn:oio:cpr-nr:<10 digits>');
      const cpr = match[1] as string;
      parties.push(cpr);
      tests.push((c) => c.parties.some((p) => p.cpr === cpr));
      texts.push(`part=${cpr}`);
    } else if (relation.namespace === NS.sag && relation.localName === 'Sagsklasse') {
      const { test, text } = readClassification(relation, world);
      tests.push(test);
      texts.push(text);
    } else if (relation.namespace === NS.sag && relation.localName === 'Sagsgenstande') {
      const reference = childOf(relation, NS.gd, 'ReferenceID');
      const uuid = textOf(reference ? childOf(reference, NS.sd, 'UUIDIdentifikator') : undefined)?.toLowerCase();
      // The world names its addresses and buildings by UUID only, so an object by URN matches nothing it holds.
      if (!uuid || !UUID.test(uuid)) throw new SoapRequestError('Sagsgenstande ReferenceID must be a UUIDIdentifikator (the simulator knows no object by URN)');
      tests.push((c) => (c.objects ?? []).some((o) => o.id === uuid));
      texts.push(`genstand=${uuid}`);
    } else {
      throw new SoapRequestError(`the simulator searches by the relations Sagspart, Sagsklasse and Sagsgenstande only, not ${relation.localName}`);
    }
  }
  for (const state of elementsOf(states.node, states.scope)) {
    if (state.namespace !== NS.sag || state.localName !== 'Fremdrift') throw new SoapRequestError(`the simulator searches by the state Fremdrift only, not ${state.localName}`);
    const code = textOf(childOf(state, NS.sag, 'FremdriftStatusKode'));
    if (!code || !PROGRESS.has(code)) throw new SoapRequestError('Fremdrift must give a FremdriftStatusKode of Sag.xsd');
    const virkning = childOf(state, NS.sag, 'Virkning');
    if (!virkning) {
      // A state searched for without a Virkning is the state in force now.
      tests.push((c) => c.status === code);
      texts.push(`fremdrift=${code}`);
      continue;
    }
    if (code !== 'Opstaaet') throw new SoapRequestError('the simulator reads a Fremdrift Virkning only on Opstaaet (when the case arose)');
    const from = instantOf(childOf(virkning, NS.sd, 'FraTidspunkt'), -Infinity);
    const to = instantOf(childOf(virkning, NS.sd, 'TilTidspunkt'), Infinity);
    tests.push((c) => {
      const arose = Date.parse(at(c.openedAt)['sd:TidsstempelDatoTid']);
      return arose >= from && arose < to;
    });
    texts.push(`opstaaet=[${from},${to})`);
  }
  return { test: (c) => tests.every((t) => t(c)), parties, text: `sag(${texts.join(';')})` };
}

/** Sagsklasse by the Klasse UUID (gd:ReferenceID), or by the KLE number the index keeps in its extension. */
function readClassification(relation: QualifiedElement, world: World): { test: (c: Case) => boolean; text: string } {
  const reference = childOf(relation, NS.gd, 'ReferenceID');
  const uuid = textOf(reference ? childOf(reference, NS.sd, 'UUIDIdentifikator') : undefined);
  if (uuid) return { test: (c) => c.kle.uuid === uuid, text: `klasse=${uuid}` };
  const extensions = childOf(relation, NS.gd, 'LokalUdvidelseListe');
  const local = extensions ? childOf(extensions, NS.si, 'SagsklasseLokalUdvidelse') : undefined;
  const number = textOf(local ? childOf(local, NS.si, 'BrugervendtNoegle') : undefined);
  if (!number) throw new SoapRequestError('Sagsklasse must name the Klasse by ReferenceID UUID or by si:SagsklasseLokalUdvidelse/si:BrugervendtNoegle');
  // An exact key, as the contract gives no wildcard or prefix: a group number matches no case.
  if (!world.kle.has(number) && !world.kleGroupTitles.has(number)) throw new SoapRequestError('Sagsklasse BrugervendtNoegle is no KLE number the index knows');
  return { test: (c) => c.kle.number === number, text: `klasse=${number}` };
}

/** sdi:FremsoegSorteringSagDokumentIndeksInputType, by Prioritet; the simulator sorts by two of its elements. */
function readSorting(sorting: QualifiedElement | undefined): SortKey[] {
  if (!sorting) return [];
  const keys = childrenOf(sorting, NS.sdi, 'SagSortering').map((entry) => {
    const element = textOf(childOf(entry, NS.sdi, 'Element'));
    const direction = textOf(childOf(entry, NS.sdi, 'Retning'));
    const priority = integerOf(childOf(entry, NS.sdi, 'Prioritet'), 'Prioritet') ?? 0;
    if (element !== 'Registreringstidspunkt' && element !== 'BrugervendtNoegle') {
      throw new SoapRequestError('the simulator sorts by Registreringstidspunkt and BrugervendtNoegle only');
    }
    if (direction !== 'Stigende' && direction !== 'Faldende') throw new SoapRequestError('SagSortering Retning must be Stigende or Faldende');
    return { key: { element, descending: direction === 'Faldende' } as SortKey, priority };
  });
  return keys.sort((a, b) => a.priority - b.priority).map((k) => k.key);
}

/**
 * The order the keys ask for, then the case UUID, so that equal keys (two municipalities' case
 * numbers can coincide) never leave the order to chance. A case is registered here once, when it
 * arises, so its registration time is its opening.
 */
function comparing(order: readonly SortKey[]): (a: Case, b: Case) => number {
  const value = (c: Case, key: SortKey) => (key.element === 'Registreringstidspunkt' ? c.openedAt : c.number);
  return (a, b) => {
    for (const key of order) {
      const x = value(a, key);
      const y = value(b, key);
      if (x !== y) return (x < y ? -1 : 1) * (key.descending ? -1 : 1);
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

const PROGRESS: ReadonlySet<string> = new Set(['Opstaaet', 'Oplyst', 'Afgjort', 'Bestilt', 'Udfoert', 'Afsluttet']);

function integerOf(element: QualifiedElement | undefined, name: string): number | undefined {
  if (!element) return undefined;
  const text = textOf(element) ?? '';
  if (!/^[0-9]{1,9}$/.test(text)) throw new SoapRequestError(`${name} must be a whole number, 0 or more`);
  return Number(text);
}

/**
 * An sd:TidspunktType as an instant: a TidsstempelDatoTid (one without a zone is read in the
 * simulator's own, +01:00, as it writes its times), or GraenseIndikator, the open end.
 */
function instantOf(element: QualifiedElement | undefined, openEnd: number): number {
  if (!element) return openEnd;
  if (childOf(element, NS.sd, 'GraenseIndikator')) return openEnd;
  const text = textOf(childOf(element, NS.sd, 'TidsstempelDatoTid')) ?? '';
  const instant = Date.parse(/(Z|[+-][0-9]{2}:[0-9]{2})$/.test(text) ? text : `${text}+01:00`);
  if (Number.isNaN(instant)) throw new SoapRequestError('a Virkning time must be a TidsstempelDatoTid (xsd:dateTime) or GraenseIndikator');
  return instant;
}

const at = (date: string) => ({ 'sd:TidsstempelDatoTid': `${date}T09:00:00+01:00` });
const openEnded = { 'sd:GraenseIndikator': true };
const ref = (uuid: string) => ({ 'sd:UUIDIdentifikator': uuid });

/**
 * One sdi:SagFiltreretOejebliksbillede, element order as Sag.xsd/SagIndeks.xsd demand; the case's
 * objects (Sagsgenstande) only when `show.caseObjects`.
 */
export function caseSnapshot(world: World, kase: Case, show: { caseObjects: boolean } = { caseObjects: false }): Record<string, unknown> {
  const municipality = world.municipalities.find((m) => m.code === kase.municipalityCode);
  const progress =
    kase.status === 'Opstaaet'
      ? [{ 'sag:Virkning': { 'sd:FraTidspunkt': at(kase.openedAt), 'sd:TilTidspunkt': openEnded }, 'sag:FremdriftStatusKode': 'Opstaaet' }]
      : [
          { 'sag:Virkning': { 'sd:FraTidspunkt': at(kase.openedAt), 'sd:TilTidspunkt': at(kase.openedAt) }, 'sag:FremdriftStatusKode': 'Opstaaet' },
          { 'sag:Virkning': { 'sd:FraTidspunkt': at(kase.openedAt), 'sd:TilTidspunkt': openEnded }, 'sag:FremdriftStatusKode': kase.status },
        ];
  const documents = kase.documentIds.map((id, index) => {
    const document = world.documents.get(id)!;
    return {
      'gd:Virkning': { 'sd:FraTidspunkt': at(document.date), 'sd:TilTidspunkt': openEnded },
      'gd:Rolle': ref(ROLE.filed),
      'gd:Type': ref(TYPE.document),
      'gd:Indeks': index + 1,
      'gd:ReferenceID': ref(document.id),
      'sag:JournalpostEgenskaber': { 'sag:Dokumenttitel': document.title },
    };
  });
  return {
    'sag:ObjektType': ref(kase.id),
    'sag:Registrering': {
      'sd:Tidspunkt': `${kase.openedAt}T09:00:00+01:00`,
      'sd:LivscyklusKode': 'Importeret',
      'sag:AttributListe': {
        'sag:Egenskaber': {
          'sag:Virkning': { 'sd:FraTidspunkt': at(kase.openedAt), 'sd:TilTidspunkt': openEnded },
          'sag:BrugervendtNoegle': kase.number,
          'sag:Sagsnummer': kase.number,
          'sag:Titel': kase.title,
        },
        'gd:LokalUdvidelseListe': {
          'si:SagIndeksEgenskaber': { 'si:Foelsomhed': kase.sensitive ? 'FOELSOMME_PERSONOPLYSNINGER' : 'FORTROLIGE_PERSONOPLYSNINGER' },
        },
      },
      'sag:TilstandListe': { 'sag:Fremdrift': progress },
      'sag:RelationListe': {
        'sag:Sagsaktoer': [
          {
            'gd:Rolle': ref(ROLE.responsible),
            'gd:Type': ref(TYPE.organisationUnit),
            'gd:ReferenceID': ref(unitUuid(kase.municipalityCode, kase.responsibleUnit)),
            'gd:LokalUdvidelseListe': { 'si:SagsaktoerLokalUdvidelse': { 'si:FuldtNavn': kase.responsibleUnit } },
          },
          {
            'gd:Rolle': ref(ROLE.owner),
            'gd:Type': ref(TYPE.organisation),
            'gd:ReferenceID': ref(unitUuid(kase.municipalityCode, 'kommune')),
            'gd:LokalUdvidelseListe': {
              'si:SagsaktoerLokalUdvidelse': { 'si:FuldtNavn': `${municipality?.name ?? ''} Kommune`, 'si:CVR-Nummer': municipality?.cvr },
            },
          },
        ],
        'sag:Sagsklasse': {
          'gd:Rolle': ref(ROLE.primaryClass),
          'gd:Type': ref(TYPE.klasse),
          'gd:ReferenceID': ref(kase.kle.uuid),
          'gd:LokalUdvidelseListe': {
            'si:SagsklasseLokalUdvidelse': { 'si:Facettitel': 'KLE Emneplan', 'si:Klassetitel': kase.kle.title, 'si:BrugervendtNoegle': kase.kle.number },
          },
        },
        'sag:Sagspart': kase.parties.map((party) => ({
          'gd:Rolle': ref(party.role === 'PRIMARY' ? ROLE.primaryParty : ROLE.secondaryParty),
          'gd:Type': ref(TYPE.person),
          'gd:ReferenceID': { 'sd:URNIdentifikator': `urn:oio:cpr-nr:${party.cpr}` },
        })),
        ...(show.caseObjects && kase.objects?.length
          ? {
              // No Rolle or Type: KOMBIT publishes none for an address or a building as a case's object.
              'sag:Sagsgenstande': kase.objects.map((object) => ({
                'gd:Virkning': { 'sd:FraTidspunkt': at(kase.openedAt), 'sd:TilTidspunkt': openEnded },
                'gd:ReferenceID': ref(object.id),
                'gd:LokalUdvidelseListe': { 'si:SagsgenstandeLokalUdvidelse': { 'si:Tekstfelt': object.text } },
              })),
            }
          : {}),
        'sag:Journalpost': documents,
        'gd:LokalUdvidelseListe': {
          'si:SagsitsystemRelation': {
            'gd:Rolle': ref(ROLE.master),
            'gd:Type': ref(TYPE.itSystem),
            'gd:ReferenceID': ref(unitUuid(kase.municipalityCode, 'esdh')),
            // The system that fed the index the case: the municipality's ESDH, by its vendor.
            'si:SystemNavn': `${municipality?.esdhVendor === 'acadre' ? 'Acadre' : 'ESDH'} ${municipality?.name ?? kase.municipalityCode}`,
          },
        },
      },
    },
  };
}

/** A stable UUID-shaped id for an organisation unit or system of a municipality. */
function unitUuid(municipalityCode: string, name: string): string {
  let hash = 2166136261;
  for (const char of `${municipalityCode}/${name}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  const hex = hash.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${municipalityCode.padStart(4, '0')}${hex.slice(0, 8)}`;
}
