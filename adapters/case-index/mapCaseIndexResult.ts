/**
 * SF1470 v5 FremsoegResponse → CaseIndexEntry[].
 * Reads sdi:FremsoegSagDokumentIndeksOutput: sd:StandardRetur, then per
 * sdi:SagFiltreretOejebliksbillede the sag:Registrering's AttributListe (Egenskaber:
 * Sagsnummer, Titel; si:SagIndeksEgenskaber/Foelsomhed), TilstandListe (Fremdrift) and
 * RelationListe (Sagsaktoer, Sagsklasse, Sagspart, Sagsgenstande, Journalpost,
 * si:SagsitsystemRelation);
 * for a page of a search, also sdi:Antal (Element `sager`).
 * Role UUIDs are KOMBIT's published sample values.
 */
import { LegacyBadResponse, LegacyFault } from '../core/errors';
import { listAt, parseXml, pathOf, textAt, type XmlNode } from '../core/xml';
import type { CaseIndexEntry, CaseProgress, CaseSearchPage, PartyRole } from './types';

const ROLE = {
  primaryParty: 'd839f26a-d4d1-4441-b2d6-3dbbb12a9404',
  responsible: 'a1263342-d348-44ba-a566-233f37c4cb67',
  owner: '9e979b84-b846-4472-8622-58007dc63c7e',
  primaryClass: 'a86c6581-ec85-412d-a655-31a1f1d5b14f',
  master: '251c24fd-57b0-4afc-9d73-b063d1957eb3',
} as const;

/**
 * Secondary-party role UUIDs this deployment recognises. KOMBIT publishes none for
 * "Sekundær part"; the simulator's is listed, a municipality adds its own by configuration.
 */
export const DEFAULT_SECONDARY_PARTY_ROLES: readonly string[] = ['5e2b7c1a-9d3f-4e8a-b6c2-0a4f7d9e1b35'];

const PROGRESS: ReadonlySet<string> = new Set(['Opstaaet', 'Oplyst', 'Afgjort', 'Bestilt', 'Udfoert', 'Afsluttet']);
const CPR_URN = /^urn:oio:cpr-?nr:([0-9]{10})$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const STATUS_OK = '20';

export function mapCaseIndexResult(
  responseXml: string,
  options: { secondaryPartyRoles?: readonly string[] } = {},
): CaseIndexEntry[] {
  return mapCaseIndexPage(responseXml, options).entries;
}

/**
 * A FremsoegResponse to a search by criteria: its cases, and how many match in all
 * (sdi:AntalType, `Element` sager; null when the index does not say, or says it unreadably).
 */
export function mapCaseIndexPage(
  responseXml: string,
  options: { secondaryPartyRoles?: readonly string[] } = {},
): CaseSearchPage {
  const document = parseXml(responseXml);
  const output = document ? pathOf(document, ['Envelope', 'Body', 'FremsoegResponse', 'FremsoegSagDokumentIndeksOutput']) : undefined;
  if (!output) throw new LegacyBadResponse('case-index: no FremsoegSagDokumentIndeksOutput in the response', { system: 'case-index' });
  const status = textAt(output, ['StandardRetur', 'StatusKode']);
  if (status !== STATUS_OK) {
    // Business errors come back as a normal response with StatusKode other than 20.
    throw new LegacyFault('case-index: the index answered with an error status', { system: 'case-index', detail: `StatusKode ${status ?? 'missing'}` });
  }
  const secondary = new Set(options.secondaryPartyRoles ?? DEFAULT_SECONDARY_PARTY_ROLES);
  // One unusable case must not hide the citizen's other cases: it is left out, the rest kept.
  const entries = listAt(output, ['SagFiltreretOejebliksbillede']).flatMap((snapshot) => {
    try {
      return [mapCase(snapshot, secondary)];
    } catch (error) {
      if (error instanceof LegacyBadResponse) return [];
      throw error;
    }
  });
  const counted = listAt(output, ['Antal']).find((a) => textAt(a, ['Element']) === 'sager');
  const count = counted ? textAt(counted, ['Antal']) : undefined;
  const total = count !== undefined && /^[0-9]{1,15}$/.test(count) ? Number(count) : null;
  return { entries, total };
}

