/**
 * The Acadre CaseSystem end to end: every CaseSystem method through real SOAP over HTTP against
 * the Acadre simulator, on an ephemeral port, with the exact traffic each one makes, the case
 * index's ids on every record, and the typed errors for an unknown case, a fault, an outage's
 * retries, a slow answer and missing credentials.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAcadreCaseSystem, type AcadreCaseSystem, type AcadreCaseSystemOptions } from '../../adapters/esdh/acadre';
import { LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from '../../adapters/core/errors';
import { createResilience } from '../../adapters/core/resilience';
import { DEFAULT_ACADRE_CODES } from '../../adapters/esdh/acadreCodes';
import { derivedIndexIdentity } from '../../adapters/esdh/acadreIndexIdentity';
import { createMainDocumentRequest, getCaseRequest } from '../../adapters/esdh/acadreRequests';
import { ACADRE_SERVICE_PATH, caseNumberOf, startAcadreSimulator, type RunningAcadreSimulator } from '../../simulators/acadre/server';
import { buildWorld, forkWorld, type Case, type Person, type World } from '../../simulators/data/world';

/** Odense: the municipality the world keeps in Acadre. */
const MUNICIPALITY = '0461';

let world: World;
let simulator: RunningAcadreSimulator;
let system: AcadreCaseSystem;
const systems: AcadreCaseSystem[] = [];

function caseSystem(options: Partial<AcadreCaseSystemOptions> = {}): AcadreCaseSystem {
  const made = createAcadreCaseSystem({ municipalityCode: MUNICIPALITY, wsdl: `${simulator.url}${ACADRE_SERVICE_PATH}?wsdl`, ...options });
  systems.push(made);
  return made;
}

/** The operations answered since the last reset, in order (WSDL fetches aside). */
const traffic = () => simulator.calls.filter((c) => c.operation !== 'wsdl').map((c) => c.operation);

/** An open case of the municipality with documents and more than one party, and its number: Acadre's, as the index shows it. */
function openCaseOfWorld(): { kase: Case; number: string } {
  const kase = [...world.cases.values()].find(
    (c) => c.municipalityCode === MUNICIPALITY && c.status === 'Opstaaet' && c.parties.length > 1 && c.documentIds.length > 1,
  )!;
  expect(caseNumberOf(simulator.register.caseOf(kase))).toBe(kase.number);
  return { kase, number: kase.number };
}

/** A person Acadre has no contact for: a citizen of another municipality, party to none of its cases. */
const stranger = (): Person => [...world.persons.values()].find((p) => p.municipalityCode !== MUNICIPALITY && !simulator.register.contactOf(p.cpr))!;

beforeAll(async () => {
  world = forkWorld(buildWorld());
  simulator = await startAcadreSimulator({ municipalityCode: MUNICIPALITY, world });
});
afterAll(() => simulator.close());
beforeEach(() => {
  system = caseSystem();
});
afterEach(() => {
  simulator.setFault('none');
  simulator.setLatency(0);
  simulator.resetCalls();
  for (const made of systems.splice(0)) made.soap.close();
});

describe('the Acadre CaseSystem reads', () => {
  it('reads a case by its Acadre number in one call, the unit list asked once beside it and kept; its id is the index\'s', async () => {
    const { kase, number } = openCaseOfWorld();
    expect(await system.caseByNumber(number)).toEqual({
      id: kase.id,
      number,
      title: kase.title,
      status: 'Opstaaet',
      responsibleUnit: kase.responsibleUnit,
      openedAt: kase.openedAt,
      classification: { number: kase.kle.number, title: null },
    });
    expect(traffic().sort()).toEqual(['GetAdminUnitList', 'GetCaseByCaseNumber']);
    simulator.resetCalls();
    await system.caseByNumber(number);
    expect(traffic()).toEqual(['GetCaseByCaseNumber']);
  });

  it('lists the documents of a case: its number, then its documents, each under the id the index shows it by', async () => {
    const { kase, number } = openCaseOfWorld();
    const documents = await system.documentsOfCase(number);
    const expected = kase.documentIds.map((id) => world.documents.get(id)!);
    expect(documents).toEqual(expected.map((d) => ({ id: d.id, title: d.title, date: d.date, kind: d.kind, caseNumber: number, format: 'application/pdf' })));
    expect(traffic()).toEqual(['GetCaseByCaseNumber', 'GetAllDocuments']);
  });

  it('reads one document by its index id, with the number of the case it is filed on', async () => {
    const { kase, number } = openCaseOfWorld();
    const [first] = await system.documentsOfCase(number);
    simulator.resetCalls();
    const document = await system.document(first!.id);
    expect(document).toEqual(first);
    expect(document.title).toBe(world.documents.get(kase.documentIds[0]!)!.title);
    expect(traffic()).toEqual(['GetMainDocument', 'GetCase']);
  });
});

