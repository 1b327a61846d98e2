/**
 * The case-index simulator answers fremsoeg searches by criteria as it documents: AND, OR and NOT
 * over SoegSag; Sagspart, Sagsklasse, Fremdrift (now, or when the case arose); sorted as
 * SagSortering asks, then by UUID; paged by the first SoegSag. What it does not understand it
 * refuses by name. Requests are written by hand here, so the simulator is judged on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../core/simulator';
import { buildWorld, type Case } from '../../data/world';
import { CASE_INDEX_SERVICE_PATH, FREMSOEG_ACTION, NS, startCaseIndexSimulator } from '../server';

const world = buildWorld();
const copenhagen = world.municipalities.find((m) => m.code === '0101')!;
let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startCaseIndexSimulator({ world });
});
afterAll(() => simulator.close());

const namespaces = Object.entries(NS).map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`).join('');
const ORDER =
  '<sdi:Sortering><sdi:SagSortering><sdi:Element>Registreringstidspunkt</sdi:Element><sdi:Retning>Stigende</sdi:Retning><sdi:Prioritet>1</sdi:Prioritet></sdi:SagSortering>' +
  '<sdi:SagSortering><sdi:Element>BrugervendtNoegle</sdi:Element><sdi:Retning>Stigende</sdi:Retning><sdi:Prioritet>2</sdi:Prioritet></sdi:SagSortering></sdi:Sortering>';

interface SoegSag {
  page?: { offset: number; limit: number };
  states?: string;
  relations?: string;
  attributes?: string;
}
const soegSag = (s: SoegSag = {}) =>
  `<sdi:SoegSag>${s.page ? `<sd:FoersteResultatReference>${s.page.offset}</sd:FoersteResultatReference><sd:MaksimalAntalKvantitet>${s.page.limit}</sd:MaksimalAntalKvantitet>` : ''}` +
  `<sag:AttributListe>${s.attributes ?? ''}</sag:AttributListe><sag:TilstandListe>${s.states ?? ''}</sag:TilstandListe><sag:RelationListe>${s.relations ?? ''}</sag:RelationListe></sdi:SoegSag>`;
const status = (code: string) => `<sag:Fremdrift><sag:FremdriftStatusKode>${code}</sag:FremdriftStatusKode></sag:Fremdrift>`;
const party = (cpr: string) => `<sag:Sagspart><gd:ReferenceID><sd:URNIdentifikator>urn:oio:cpr-nr:${cpr}</sd:URNIdentifikator></gd:ReferenceID></sag:Sagspart>`;
const kleNumber = (n: string) => `<sag:Sagsklasse><gd:LokalUdvidelseListe><si:SagsklasseLokalUdvidelse><si:BrugervendtNoegle>${n}</si:BrugervendtNoegle></si:SagsklasseLokalUdvidelse></gd:LokalUdvidelseListe></sag:Sagsklasse>`;
const kleUuid = (uuid: string) => `<sag:Sagsklasse><gd:ReferenceID><sd:UUIDIdentifikator>${uuid}</sd:UUIDIdentifikator></gd:ReferenceID></sag:Sagsklasse>`;
const time = (t: string | null) => (t === null ? '<sd:GraenseIndikator>true</sd:GraenseIndikator>' : `<sd:TidsstempelDatoTid>${t}</sd:TidsstempelDatoTid>`);
const arose = (from: string | null, to: string | null) =>
  `<sag:Fremdrift><sag:Virkning><sd:FraTidspunkt>${time(from)}</sd:FraTidspunkt><sd:TilTidspunkt>${time(to)}</sd:TilTidspunkt></sag:Virkning><sag:FremdriftStatusKode>Opstaaet</sag:FremdriftStatusKode></sag:Fremdrift>`;

/** fremsoeg with this SoegUdtryk content (and Sortering), asked by København. */
async function search(expression: string, sorting = ''): Promise<{ status: number; ids: string[]; total: number | undefined; text: string }> {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
    `<tns:FremsoegRequest${namespaces}><authctx:AuthorityContext><authctx:MunicipalityCVR>${copenhagen.cvr}</authctx:MunicipalityCVR></authctx:AuthorityContext>` +
    `<sdi:FremsoegSagDokumentIndeksInput><sdi:SoegUdtryk>${expression}</sdi:SoegUdtryk>${sorting}</sdi:FremsoegSagDokumentIndeksInput></tns:FremsoegRequest></soap:Body></soap:Envelope>`;
  const response = await fetch(`${simulator.url}${CASE_INDEX_SERVICE_PATH}`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: FREMSOEG_ACTION }, body });
  const text = await response.text();
  const ids = [...text.matchAll(/<sag:ObjektType><sd:UUIDIdentifikator>([^<]+)<\/sd:UUIDIdentifikator><\/sag:ObjektType>/g)].map((m) => m[1]!);
  const total = /<sdi:Element>sager<\/sdi:Element><sdi:Antal>(\d+)<\/sdi:Antal>/.exec(text)?.[1];
  return { status: response.status, ids, total: total === undefined ? undefined : Number(total), text };
}

