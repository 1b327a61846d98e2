/**
 * Case-index simulator: SOAP 1.1, compatible with KOMBIT SF1470 Sags- og Dokumentindeks v5 via
 * Serviceplatformen, operation `fremsoeg` (namespaces, element order, RequestHeader and fault
 * as in the published WSDL/XSD). Finds cases by party (CPR as `urn:oio:cpr-nr:…`) or by case UUID.
 *
 * Role and type UUIDs are KOMBIT's sample values; "Sekundær part" has no published UUID, so the
 * simulator uses its own (SECONDARY_PARTY_ROLE below).
 */
import { readFileSync } from 'node:fs';
import { buildWorld, type Case, type World } from '../data/world';
import { startSimulator, type RunningSimulator, type SimulatorOptions, type SimulatorRequest } from '../core/simulator';
import { wsdlAnswer, childOf, childrenOf, readEnvelope, serviceplatformFault, SoapRequestError, soapResponse, textOf, type QualifiedElement } from '../core/soap';

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
  let query: { partyCpr?: string; caseIds: string[]; municipalityCvr?: string; transactionId?: string };
  try {
    query = readQuery(request.body);
  } catch (error) {
    if (error instanceof SoapRequestError) return { response: serviceplatformFault('Client', 'INVALID_REQUEST', error.message) };
    throw error;
  }
  const municipality = query.municipalityCvr ? world.municipalities.find((m) => m.cvr === query.municipalityCvr) : undefined;
  if (query.municipalityCvr && !municipality) {
    return { response: serviceplatformFault('Client', 'UNKNOWN_AUTHORITY', 'Ukendt myndighed i AuthorityContext') };
  }
  const ids = query.partyCpr ? (world.casesByParty.get(query.partyCpr) ?? []) : query.caseIds;
  const cases = ids
    .map((id) => world.cases.get(id))
    .filter((c): c is Case => c !== undefined && (!municipality || ignoreAuthority || c.municipalityCode === municipality.code));
  const record = { operation: 'fremsoeg', key: query.partyCpr ? `party:${query.partyCpr}` : `case:${[...query.caseIds].sort().join(',')}` };
  const header = query.transactionId
    ? { 'header:RequestHeader': { '@_xmlns:header': NS.header, 'header:TransactionUUID': query.transactionId } }
    : undefined;
  const body = {
    'tns:FremsoegResponse': {
      ...Object.fromEntries(Object.entries(NS).filter(([p]) => p !== 'header' && p !== 'authctx').map(([p, uri]) => [`@_xmlns:${p}`, uri])),
      'sdi:FremsoegSagDokumentIndeksOutput': {
        'sd:StandardRetur': { 'sd:StatusKode': 20, 'sd:FejlbeskedTekst': 'OK' },
        'sdi:Antal': { 'sdi:Element': 'sager', 'sdi:Antal': cases.length },
        'sdi:SagFiltreretOejebliksbillede': cases.map((c) => caseSnapshot(world, c)),
      },
    },
  };
  return { response: soapResponse(body, header), record };
}

function readQuery(xml: string) {
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
  const parties = findParties(input);
  if (parties.length > 1) throw new SoapRequestError('the simulator searches by one Sagspart at a time');
  let partyCpr: string | undefined;
  if (parties.length === 1) {
    const urn = parties[0] as string;
    const match = CPR_URN.exec(urn);
    if (!match) throw new SoapRequestError('Sagspart ReferenceID must be urn:oio:cpr-nr:<10 digits>');
    partyCpr = match[1];
  }
  if (!partyCpr && caseIds.length === 0) throw new SoapRequestError('give a SoegUdtryk with a Sagspart or one or more SagUuid');
  return {
    caseIds,
    ...(partyCpr ? { partyCpr } : {}),
    ...(municipalityCvr ? { municipalityCvr } : {}),
    ...(transactionId ? { transactionId } : {}),
  };
}

/** URNs of sdi:SoegUdtryk/sdi:SoegSag/sag:RelationListe/sag:Sagspart/gd:ReferenceID. */
function findParties(input: QualifiedElement): string[] {
  const expression = childOf(input, NS.sdi, 'SoegUdtryk');
  if (!expression) return [];
  return childrenOf(expression, NS.sdi, 'SoegSag').flatMap((search) => {
    const relations = childOf(search, NS.sag, 'RelationListe');
    if (!relations) throw new SoapRequestError('SoegSag must hold sag:AttributListe, sag:TilstandListe and sag:RelationListe');
    return childrenOf(relations, NS.sag, 'Sagspart').map((party) => {
      const reference = childOf(party, NS.gd, 'ReferenceID');
      return textOf(reference ? childOf(reference, NS.sd, 'URNIdentifikator') : undefined) ?? '';
    });
  });
}

const at = (date: string) => ({ 'sd:TidsstempelDatoTid': `${date}T09:00:00+01:00` });
const openEnded = { 'sd:GraenseIndikator': true };
const ref = (uuid: string) => ({ 'sd:UUIDIdentifikator': uuid });

/** One sdi:SagFiltreretOejebliksbillede, element order as Sag.xsd/SagIndeks.xsd demand. */
export function caseSnapshot(world: World, kase: Case): Record<string, unknown> {
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
