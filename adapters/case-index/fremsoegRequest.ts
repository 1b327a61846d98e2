/**
 * SF1470 v5 `fremsoeg` request: the Body's FremsoegRequest and the RequestHeader header part.
 * @see SagDokumentIndeksServiceMsg.xsd (FremsoegRequestType) and
 *      SagDokumentIndeksOperationer.xsd (FremsoegSagDokumentIndeksInputType, SoegUdtrykType)
 */
import { buildXml, type XmlNode } from '../core/xml';

export const SF1470_NS = {
  tns: 'http://serviceplatformen.dk/xml/wsdl/soap11/SagDokument/SagDokumentIndeks/5/',
  header: 'http://kombit.dk/xml/schemas/RequestHeader/1/',
  authctx: 'http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/',
  sdi: 'urn:oio:sts:sagdok:sagdokumentindeks:1.2.4.0',
  sag: 'urn:oio:sts:sagdok:sag:1.2.4.0',
  gd: 'urn:oio:sts:generelledefinitioner:1.2.4.0',
  sd: 'urn:oio:sagdok:3.0.0',
} as const;

/**
 * What to show of each case. The XSD: "An empty filter means that no data will be returned",
 * so the adapter always names every part it maps.
 */
const CASE_VIEW = ['egenskaber', 'fremdrift', 'sagsklasse', 'sagspart', 'sagsaktoer', 'journalpost', 'itsystem'] as const;

export type FremsoegQuery = { partyCpr: string } | { caseIds: readonly string[] };

export interface FremsoegOptions {
  /** AuthorityContext/MunicipalityCVR: the municipality asking; omitted for a national look-up. */
  municipalityCvr?: string;
}

export function fremsoegRequest(query: FremsoegQuery, options: FremsoegOptions = {}): string {
  const input: XmlNode = {};
  if ('caseIds' in query) {
    input['sdi:SagUuid'] = [...query.caseIds];
  } else {
    input['sdi:SoegUdtryk'] = {
      'sdi:SoegSag': {
        'sag:AttributListe': '',
        'sag:TilstandListe': '',
        'sag:RelationListe': {
          // Parties are referenced by URN, never by UUID (KOMBIT's guidance for the indexes).
          'sag:Sagspart': { 'gd:ReferenceID': { 'sd:URNIdentifikator': `urn:oio:cpr-nr:${query.partyCpr}` } },
        },
      },
    };
  }
  input['sdi:Filter'] = { 'sdi:SagVis': CASE_VIEW.map((view) => ({ 'sdi:Vis': view })) };
  const request: XmlNode = {
    '@_xmlns:tns': SF1470_NS.tns,
    '@_xmlns:sdi': SF1470_NS.sdi,
    '@_xmlns:sag': SF1470_NS.sag,
    '@_xmlns:gd': SF1470_NS.gd,
    '@_xmlns:sd': SF1470_NS.sd,
  };
  if (options.municipalityCvr) {
    request['@_xmlns:authctx'] = SF1470_NS.authctx;
    request['authctx:AuthorityContext'] = { 'authctx:MunicipalityCVR': options.municipalityCvr };
  }
  request['sdi:FremsoegSagDokumentIndeksInput'] = input;
  return buildXml({ 'tns:FremsoegRequest': request });
}

/** The RequestHeader header part with this call's transaction id. */
export function requestHeader(transactionId: string): string {
  return buildXml({
    'header:RequestHeader': { '@_xmlns:header': SF1470_NS.header, 'header:TransactionUUID': transactionId },
  });
}
