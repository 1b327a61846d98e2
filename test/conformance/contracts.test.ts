/**
 * Contract conformance: the CPR and case-index adapters, built from the real published WSDLs
 * in ../shared/contracts, run against the simulators over HTTP; every request sent and every
 * response received is validated against the real XSDs.
 */
import { readFileSync } from 'node:fs';
import soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoapCaseIndex, type SoapCaseIndex } from '../../adapters/case-index';
import { createSoapPersonRegistry, type SoapPersonRegistry } from '../../adapters/cpr';
import { NotFound } from '../../adapters/core/errors';
import { startCaseIndexSimulator, CASE_INDEX_SERVICE_PATH } from '../../simulators/case-index/server';
import { startCprSimulator, CPR_SERVICE_PATH } from '../../simulators/cpr/server';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { sampleCitizens } from '../../simulators/data/samples';
import { buildWorld } from '../../simulators/data/world';
import { caseIndexContract, contractsRoot, cprContract, requireContracts, soapPartElements, validateAgainst } from '../support/xsd';

const world = buildWorld();
const sample = [...sampleCitizens(world).values()][0]!;
const cprWsdl = `${contractsRoot}cpr/sf1520-person-base-data-extended/wsdl/context/PersonBaseDataExtendedService.wsdl`;
const caseIndexWsdl = `${contractsRoot}fesd-sagdok/sf1470-sagdokumentindeks/wsdl/context/SagDokumentIndeksService.wsdl`;
const invocationContext = {
  serviceAgreementUuid: '6a3c2f0e-1d4b-4c8a-9e7f-2b5d8c1a4e60',
  userSystemUuid: '0f5e8d2c-7b1a-4e3d-8c6f-9a2b4d1e7c35',
  userUuid: '3b7e1c9d-5f2a-4d8e-a6c1-8e4f2b9d6a17',
  serviceUuid: '1b2d3f4a-5c6e-4f80-9a1b-2c3d4e5f6a7b',
};

async function expectValid(contract: typeof cprContract, envelope: string, part: 'Body' | 'Header' = 'Body') {
  const elements = soapPartElements(envelope, part);
  expect(elements.length).toBeGreaterThan(0);
  for (const element of elements) {
    const result = await validateAgainst(contract, element);
    expect(result.errors, element.slice(0, 300)).toEqual([]);
    expect(result.valid).toBe(true);
  }
}

describe('SF1520 PersonBaseDataExtended (CPR)', () => {
  let simulator: RunningSimulator;
  let registry: SoapPersonRegistry;
  beforeAll(async () => {
    requireContracts();
    simulator = await startCprSimulator({ world });
    registry = createSoapPersonRegistry({ wsdl: cprWsdl, endpoint: `${simulator.url}${CPR_SERVICE_PATH}`, invocationContext, recordRequests: true });
  });
  afterAll(() => simulator.close());

  it('the adapter loads the published WSDL and finds PersonLookup', async () => {
    expect(await registry.soap.operations()).toEqual(['PersonLookup']);
  });

  it('sends a PersonLookupRequest that is valid against the published XSD, under the configured service agreement', async () => {
    await registry.lookup(sample.cpr);
    const sent = registry.soap.sentRequests.at(-1)!;
    await expectValid(cprContract, sent);
    for (const [element, value] of [
      ['ServiceAgreementUUID', invocationContext.serviceAgreementUuid],
      ['UserSystemUUID', invocationContext.userSystemUuid],
      ['UserUUID', invocationContext.userUuid],
      ['ServiceUUID', invocationContext.serviceUuid],
    ]) expect(sent).toMatch(new RegExp(`<([\\w-]+:)?${element}>${value}</([\\w-]+:)?${element}>`));
  });

  it('the simulator, as Serviceplatformen, refuses a lookup without an InvocationContext', async () => {
    const body = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><PersonLookupRequest xmlns="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/"><PNR xmlns="http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/">${sample.cpr}</PNR></PersonLookupRequest></soapenv:Body></soapenv:Envelope>`;
    const response = await fetch(`${simulator.url}${CPR_SERVICE_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: 'http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/PersonLookup' },
      body,
    });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(text).toMatch(/InvocationContext/);
    expect(text).not.toContain(sample.givenName);
  });

  it('gets back a PersonLookupResponse that is valid against the published XSD', async () => {
    simulator.resetCalls();
    await registry.lookup(sample.cpr);
    await expectValid(cprContract, simulator.calls.at(-1)!.responseBody);
  });

  it('gets a ServiceplatformFault for an unknown PNR, valid against ServiceplatformFault_1.xsd', async () => {
    simulator.resetCalls();
    await expect(registry.lookup('0101010000')).rejects.toBeInstanceOf(NotFound);
    const faultDetail = /<detail>([\s\S]*)<\/detail>/.exec(simulator.calls.at(-1)!.responseBody)?.[1] ?? '';
    const result = await validateAgainst(cprContract, faultDetail);
    expect(result.errors).toEqual([]);
  });

  it('the validator is not vacuous: the body soap builds from plain arguments is rejected', async () => {
    // soap 1.13 does not resolve the WSDL's xsd:include, so its own body is in no namespace.
    const naive = await soap.createClientAsync(cprWsdl, { endpoint: `${simulator.url}${CPR_SERVICE_PATH}` });
    await naive.PersonLookupAsync({ PNR: sample.cpr }).catch(() => undefined);
    const body = soapPartElements(naive.lastRequest ?? '', 'Body');
    expect(body).toHaveLength(1);
    expect((await validateAgainst(cprContract, body[0]!)).valid).toBe(false);
  });
});

