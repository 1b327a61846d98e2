/**
 * Contract conformance for NemKonto: the EasyAccountRegistry, built from the published
 * proof-of-concept WSDL in ../shared/contracts/nemkonto, runs against the NemKonto simulator over
 * HTTP; the request it sent, the simulator's answers and the adapter's fixtures are validated
 * against the schema of the published WSDL. The simulator's own WSDL is compared with the
 * published one: namespace, elements, operations, SOAPActions, ports and (no) faults.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LegacyFault, NotFound } from '../../adapters/core/errors';
import { createSoapEasyAccountRegistry, type SoapEasyAccountRegistry } from '../../adapters/nemkonto';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { buildWorld, type Person } from '../../simulators/data/world';
import { nemKontoAccountOf } from '../../simulators/nemkonto/accounts';
import { GET_NEMKONTO_FROM_ID_ACTION, NEMKONTO_NS, NEMKONTO_SERVICE_PATH, startNemKontoSimulator } from '../../simulators/nemkonto/server';
import { wsdlFacts } from '../support/wsdlFacts';
import { contractsRoot, requireContracts, soapPartElements, validateAgainst, type ContractSchema } from '../support/xsd';

const PUBLISHED_WSDL = 'NemKontoService.digst-POC.wsdl';
const publishedWsdlPath = `${contractsRoot}nemkonto/${PUBLISHED_WSDL}`;
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

/**
 * The published contract has no XSD file: its one schema is inline in wsdl:types. libxml2
 * validates against schema documents, so the amendment takes the xs:schema element out of the
 * WSDL as it stands, declaring on it the `xs` prefix it inherits from wsdl:definitions.
 */
const nemKontoContract: ContractSchema = {
  root: 'nemkonto',
  files: [PUBLISHED_WSDL],
  entryPoints: { [NEMKONTO_NS]: PUBLISHED_WSDL },
  amendments: [
    {
      file: PUBLISHED_WSDL,
      reason: 'the schema is inline in wsdl:types, and its xs prefix is declared on wsdl:definitions',
      apply: (text) => {
        const schema = /<xs:schema\b[\s\S]*?<\/xs:schema>/.exec(text)?.[0];
        if (!schema) throw new Error(`no xs:schema in ${PUBLISHED_WSDL}`);
        return `<?xml version="1.0" encoding="UTF-8"?>\n${schema.replace(/^<xs:schema\b/, `<xs:schema xmlns:xs="${XSD_NS}"`)}`;
      },
    },
  ],
};

async function expectValid(envelope: string) {
  const elements = soapPartElements(envelope, 'Body');
  expect(elements.length).toBeGreaterThan(0);
  for (const element of elements) {
    const result = await validateAgainst(nemKontoContract, element);
    expect(result.errors, element.slice(0, 300)).toEqual([]);
    expect(result.valid).toBe(true);
  }
}

const world = buildWorld();
const persons = [...world.persons.values()];
const holder: Person = persons.find((p) => nemKontoAccountOf(p) !== null)!;
const adultWithout: Person = persons.find((p) => nemKontoAccountOf(p) === null && Number(p.birthDate.slice(0, 4)) < 2000)!;

