/**
 * SF1470 v5 `fremsoeg` request: the Body's FremsoegRequest and the RequestHeader header part.
 * @see SagDokumentIndeksServiceMsg.xsd (FremsoegRequestType) and
 *      SagDokumentIndeksOperationer.xsd (FremsoegSagDokumentIndeksInputType, SoegUdtrykType)
 */
import { buildXml, type XmlNode } from '../core/xml';
import type { CaseCriteria, CasePageRequest } from './types';

export const SF1470_NS = {
  tns: 'http://serviceplatformen.dk/xml/wsdl/soap11/SagDokument/SagDokumentIndeks/5/',
  header: 'http://kombit.dk/xml/schemas/RequestHeader/1/',
  authctx: 'http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/',
  sdi: 'urn:oio:sts:sagdok:sagdokumentindeks:1.2.4.0',
  sag: 'urn:oio:sts:sagdok:sag:1.2.4.0',
  si: 'urn:oio:sts:sagdok:sagindeks:1.2.4.0',
  gd: 'urn:oio:sts:generelledefinitioner:1.2.4.0',
  sd: 'urn:oio:sagdok:3.0.0',
} as const;

/**
 * What to show of each case. The XSD: "An empty filter means that no data will be returned",
 * so the adapter always names every part it maps.
 */
const CASE_VIEW = ['egenskaber', 'fremdrift', 'sagsklasse', 'sagspart', 'sagsaktoer', 'journalpost', 'itsystem'] as const;
/**
 * The search by case object also shows each case's objects (sagsgenstand), so that what the index
 * answers can be checked against what was asked. The other searches leave them out: a case's
 * address is no business of a search by party or by id.
 */
const CASE_OBJECT_VIEW = [...CASE_VIEW, 'sagsgenstand'] as const;

/**
 * The order of a case search (sdi:SagSortering): when the index registered the case, then its
 * case number (BrugervendtNoegle, unique within a municipality). The contract has no "opened"
 * sort; an index registers a case when it arises, so for cases not re-registered since this is
 * the order they arose in. Ascending, so a case that arises while a caseworker pages lands after
 * the pages already read instead of shifting them.
 */
const CASE_ORDER = [
  { element: 'Registreringstidspunkt', direction: 'Stigende' },
  { element: 'BrugervendtNoegle', direction: 'Stigende' },
] as const;

export type FremsoegQuery =
  | { partyCpr: string }
  | { caseIds: readonly string[] }
  | { criteria: CaseCriteria; page: CasePageRequest }
  /** Every case about one thing (sagsgenstand): a DAR address or a BBR building, by its UUID. */
  | { caseObjectId: string };

export interface FremsoegOptions {
  /** AuthorityContext/MunicipalityCVR: the municipality asking; omitted for a national look-up. */
  municipalityCvr?: string;
}

export function fremsoegRequest(query: FremsoegQuery, options: FremsoegOptions = {}): string {
  const input: XmlNode = {};
  if ('caseIds' in query) {
    input['sdi:SagUuid'] = [...query.caseIds];
  } else if ('criteria' in query) {
    input['sdi:SoegUdtryk'] = searchExpression(query.criteria, query.page);
  } else if ('caseObjectId' in query) {
    input['sdi:SoegUdtryk'] = { 'sdi:SoegSag': soegSag({ caseObject: query.caseObjectId }) };
  } else {
    input['sdi:SoegUdtryk'] = { 'sdi:SoegSag': soegSag({ party: query.partyCpr }) };
  }
  const view = 'caseObjectId' in query ? CASE_OBJECT_VIEW : CASE_VIEW;
  input['sdi:Filter'] = { 'sdi:SagVis': view.map((v) => ({ 'sdi:Vis': v })) };
  // Offsets page only through an order that is the same on every call. A thing's cases come in
  // one call, unpaged, but sorted the same way, so they are listed oldest first whatever order
  // the index keeps them in.
  if ('criteria' in query || 'caseObjectId' in query) {
    input['sdi:Sortering'] = {
      'sdi:SagSortering': CASE_ORDER.map((o, i) => ({ 'sdi:Element': o.element, 'sdi:Retning': o.direction, 'sdi:Prioritet': i + 1 })),
    };
  }
  const request: XmlNode = {
    '@_xmlns:tns': SF1470_NS.tns,
    '@_xmlns:sdi': SF1470_NS.sdi,
    '@_xmlns:sag': SF1470_NS.sag,
    '@_xmlns:gd': SF1470_NS.gd,
    '@_xmlns:sd': SF1470_NS.sd,
  };
  if ('criteria' in query && query.criteria.classification !== undefined) request['@_xmlns:si'] = SF1470_NS.si;
  if (options.municipalityCvr) {
    request['@_xmlns:authctx'] = SF1470_NS.authctx;
    request['authctx:AuthorityContext'] = { 'authctx:MunicipalityCVR': options.municipalityCvr };
  }
  request['sdi:FremsoegSagDokumentIndeksInput'] = input;
  return buildXml({ 'tns:FremsoegRequest': request });
}