const copenhagenCases = (keep: (c: Case) => boolean) =>
  [...world.cases.values()]
    .filter((c) => c.municipalityCode === '0101' && keep(c))
    .sort((a, b) => (a.openedAt !== b.openedAt ? (a.openedAt < b.openedAt ? -1 : 1) : a.number !== b.number ? (a.number < b.number ? -1 : 1) : a.id < b.id ? -1 : 1))
    .map((c) => c.id);

describe('the case-index simulator\'s search by criteria', () => {
  it('sorts as SagSortering asks, pages by FoersteResultatReference (matches skipped) and MaksimalAntalKvantitet, and counts every match', async () => {
    const informed = copenhagenCases((c) => c.status === 'Oplyst');
    const first = await search(soegSag({ page: { offset: 0, limit: 5 }, states: status('Oplyst') }), ORDER);
    const second = await search(soegSag({ page: { offset: 5, limit: 5 }, states: status('Oplyst') }), ORDER);
    expect([...first.ids, ...second.ids]).toEqual(informed.slice(0, 10));
    expect(first.total).toBe(informed.length);
    expect(second.text).toContain('<sdi:Paginering><sd:FoersteResultatReference>5</sd:FoersteResultatReference><sd:MaksimalAntalKvantitet>5</sd:MaksimalAntalKvantitet></sdi:Paginering>');
    const past = await search(soegSag({ page: { offset: informed.length, limit: 5 }, states: status('Oplyst') }), ORDER);
    expect(past.ids).toEqual([]);
    const newest = await search(soegSag({ page: { offset: 0, limit: 3 }, states: status('Oplyst') }), ORDER.replace('Stigende', 'Faldende'));
    expect(world.cases.get(newest.ids[0]!)!.openedAt).toBe(world.cases.get(informed.at(-1)!)!.openedAt);
  });

  it('ANDs the SoegSag of an expression, and reads OR and NOT', async () => {
    const sample = [...world.persons.values()].find((p) => p.municipalityCode === '0101' && (world.casesByParty.get(p.cpr)?.length ?? 0) >= 8)!;
    const theirs = (keep: (c: Case) => boolean) => copenhagenCases((c) => c.parties.some((p) => p.cpr === sample.cpr) && keep(c));
    const notClosed = await search(soegSag({ relations: party(sample.cpr) }) + `<sdi:NOT>${soegSag({ states: status('Afsluttet') })}</sdi:NOT>`, ORDER);
    expect(notClosed.ids).toEqual(theirs((c) => c.status !== 'Afsluttet'));
    const either = await search(
      soegSag({ relations: party(sample.cpr) }) + `<sdi:SoegUdtryk><sdi:operation>OR</sdi:operation>${soegSag({ states: status('Oplyst') })}${soegSag({ states: status('Afgjort') })}</sdi:SoegUdtryk>`,
      ORDER,
    );
    expect(either.ids).toEqual(theirs((c) => c.status === 'Oplyst' || c.status === 'Afgjort'));
  });

  it('finds a KLE subject by Klasse UUID and by the index\'s BrugervendtNoegle alike; a group number finds no case', async () => {
    const subject = world.cases.values().next().value!.kle;
    const byNumber = await search(soegSag({ relations: kleNumber(subject.number) }), ORDER);
    const byUuid = await search(soegSag({ relations: kleUuid(subject.uuid) }), ORDER);
    expect(byNumber.ids).toEqual(copenhagenCases((c) => c.kle.number === subject.number));
    expect(byUuid.ids).toEqual(byNumber.ids);
    const group = await search(soegSag({ relations: kleNumber(subject.number.slice(0, 5)) }), ORDER);
    expect(group.status).toBe(200);
    expect(group.ids).toEqual([]);
  });

  it('reads when a case arose from a Virkning on Opstaaet: from inclusive, to exclusive, a zone-less time at +01:00', async () => {
    const day = copenhagenCases(() => true).map((id) => world.cases.get(id)!.openedAt)[100]!;
    const next = new Date(`${day}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    const onTheDay = await search(soegSag({ states: arose(`${day}T00:00:00`, `${next.toISOString().slice(0, 10)}T00:00:00`) }), ORDER);
    expect(onTheDay.ids).toEqual(copenhagenCases((c) => c.openedAt === day));
    const until = await search(soegSag({ states: arose(null, `${day}T00:00:00`) }), ORDER);
    expect(until.ids).toEqual(copenhagenCases((c) => c.openedAt < day));
    const since = await search(soegSag({ states: arose(`${day}T00:00:00Z`, null) }), ORDER);
    expect(since.ids).toEqual(copenhagenCases((c) => c.openedAt >= day));
  });

  it('keeps the call key party:<cpr> for a plain search by party', async () => {
    const cpr = [...world.casesByParty.keys()][0]!;
    simulator.resetCalls();
    await search(soegSag({ relations: party(cpr) }));
    await search(soegSag({ page: { offset: 0, limit: 2 }, relations: party(cpr) }), ORDER);
    expect(simulator.calls.map((c) => c.key)).toEqual([`party:${cpr}`, `search:sag(part=${cpr})#0+2`]);
  });

  it('refuses by name what it does not understand, as a Client fault', async () => {
    const refused: [string, string, string][] = [
      ['paging on a later SoegSag', soegSag() + soegSag({ page: { offset: 0, limit: 1 } }), 'read from the first SoegSag'],
      ['a sort it does not do', soegSag(), 'sorts by Registreringstidspunkt and BrugervendtNoegle only'],
      ['a Virkning on another state', soegSag({ states: status('Oplyst').replace('<sag:FremdriftStatusKode>', '<sag:Virkning><sd:FraTidspunkt>' + time(null) + '</sd:FraTidspunkt></sag:Virkning><sag:FremdriftStatusKode>') }), 'Virkning only on Opstaaet'],
      ['a document search', '<sdi:SoegDokument/>', 'cases (SoegSag) only'],
      ['an attribute', soegSag({ attributes: '<sag:Egenskaber><sag:Titel>x</sag:Titel></sag:Egenskaber>' }), 'does not search by AttributListe'],
      ['an unknown KLE number', soegSag({ relations: kleNumber('99.99.99') }), 'no KLE number the index knows'],
      ['another relation', soegSag({ relations: '<sag:Sagsaktoer/>' }), 'Sagspart, Sagsklasse and Sagsgenstande only'],
      ['an object by URN', soegSag({ relations: '<sag:Sagsgenstande><gd:ReferenceID><sd:URNIdentifikator>urn:x:1</sd:URNIdentifikator></gd:ReferenceID></sag:Sagsgenstande>' }), 'knows no object by URN'],
    ];
    for (const [name, expression, message] of refused) {
      const sorting = name === 'a sort it does not do' ? ORDER.replace('Registreringstidspunkt', 'Titel') : ORDER;
      const answer = await search(expression, sorting);
      expect(answer.status, name).toBe(500);
      expect(answer.text, name).toContain('INVALID_REQUEST');
      expect(answer.text, name).toContain(message);
    }
  });
});

describe('the case-index simulator\'s search by case object (Sagsgenstande)', () => {
  const objectOf = (code: string, kind: 'address' | 'building') =>
    [...world.cases.values()].find((c) => c.municipalityCode === code && c.objects?.some((o) => o.kind === kind))!.objects!.find((o) => o.kind === kind)!;
  const genstand = (uuid: string) => `<sag:Sagsgenstande><gd:ReferenceID><sd:UUIDIdentifikator>${uuid}</sd:UUIDIdentifikator></gd:ReferenceID></sag:Sagsgenstande>`;
  const SHOW_OBJECTS = '<sdi:Filter><sdi:SagVis><sdi:Vis>egenskaber</sdi:Vis></sdi:SagVis><sdi:SagVis><sdi:Vis>sagsgenstand</sdi:Vis></sdi:SagVis></sdi:Filter>';
  const about = (id: string) => copenhagenCases((c) => (c.objects ?? []).some((o) => o.id === id));

  it('answers the asking municipality\'s cases that name the building or the address, with their objects when the Filter asks', async () => {
    for (const object of [objectOf('0101', 'building'), objectOf('0101', 'address')]) {
      const shown = await search(soegSag({ relations: genstand(object.id) }), SHOW_OBJECTS + ORDER);
      expect(shown.ids.length, object.kind).toBeGreaterThan(0);
      expect(shown.ids, object.kind).toEqual(about(object.id));
      expect(shown.text).toContain(`<sag:Sagsgenstande><gd:Virkning>`);
      expect(shown.text).toContain(`<gd:ReferenceID><sd:UUIDIdentifikator>${object.id}</sd:UUIDIdentifikator></gd:ReferenceID><gd:LokalUdvidelseListe><si:SagsgenstandeLokalUdvidelse><si:Tekstfelt>`);
    }
  });

  it('leaves the objects out when the Filter does not name sagsgenstand, and reads an id in upper case alike', async () => {
    const building = objectOf('0101', 'building');
    const hidden = await search(soegSag({ relations: genstand(building.id.toUpperCase()) }), ORDER);
    expect(hidden.ids).toEqual(about(building.id));
    expect(hidden.text).not.toContain('Sagsgenstande');
  });

  it('finds nothing for København about another municipality\'s building, and nothing about a thing no case names', async () => {
    expect((await search(soegSag({ relations: genstand(objectOf('0751', 'building').id) }), ORDER)).ids).toEqual([]);
    const quiet = [...world.buildings.values()].find((b) => b.municipalityCode === '0101' && about(b.id).length === 0)!;
    const none = await search(soegSag({ relations: genstand(quiet.id) }), ORDER);
    expect(none.status).toBe(200);
    expect(none.ids).toEqual([]);
  });
});