describe('NemKontoService getNemKontoFromID: what the adapter sends and the simulator answers', () => {
  let simulator: RunningSimulator;
  let registry: SoapEasyAccountRegistry;
  beforeAll(async () => {
    requireContracts();
    simulator = await startNemKontoSimulator({ world });
    registry = createSoapEasyAccountRegistry({ wsdl: publishedWsdlPath, endpoint: `${simulator.url}${NEMKONTO_SERVICE_PATH}`, recordRequests: true });
  });
  afterEach(() => {
    simulator.setFault('none');
    simulator.resetCalls();
  });
  afterAll(async () => {
    registry?.soap.close();
    await simulator?.close();
  });

  it('the adapter loads the published WSDL and finds getNemKontoFromID (soap lists it on the SOAP 1.1 and 1.2 ports, and skips the HTTP binding)', async () => {
    const operations = await registry.soap.operations();
    expect(new Set(operations)).toEqual(new Set(['getNemKontoFromID']));
  });

  it('sends a getNemKontoFromID valid against the published schema, the CPR number as ten digits, under the published SOAPAction', async () => {
    const account = nemKontoAccountOf(holder)!;
    // The simulator answers only SOAPAction urn:getNemKontoFromID: an answer is proof the adapter sent it.
    expect(await registry.accountOf(holder.cpr)).toEqual({
      bank: { registrationNumber: account.registrationNumber, name: account.bankName },
      accountNumberLast4: account.accountNumber.padStart(10, '0').slice(-4),
    });
    const sent = registry.soap.sentRequests.at(-1)!;
    expect(simulator.callsTo('getNemKontoFromID', holder.cpr).map((c) => c.requestBody)).toEqual([sent]);
    await expectValid(sent);
    expect(sent).toMatch(new RegExp(`<([\\w-]+:)?personID>${holder.cpr}</([\\w-]+:)?personID>`));
  });

  it('gets back a getNemKontoFromIDResponse valid against the published schema', async () => {
    await registry.accountOf(holder.cpr);
    await expectValid(simulator.calls.at(-1)!.responseBody);
  });

  it('a person without a NemKonto gets a nil return, valid against the published schema (return is nillable), and the adapter says NotFound', async () => {
    await expect(registry.accountOf(adultWithout.cpr)).rejects.toBeInstanceOf(NotFound);
    const answer = simulator.calls.at(-1)!.responseBody;
    expect(answer).toMatch(/<ns:return [^>]*xsi:nil="true"/);
    await expectValid(answer);
  });

  it('a fault is a plain SOAP 1.1 Fault without detail, the contract declaring no fault messages', async () => {
    simulator.setFault('fault');
    const error = await registry.accountOf(holder.cpr).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyFault);
    expect(error).toMatchObject({ serverSide: true, detail: 'soap:Server' });
    const fault = simulator.calls.at(-1)!.responseBody;
    expect(fault).toMatch(/<faultcode>soap:Server<\/faultcode>/);
    expect(/<detail>([\s\S]*)<\/detail>/.exec(fault)?.[1]).toBe('');
  });

  it('the simulator refuses another SOAPAction with a soap:Client Fault, as Axis2 would not dispatch it', async () => {
    const response = await fetch(`${simulator.url}${NEMKONTO_SERVICE_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:getIDFromNemKonto"' },
      body: `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><nk:getNemKontoFromID xmlns:nk="${NEMKONTO_NS}"><nk:personID>${holder.cpr}</nk:personID></nk:getNemKontoFromID></soapenv:Body></soapenv:Envelope>`,
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/<faultcode>soap:Client<\/faultcode>/);
    expect(GET_NEMKONTO_FROM_ID_ACTION).toBe('urn:getNemKontoFromID');
  });

  it('the adapter\'s fixtures are real-shaped: each is valid against the published schema', async () => {
    const dir = new URL('../../adapters/nemkonto/__tests__/fixtures/', import.meta.url);
    const fixtures = readdirSync(dir).filter((f) => f.endsWith('.xml'));
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
    for (const file of fixtures) await expectValid(readFileSync(new URL(file, dir), 'utf8'));
  });

  it('the validator is not vacuous: a personID in no namespace, or twice, is rejected', async () => {
    const unqualified = `<nk:getNemKontoFromID xmlns:nk="${NEMKONTO_NS}"><personID>${holder.cpr}</personID></nk:getNemKontoFromID>`;
    const twice = `<nk:getNemKontoFromID xmlns:nk="${NEMKONTO_NS}"><nk:personID>1</nk:personID><nk:personID>2</nk:personID></nk:getNemKontoFromID>`;
    expect((await validateAgainst(nemKontoContract, unqualified)).valid).toBe(false);
    expect((await validateAgainst(nemKontoContract, twice)).valid).toBe(false);
  });
});

// ---------------------------------------------------------------- WSDL

describe('the NemKonto simulator\'s own WSDL against the published proof-of-concept WSDL', () => {
  const ours = () => wsdlFacts(readFileSync(new URL('../../simulators/nemkonto/NemKontoService.wsdl', import.meta.url), 'utf8'));
  const published = () => wsdlFacts(readFileSync(publishedWsdlPath, 'utf8'));
  beforeAll(() => requireContracts());

  it('has the published target namespace and the same message elements, child for child', () => {
    const [a, b] = [ours(), published()];
    expect(a.targetNamespace).toBe(b.targetNamespace);
    expect(a.targetNamespace).toBe(NEMKONTO_NS);
    expect([...a.elements.keys()]).toEqual([`{${NEMKONTO_NS}}getNemKontoFromID`, `{${NEMKONTO_NS}}getNemKontoFromIDResponse`]);
    expect(a.elements).toEqual(b.elements);
  });

  it('has the published operations, with their message elements and WS-Addressing actions, and like it no faults', () => {
    const [a, b] = [ours(), published()];
    expect(a.operations).toEqual(b.operations);
    expect([...a.operations.values()].map((o) => o.faults)).toEqual([0]);
  });

  it('has the published SOAP 1.1 binding, SOAPAction and port, and no other', () => {
    const [a, b] = [ours(), published()];
    expect(a.soapActions).toEqual(new Map([['NemKontoServiceSoap11Binding.getNemKontoFromID', GET_NEMKONTO_FROM_ID_ACTION]]));
    expect(a.soapActions).toEqual(b.soapActions);
    expect(a.ports).toEqual(new Map([['NemKontoServiceHttpSoap11Endpoint', 'NemKontoServiceSoap11Binding']]));
    expect(a.ports).toEqual(b.ports);
  });

  it('is served at ?wsdl with the simulator\'s address, and the adapter finds getNemKontoFromID in it', async () => {
    const simulator = await startNemKontoSimulator({ world });
    const registry = createSoapEasyAccountRegistry({ wsdl: `${simulator.url}${NEMKONTO_SERVICE_PATH}?wsdl` });
    try {
      const served = await (await fetch(`${simulator.url}${NEMKONTO_SERVICE_PATH}?wsdl`)).text();
      expect(served).toContain(`location="${simulator.url}${NEMKONTO_SERVICE_PATH}"`);
      expect(await registry.soap.operations()).toEqual(['getNemKontoFromID']);
    } finally {
      registry.soap.close();
      await simulator.close();
    }
  });
});