/**
 * The search by criteria as one sdi:SoegUdtryk (no `operation`: AND). Each sag:SoegInputType
 * holds one Fremdrift at most, so no TilstandListe has to say how two of its states combine:
 *
 * - the first SoegSag carries the paging, the party (Sagspart by `urn:oio:cpr-nr:`), the KLE
 *   subject (Sagsklasse) and the opening period (Fremdrift Opstaaet with that Virkning);
 * - the status is a SoegSag of its own, or, for several, a nested SoegUdtryk with operation OR.
 *
 * Paging sits on the first SoegSag because the contract puts FoersteResultatReference and
 * MaksimalAntalKvantitet in sd:SoegInputType, which every SoegSag extends, and nowhere on the
 * expression; the others carry none. FoersteResultatReference is a count of matches to skip
 * (0 for the first page), as KOMBIT's own client samples send it.
 */
function searchExpression(criteria: CaseCriteria, page: CasePageRequest): XmlNode {
  const searches: XmlNode[] = [
    soegSag({
      page,
      ...(criteria.partyCpr !== undefined ? { party: criteria.partyCpr } : {}),
      ...(criteria.classification !== undefined ? { classification: criteria.classification } : {}),
      ...(criteria.openedFrom !== undefined || criteria.openedTo !== undefined
        ? { opened: { ...(criteria.openedFrom !== undefined ? { from: criteria.openedFrom } : {}), ...(criteria.openedTo !== undefined ? { to: criteria.openedTo } : {}) } }
        : {}),
    }),
  ];
  const statuses = criteria.statuses ?? [];
  const expression: XmlNode = {};
  if (statuses.length === 1) searches.push(soegSag({ status: statuses[0] as string }));
  expression['sdi:SoegSag'] = searches;
  if (statuses.length > 1) expression['sdi:SoegUdtryk'] = { 'sdi:operation': 'OR', 'sdi:SoegSag': statuses.map((status) => soegSag({ status })) };
  return expression;
}

interface SoegSagParts {
  page?: CasePageRequest;
  party?: string;
  classification?: string;
  opened?: { from?: string; to?: string };
  status?: string;
  caseObject?: string;
}

/** One sag:SoegInputType, its elements in the order the XSD's sequence demands. */
function soegSag(parts: SoegSagParts): XmlNode {
  const search: XmlNode = {};
  if (parts.page) {
    search['sd:FoersteResultatReference'] = parts.page.offset;
    search['sd:MaksimalAntalKvantitet'] = parts.page.limit;
  }
  search['sag:AttributListe'] = '';
  if (parts.opened) {
    // The case arose when its Opstaaet state began: the period that beginning must fall in,
    // as Virkning periods are written, from inclusive to exclusive; an open end is GraenseIndikator.
    search['sag:TilstandListe'] = {
      'sag:Fremdrift': {
        'sag:Virkning': {
          'sd:FraTidspunkt': parts.opened.from !== undefined ? { 'sd:TidsstempelDatoTid': startOfDay(parts.opened.from) } : { 'sd:GraenseIndikator': true },
          'sd:TilTidspunkt': parts.opened.to !== undefined ? { 'sd:TidsstempelDatoTid': startOfDay(dayAfter(parts.opened.to)) } : { 'sd:GraenseIndikator': true },
        },
        'sag:FremdriftStatusKode': 'Opstaaet',
      },
    };
  } else if (parts.status !== undefined) {
    // A state without a Virkning is the state in force now.
    search['sag:TilstandListe'] = { 'sag:Fremdrift': { 'sag:FremdriftStatusKode': parts.status } };
  } else {
    search['sag:TilstandListe'] = '';
  }
  const relations: XmlNode = {};
  if (parts.classification !== undefined) {
    // The index carries the KLE number only in its own extension of the relation (the standard
    // relation names the Klasse by UUID), so the subject is searched for there. The contract says
    // nothing of prefixes or wildcards in a BrugervendtNoegle: a subject is searched, never a group.
    relations['sag:Sagsklasse'] = { 'gd:LokalUdvidelseListe': { 'si:SagsklasseLokalUdvidelse': { 'si:BrugervendtNoegle': parts.classification } } };
  }
  if (parts.party !== undefined) {
    // Parties are referenced by URN, never by UUID (KOMBIT's guidance for the indexes).
    relations['sag:Sagspart'] = { 'gd:ReferenceID': { 'sd:URNIdentifikator': `urn:oio:cpr-nr:${parts.party}` } };
  }
  if (parts.caseObject !== undefined) {
    // By UUIDIdentifikator, not URN: DAR and BBR give every address and building a UUID of its
    // own (id_lokalId), the one the Datafordeler hands every system that records the object, so
    // it is what an ESDH feeding the index writes as the case's object. A URN is for what has no
    // UUID, as a person known by CPR number (Sagspart above); no URN scheme for DAR or BBR
    // objects exists for an index to match. No gd:Type either: the UUID alone names the object,
    // and KOMBIT publishes no type UUIDs for addresses or buildings that an index would share.
    relations['sag:Sagsgenstande'] = { 'gd:ReferenceID': { 'sd:UUIDIdentifikator': parts.caseObject } };
  }
  search['sag:RelationListe'] = Object.keys(relations).length > 0 ? relations : '';
  return search;
}

/**
 * Midnight of a day, without a zone: the day as the municipality's calendar has it (an offset
 * would be wrong for half the year, Danish summer time being +02:00).
 */
function startOfDay(isoDate: string): string {
  return `${isoDate}T00:00:00`;
}

function dayAfter(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** The RequestHeader header part with this call's transaction id. */
export function requestHeader(transactionId: string): string {
  return buildXml({
    'header:RequestHeader': { '@_xmlns:header': SF1470_NS.header, 'header:TransactionUUID': transactionId },
  });
}