describe('the Acadre CaseSystem writes', () => {
  it('opens a case: a known party\'s contact is found, a new person\'s contact made, and the case is in the shared world', async () => {
    const { kase: sibling } = openCaseOfWorld();
    const known = sibling.parties[0]!.cpr;
    const newcomer = stranger().cpr;
    const opened = await system.openCase({
      title: 'Ansøgning om hjælpemiddel',
      kle: sibling.kle.number,
      parties: [{ cpr: known, role: 'PRIMARY' }, { cpr: newcomer, role: 'SECONDARY' }],
      responsibleUnit: 'Jobcenter',
    });
    expect(opened).toMatchObject({
      title: 'Ansøgning om hjælpemiddel',
      status: 'Opstaaet',
      responsibleUnit: 'Jobcenter',
      classification: { number: sibling.kle.number, title: null },
      openedAt: new Date().toISOString().slice(0, 10),
    });
    expect(opened.number).toMatch(new RegExp(`^${String(new Date().getUTCFullYear() % 100).padStart(2, '0')}/\\d+$`));
    expect(traffic()).toEqual(['GetAdminUnitList', 'GetContactsByPublicId', 'GetContactsByPublicId', 'CreatePerson', 'CreateCase', 'GetCase']);
    const inWorld = world.cases.get(opened.id)!;
    expect(inWorld).toMatchObject({ title: 'Ansøgning om hjælpemiddel', municipalityCode: MUNICIPALITY, responsibleUnit: 'Jobcenter', status: 'Opstaaet' });
    expect(inWorld.parties).toEqual([{ cpr: known, role: 'PRIMARY' }, { cpr: newcomer, role: 'SECONDARY' }]);
    expect(world.casesByParty.get(newcomer)).toContain(inWorld.id);
    // The case reads back by the number Acadre gave it.
    expect(await system.caseByNumber(opened.number)).toEqual(opened);
  });

  it('refuses a unit Acadre does not have before it writes anything', async () => {
    const { kase } = openCaseOfWorld();
    await expect(system.openCase({ title: 'T', kle: kase.kle.number, parties: [{ cpr: kase.parties[0]!.cpr, role: 'PRIMARY' }], responsibleUnit: 'Ingen Sådan Enhed' }))
      .rejects.toBeInstanceOf(NotFound);
    expect(traffic()).toEqual(['GetAdminUnitList']);
  });

  it('files a document on a case, which then lists it', async () => {
    const { kase, number } = openCaseOfWorld();
    const filed = await system.fileDocument(number, { title: 'Kvittering for ansøgning', kind: 'OUTGOING', date: '2026-01-05' });
    expect(filed).toMatchObject({ caseNumber: number, title: 'Kvittering for ansøgning', kind: 'OUTGOING', date: '2026-01-05', format: null });
    expect(traffic()).toEqual(['GetCaseByCaseNumber', 'CreateMainDocument', 'GetMainDocument']);
    expect(kase.documentIds.map((id) => world.documents.get(id)!.title)).toContain('Kvittering for ansøgning');
    expect(await system.documentsOfCase(number)).toContainEqual(filed);
  });

  it('changes a case\'s status: the case file read, sent back with its new status code, read again', async () => {
    const { kase, number } = openCaseOfWorld();
    const informed = await system.changeStatus(number, 'Oplyst');
    expect(informed).toMatchObject({ number, status: 'Oplyst' });
    expect(kase.status).toBe('Oplyst');
    expect(traffic().filter((op) => op !== 'GetAdminUnitList')).toEqual(['GetCaseByCaseNumber', 'UpdateCase', 'GetCase']);
    const update = simulator.callsTo('UpdateCase')[0]!.requestBody;
    expect(update).toContain('>B</');
    expect(update).not.toContain('ClosedDate');

    expect((await system.changeStatus(number, 'Afsluttet')).status).toBe('Afsluttet');
    expect(simulator.callsTo('UpdateCase')[1]!.requestBody).toMatch(/ClosedDate>\d{4}-\d{2}-\d{2}</);
    // A closed case takes no more documents: Acadre's CaseClosedException, a LegacyFault.
    const refused = await system.fileDocument(number, { title: 'For sent', kind: 'NOTE', date: '2026-01-06' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LegacyFault);
    // The request's fault (soap:Client), not Acadre's: it does not count against the breaker.
    expect(refused).toMatchObject({ detail: 'Acadre_CM_Framework_Security_CaseClosedException', serverSide: false });
  });

  it('sends the acting-for SoapHeader when configured', async () => {
    const { number } = openCaseOfWorld();
    await caseSystem({ actingForUser: 'sagsbeh1' }).caseByNumber(number);
    expect(simulator.callsTo('GetCaseByCaseNumber')[0]!.requestBody).toMatch(/<svc:SoapHeader xmlns:svc="http:\/\/traen.com\/Services\/AcadreService"><User>sagsbeh1<\/User><\/svc:SoapHeader>/);
  });
});

describe('the Acadre CaseSystem\'s errors', () => {
  it('an unknown case is NotFound, from the contract\'s CaseNotFoundException, for reads and writes alike', async () => {
    await expect(system.caseByNumber('19/999999')).rejects.toBeInstanceOf(NotFound);
    await expect(system.documentsOfCase('19/999999')).rejects.toBeInstanceOf(NotFound);
    await expect(system.fileDocument('19/999999', { title: 'T', kind: 'NOTE', date: '2026-01-05' })).rejects.toBeInstanceOf(NotFound);
    await expect(system.changeStatus('19/999999', 'Afgjort')).rejects.toBeInstanceOf(NotFound);
    expect(traffic().filter((op) => op === 'GetCaseByCaseNumber')).toHaveLength(4);
    expect(traffic()).not.toContain('CreateMainDocument');
    expect(traffic()).not.toContain('UpdateCase');
  });

  it('a number or id Acadre cannot have is NotFound without a call: another vendor\'s sagsnummer, another system\'s UUID, a bare Acadre id', async () => {
    await system.soap.operations(); // the WSDL loaded, so what is counted is operations only
    simulator.resetCalls();
    await expect(system.caseByNumber('27.24.00-G01-15-23')).rejects.toBeInstanceOf(NotFound);
    await expect(system.document('3c64f272-770d-4cc4-8d73-8b833f75e5e0')).rejects.toBeInstanceOf(NotFound);
    await expect(system.document(derivedIndexIdentity('0101').documentUuid('500001'))).rejects.toBeInstanceOf(NotFound);
    await expect(system.document('500001')).rejects.toBeInstanceOf(NotFound);
    expect(simulator.calls).toEqual([]);
  });

  it('an unknown document is NotFound', async () => {
    await expect(system.document(derivedIndexIdentity(MUNICIPALITY).documentUuid('999999999'))).rejects.toBeInstanceOf(NotFound);
    expect(traffic()).toEqual(['GetMainDocument']);
  });

  it('a fault of the simulator is a LegacyFault blaming the server, without XML or CPR numbers in what it says', async () => {
    const { kase, number } = openCaseOfWorld();
    await system.caseByNumber(number);
    simulator.setFault('fault');
    const read = await system.caseByNumber(number).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(LegacyFault);
    expect(read).toMatchObject({ serverSide: true, detail: 'System_ApplicationException', system: 'esdh', tenant: MUNICIPALITY });
    const write = await system.openCase({ title: 'T', kle: kase.kle.number, parties: [{ cpr: kase.parties[0]!.cpr, role: 'PRIMARY' }] }).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(LegacyFault);
    for (const error of [read, write] as LegacyFault[]) {
      const said = `${error.message} ${error.detail ?? ''}`;
      expect(said).not.toMatch(/[<>]/);
      expect(said).not.toContain(kase.parties[0]!.cpr);
    }
  });

  it('an answer slower than the timeout is a LegacyTimeout', async () => {
    const { number } = openCaseOfWorld();
    const slow = caseSystem({ timeoutMs: 300 });
    await slow.caseByNumber(number); // WSDL and unit list loaded: what times out below is the operation
    simulator.setLatency(1_500);
    await expect(slow.caseByNumber(number)).rejects.toBeInstanceOf(LegacyTimeout);
    // The simulator answers after its delay all the same; waited for, so the next test counts only its own calls.
    await vi.waitFor(() => expect(simulator.callsTo('GetCaseByCaseNumber')).toHaveLength(2), { timeout: 5_000, interval: 20 });
  });

  it('under an outage, a read is tried again and a write never: a write whose answer was lost may have filed', async () => {
    const { kase } = openCaseOfWorld();
    const resilient = caseSystem({ resilience: createResilience({ maxRetries: 2, initialBackoffMs: 1, maxBackoffMs: 2, breakerThreshold: 100 }) });
    const caseId = String(simulator.register.caseOf(kase).id);
    await resilient.soap.operations();
    simulator.setFault('http500');
    simulator.resetCalls();
    await expect(resilient.soap.call('GetCase', { bodyXml: getCaseRequest(caseId), tenant: MUNICIPALITY })).rejects.toBeInstanceOf(LegacyUnavailable);
    expect(traffic()).toEqual(['GetCase', 'GetCase', 'GetCase']);
    simulator.resetCalls();
    const document = createMainDocumentRequest({ caseFileId: caseId, input: { title: 'T', kind: 'NOTE', date: '2026-01-05' }, today: '2026-01-05', codes: DEFAULT_ACADRE_CODES });
    await expect(resilient.soap.call('CreateMainDocument', { bodyXml: document, tenant: MUNICIPALITY })).rejects.toBeInstanceOf(LegacyUnavailable);
    expect(traffic()).toEqual(['CreateMainDocument']);
  });
});

describe('the Acadre CaseSystem behind HTTP Basic', () => {
  const credentials = { username: 'kommunegraf', password: 'test-only-9f2c' };
  let guarded: RunningAcadreSimulator;
  beforeAll(async () => {
    guarded = await startAcadreSimulator({ municipalityCode: MUNICIPALITY, world, credentials });
  });
  afterAll(() => guarded.close());
  const at = (options: Partial<AcadreCaseSystemOptions>) => {
    const made = createAcadreCaseSystem({ municipalityCode: MUNICIPALITY, wsdl: `${guarded.url}${ACADRE_SERVICE_PATH}?wsdl`, timeoutMs: 500, ...options });
    systems.push(made);
    return made;
  };

  it('reads with the service account\'s credentials, its WSDL documents and every call alike', async () => {
    const { kase, number } = openCaseOfWorld();
    expect((await at({ basicAuth: credentials }).caseByNumber(number)).id).toBe(kase.id);
    expect(guarded.callsTo('wsdl').map((c) => c.key).sort()).toEqual(['', 'wsdl1', 'wsdl2']);
  });

  it('without them its WSDL cannot be read, and with others its calls are refused; neither says what was sent', async () => {
    const { number } = openCaseOfWorld();
    guarded.resetCalls();
    // soap keeps a WSDL it parsed by location, process-wide: a location of its own makes this load cold.
    const unauthenticated = await at({ wsdl: `${guarded.url}${ACADRE_SERVICE_PATH}?wsdl&cold` }).caseByNumber(number).catch((e: unknown) => e);
    expect(unauthenticated).toMatchObject({ code: 'LEGACY_UNAVAILABLE', detail: 'wsdl' });
    const refused = await at({ basicAuth: { ...credentials, password: 'wrong-9f2c' } }).caseByNumber(number).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LegacyFault);
    expect(refused).toMatchObject({ detail: 'HTTP 401', serverSide: false });
    for (const error of [unauthenticated, refused] as LegacyFault[]) expect(`${error.message} ${error.detail}`).not.toMatch(/9f2c|kommunegraf|Basic/);
    // Refused at the door: nothing reached Acadre.
    expect(guarded.calls).toEqual([]);
  });
});