describe('SF1470 Sags- og Dokumentindeks (case index)', () => {
  let simulator: RunningSimulator;
  let index: SoapCaseIndex;
  beforeAll(async () => {
    requireContracts();
    simulator = await startCaseIndexSimulator({ world });
    index = createSoapCaseIndex({ wsdl: caseIndexWsdl, endpoint: `${simulator.url}${CASE_INDEX_SERVICE_PATH}`, recordRequests: true });
  });
  afterAll(() => simulator.close());

  it('the adapter loads the published WSDL and finds fremsoeg', async () => {
    expect(await index.soap.operations()).toContain('fremsoeg');
  });

  it('sends fremsoeg by party with a RequestHeader, both valid against the published XSDs', async () => {
    const cases = await index.casesByParty(sample.cpr);
    expect(cases.length).toBe(world.casesByParty.get(sample.cpr)!.length);
    const sent = index.soap.sentRequests.at(-1)!;
    await expectValid(caseIndexContract, sent, 'Body');
    await expectValid(caseIndexContract, sent, 'Header');
  });

  it('gets back a FremsoegResponse, with parties, KLE class and journalposts, valid against the published XSDs', async () => {
    simulator.resetCalls();
    await index.casesByParty(sample.cpr);
    const response = simulator.calls.at(-1)!.responseBody;
    await expectValid(caseIndexContract, response, 'Body');
    await expectValid(caseIndexContract, response, 'Header');
  });

  it('sends and gets valid messages for a search by case UUIDs and by municipality', async () => {
    const ids = world.casesByParty.get(sample.cpr)!.slice(0, 3);
    simulator.resetCalls();
    const cases = await index.casesById(ids, { municipalityCvr: world.municipalities.find((m) => m.code === sample.municipalityCode)!.cvr });
    expect(cases.map((c) => c.id).sort()).toEqual([...ids].sort());
    await expectValid(caseIndexContract, index.soap.sentRequests.at(-1)!);
    await expectValid(caseIndexContract, simulator.calls.at(-1)!.responseBody);
  });

  describe('a case list: fremsoeg by criteria, paged and sorted', () => {
    const municipality = world.municipalities.find((m) => m.code === sample.municipalityCode)!;
    const sampleCase = world.cases.get(world.casesByParty.get(sample.cpr)![0]!)!;
    // Every shape the case list sends: each criterion alone, several statuses (an OR expression),
    // open-ended and closed periods, and everything at once on a later page.
    const shapes: [string, Parameters<SoapCaseIndex['searchCases']>[0], { offset: number; limit: number }][] = [
      ['no criteria', {}, { offset: 0, limit: 21 }],
      ['one status', { statuses: ['Oplyst'] }, { offset: 0, limit: 21 }],
      ['several statuses', { statuses: ['Afgjort', 'Oplyst'] }, { offset: 20, limit: 21 }],
      ['a KLE subject', { classification: sampleCase.kle.number }, { offset: 0, limit: 101 }],
      ['a party', { partyCpr: sample.cpr }, { offset: 0, limit: 101 }],
      ['opened from', { openedFrom: '2024-01-01' }, { offset: 0, limit: 3 }],
      ['opened to', { openedTo: '2020-12-31' }, { offset: 0, limit: 3 }],
      [
        'every criterion',
        { partyCpr: sample.cpr, statuses: ['Opstaaet', 'Afsluttet', 'Oplyst', 'Afgjort'], classification: sampleCase.kle.number, openedFrom: '2019-01-01', openedTo: sampleCase.openedAt },
        { offset: 0, limit: 5 },
      ],
    ];

    it.each(shapes)('sends %s as a request valid against the published XSDs, and gets a valid answer', async (_name, criteria, page) => {
      simulator.resetCalls();
      const answer = await index.searchCases(criteria, page, { municipalityCvr: municipality.cvr });
      expect(answer.total).not.toBeNull();
      expect(answer.entries.length).toBeLessThanOrEqual(page.limit);
      await expectValid(caseIndexContract, index.soap.sentRequests.at(-1)!, 'Body');
      await expectValid(caseIndexContract, index.soap.sentRequests.at(-1)!, 'Header');
      // The answer's sdi:Antal with its sdi:Paginering (go:PagineringType) is valid too.
      const response = simulator.calls.at(-1)!.responseBody;
      expect(response).toContain('Paginering');
      await expectValid(caseIndexContract, response, 'Body');
    });

    it('finds the case it was built from with every criterion at once', async () => {
      const [, criteria, page] = shapes.at(-1)!;
      const answer = await index.searchCases(criteria, page, { municipalityCvr: municipality.cvr });
      expect(answer.entries.map((e) => e.id)).toContain(sampleCase.id);
    });

    it('the validator is not vacuous: paging after the lists, or a status the XSD does not list, is rejected', async () => {
      const [, criteria, page] = shapes.at(-1)!;
      await index.searchCases(criteria, page, { municipalityCvr: municipality.cvr });
      const sent = index.soap.sentRequests.at(-1)!;
      const [body] = soapPartElements(sent, 'Body');
      const misplaced = body!.replace(/(<sd:FoersteResultatReference>\d+<\/sd:FoersteResultatReference><sd:MaksimalAntalKvantitet>\d+<\/sd:MaksimalAntalKvantitet>)(<sag:AttributListe\/>[\s\S]*?<\/sag:RelationListe>)/, '$2$1');
      expect(misplaced).not.toBe(body);
      expect((await validateAgainst(caseIndexContract, misplaced)).valid).toBe(false);
      const unknownStatus = body!.replace('<sag:FremdriftStatusKode>Oplyst</sag:FremdriftStatusKode>', '<sag:FremdriftStatusKode>Igang</sag:FremdriftStatusKode>');
      expect(unknownStatus).not.toBe(body);
      expect((await validateAgainst(caseIndexContract, unknownStatus)).valid).toBe(false);
    });
  });

  describe('a property\'s cases: fremsoeg by case object (Sagsgenstande)', () => {
    const propertyCase = [...world.cases.values()].find((c) => c.municipalityCode === '0101' && c.objects?.some((o) => o.kind === 'building') && c.objects.some((o) => o.kind === 'address'))!;
    const copenhagen = world.municipalities.find((m) => m.code === '0101')!;

    it.each(['building', 'address'] as const)('sends a search by the UUID of a case\'s %s, valid against the published XSDs, and gets a valid answer showing the objects', async (kind) => {
      const object = propertyCase.objects!.find((o) => o.kind === kind)!;
      simulator.resetCalls();
      const cases = await index.casesByCaseObject(object.id, { municipalityCvr: copenhagen.cvr });
      expect(cases.map((c) => c.id)).toContain(propertyCase.id);
      expect(cases.find((c) => c.id === propertyCase.id)!.caseObjects).toEqual(propertyCase.objects!.map((o) => o.id));
      await expectValid(caseIndexContract, index.soap.sentRequests.at(-1)!, 'Body');
      await expectValid(caseIndexContract, index.soap.sentRequests.at(-1)!, 'Header');
      const response = simulator.calls.at(-1)!.responseBody;
      expect(response).toContain('<sag:Sagsgenstande>');
      await expectValid(caseIndexContract, response, 'Body');
    });

    it('the adapter\'s fixture of such an answer is valid against the published XSDs too', async () => {
      const fixture = readFileSync(new URL('../../adapters/case-index/__tests__/fixtures/fremsoeg-case-object-response.xml', import.meta.url), 'utf8');
      await expectValid(caseIndexContract, fixture, 'Body');
    });

    it('the validator is not vacuous: an object by a UUID that is none, or objects after the journalposts, are rejected', async () => {
      const object = propertyCase.objects![0]!;
      await index.casesByCaseObject(object.id, { municipalityCvr: copenhagen.cvr });
      const [body] = soapPartElements(index.soap.sentRequests.at(-1)!, 'Body');
      const notUuid = body!.replace(object.id, 'matrikel-2000175-123a');
      expect(notUuid).not.toBe(body);
      expect((await validateAgainst(caseIndexContract, notUuid)).valid).toBe(false);
      const [answer] = soapPartElements(simulator.calls.at(-1)!.responseBody, 'Body');
      const late = answer!.replace(/(<sag:Sagsgenstande>[\s\S]*?<\/sag:Sagsgenstande>)+([\s\S]*?<\/sag:Journalpost>)/, '$2$1');
      expect(late).not.toBe(answer);
      expect((await validateAgainst(caseIndexContract, late)).valid).toBe(false);
    });
  });
});