function mapCase(snapshot: XmlNode, secondaryRoles: ReadonlySet<string>): CaseIndexEntry {
  const id = textAt(snapshot, ['ObjektType', 'UUIDIdentifikator']);
  if (!id) throw new LegacyBadResponse('case-index: a case without ObjektType UUID', { system: 'case-index' });
  const registration = pathOf(snapshot, ['Registrering']) ?? {};
  const properties = current(listAt(registration, ['AttributListe', 'Egenskaber']));
  const progress = listAt(registration, ['TilstandListe', 'Fremdrift']);
  const currentProgress = current(progress);
  const statusCode = currentProgress ? textAt(currentProgress, ['FremdriftStatusKode']) : undefined;
  const opened = progress.find((p) => textAt(p, ['FremdriftStatusKode']) === 'Opstaaet');
  const relations = pathOf(registration, ['RelationListe']) ?? {};
  const withRole = (name: string, role: string) => listAt(relations, [name]).filter((r) => textAt(r, ['Rolle', 'UUIDIdentifikator']) === role);
  const classification = withRole('Sagsklasse', ROLE.primaryClass)[0];
  const responsible = withRole('Sagsaktoer', ROLE.responsible)[0];
  const owner = withRole('Sagsaktoer', ROLE.owner)[0];
  const master = listAt(relations, ['LokalUdvidelseListe', 'SagsitsystemRelation']).find(
    (r) => textAt(r, ['Rolle', 'UUIDIdentifikator']) === ROLE.master,
  );
  const number = (properties && (textAt(properties, ['Sagsnummer']) || textAt(properties, ['BrugervendtNoegle']))) || undefined;
  if (!number) throw new LegacyBadResponse('case-index: a case without Sagsnummer', { system: 'case-index' });

  return {
    id,
    number,
    title: (properties && textAt(properties, ['Titel'])) ?? null,
    status: statusCode && PROGRESS.has(statusCode) ? (statusCode as CaseProgress) : null,
    openedAt: opened ? dateOf(textAt(opened, ['Virkning', 'FraTidspunkt', 'TidsstempelDatoTid'])) : null,
    classification: classification
      ? {
          // The KLE number and title exist only in the index's local extension; the standard
          // relation carries just the Klasse UUID.
          number: textAt(classification, ['LokalUdvidelseListe', 'SagsklasseLokalUdvidelse', 'BrugervendtNoegle']) ?? '',
          title: textAt(classification, ['LokalUdvidelseListe', 'SagsklasseLokalUdvidelse', 'Klassetitel']) ?? null,
        }
      : null,
    sensitivity: textAt(registration, ['AttributListe', 'LokalUdvidelseListe', 'SagIndeksEgenskaber', 'Foelsomhed']) ?? null,
    responsibleUnit: responsible ? (textAt(responsible, ['LokalUdvidelseListe', 'SagsaktoerLokalUdvidelse', 'FuldtNavn']) ?? null) : null,
    ownerCvr: owner ? (textAt(owner, ['LokalUdvidelseListe', 'SagsaktoerLokalUdvidelse', 'CVR-Nummer']) ?? null) : null,
    sourceSystem: master ? (textAt(master, ['SystemNavn']) ?? null) : null,
    parties: listAt(relations, ['Sagspart']).flatMap((party) => {
      if (!inForce(party)) return [];
      const match = CPR_URN.exec(textAt(party, ['ReferenceID', 'URNIdentifikator']) ?? '');
      if (!match) return []; // companies and persons without CPR are not citizens of this graph
      const role = textAt(party, ['Rolle', 'UUIDIdentifikator']);
      const mapped: PartyRole = role === ROLE.primaryParty ? 'PRIMARY' : role && secondaryRoles.has(role) ? 'SECONDARY' : 'OTHER';
      return [{ cpr: match[1] as string, role: mapped }];
    }),
    documents: listAt(relations, ['Journalpost'])
      .filter(inForce)
      .map((entry) => ({
        id: textAt(entry, ['ReferenceID', 'UUIDIdentifikator']) ?? '',
        title: textAt(entry, ['JournalpostEgenskaber', 'Dokumenttitel']) ?? null,
        filedAt: dateOf(textAt(entry, ['Virkning', 'FraTidspunkt', 'TidsstempelDatoTid'])),
      }))
      .filter((d) => d.id !== ''),
    caseObjects: caseObjectsOf(relations),
  };
}

/**
 * The UUIDs of the case's objects (Sagsgenstande) in force, in lower case as DAR and BBR write
 * them, once each. An object named by URN is left out: the graph knows addresses and buildings
 * by UUID only, so nothing it asks about could be one.
 */
function caseObjectsOf(relations: XmlNode): string[] {
  const ids = listAt(relations, ['Sagsgenstande'])
    .filter(inForce)
    .map((relation) => textAt(relation, ['ReferenceID', 'UUIDIdentifikator']) ?? '')
    .filter((id) => UUID.test(id))
    .map((id) => id.toLowerCase());
  return [...new Set(ids)];
}

/** The entry whose Virkning is open-ended or still running; the last one when none says. */
function current(entries: XmlNode[]): XmlNode | undefined {
  return entries.find((e) => textAt(e, ['Virkning', 'TilTidspunkt', 'GraenseIndikator']) === 'true') ?? entries.filter(inForce).at(-1);
}

/** A relation whose Virkning has not ended (an absent Virkning counts as in force). */
function inForce(entry: XmlNode): boolean {
  const until = textAt(entry, ['Virkning', 'TilTidspunkt', 'TidsstempelDatoTid']);
  return until === undefined || Date.parse(until) > Date.now();
}

function dateOf(timestamp: string | undefined): string | null {
  return timestamp ? timestamp.slice(0, 10) : null;
}
