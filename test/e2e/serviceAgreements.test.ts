/**
 * Each municipality is a data consumer of its own on Serviceplatformen. A municipality the tenant
 * registry gives a service agreement (`serviceplatformen`) has its callers' CPR look-ups (SF1520)
 * made under that agreement, its user system and user, in the SOAP InvocationContext; one without
 * calls under the deployment's (legacy configuration); ServiceUUID is SF1520's either way. A
 * registry change holds from the next call, without a restart. The case index (SF1470 v5) has no
 * InvocationContext in its contract: the municipality is named in its AuthorityContext, and no
 * agreement of the registry's is put into those requests.
 *
 * Asserted on what the simulators received over HTTP, through the gateway.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatCpr } from '../../schema/scalars';
import type { RecordedCall } from '../../simulators/core/simulator';
import { childOf, elementsOf, readEnvelope, textOf, type QualifiedElement } from '../../simulators/core/soap';
import { CPR_NS, INVOCATION_CONTEXT_NS } from '../../simulators/cpr/server';
import { sampleCitizens } from '../../simulators/data/samples';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { linesSince, logMark } from '../support/logs';
import { eventually } from '../support/eventually';

const AUTHORITY_CONTEXT_NS = 'http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/';
const SF1470_NS = 'http://serviceplatformen.dk/xml/wsdl/soap11/SagDokument/SagDokumentIndeks/5/';

/** Aarhus's own agreement: example UUIDs, as a municipality would write them in its registry entry. */
const AARHUS_AGREEMENT = {
  serviceAgreementUuid: 'a0751000-0000-4000-8000-000000000001',
  userSystemUuid: 'a0751000-0000-4000-8000-000000000002',
  userUuid: 'a0751000-0000-4000-8000-000000000003',
};
const AARHUS_NEXT_AGREEMENT = {
  serviceAgreementUuid: 'b0751000-0000-4000-8000-000000000001',
  userSystemUuid: 'b0751000-0000-4000-8000-000000000002',
  userUuid: 'b0751000-0000-4000-8000-000000000003',
};

let stack: AuthedStack;
let original: string;

type Registry = { municipalities: { code: string; cvr: string; serviceplatformen?: typeof AARHUS_AGREEMENT }[] };

beforeAll(async () => {
  stack = await startAuthedStack();
  original = readFileSync(stack.tenantRegistryPath, 'utf8');
});
afterEach(() => writeFileSync(stack.tenantRegistryPath, original));
afterAll(() => stack?.close());

/** The registry as the stack wrote it, with these municipalities given (or, with undefined, without) an agreement of their own. */
function writeAgreements(agreements: Record<string, typeof AARHUS_AGREEMENT | undefined>): void {
  const registry = JSON.parse(original) as Registry;
  const municipalities = registry.municipalities.map((m) => {
    if (!(m.code in agreements)) return m;
    const { serviceplatformen: _own, ...rest } = m;
    const own = agreements[m.code];
    return own ? { ...rest, serviceplatformen: own } : rest;
  });
  writeFileSync(stack.tenantRegistryPath, JSON.stringify({ ...registry, municipalities }, null, 2));
}

/** The InvocationContext of a PersonLookup as the CPR simulator received it. */
function invocationContextOf(call: RecordedCall): Record<string, string | undefined> {
  const lookup = readEnvelope(call.requestBody).body.find((e) => e.namespace === CPR_NS && e.localName === 'PersonLookupRequest')!;
  const context = childOf(lookup, INVOCATION_CONTEXT_NS, 'InvocationContext')!;
  const part = (name: string) => textOf(childOf(context, INVOCATION_CONTEXT_NS, name));
  return {
    serviceAgreementUuid: part('ServiceAgreementUUID'),
    userSystemUuid: part('UserSystemUUID'),
    userUuid: part('UserUUID'),
    serviceUuid: part('ServiceUUID'),
  };
}

/** An element and every element inside it, at any depth. */
function allElements(element: QualifiedElement): QualifiedElement[] {
  return [element, ...elementsOf(element.node, element.scope).flatMap(allElements)];
}

/** What an SF1470 fremsoeg request said of its caller: the AuthorityContext's CVR, and whether any InvocationContext was in it. */
function callerOfFremsoeg(call: RecordedCall): { municipalityCvr: string | undefined; invocationContexts: number } {
  const { header, body } = readEnvelope(call.requestBody);
  const request = body.find((e) => e.namespace === SF1470_NS && e.localName === 'FremsoegRequest')!;
  const authority = childOf(request, AUTHORITY_CONTEXT_NS, 'AuthorityContext');
  const everything = [...header, ...body].flatMap(allElements);
  return {
    municipalityCvr: authority ? textOf(childOf(authority, AUTHORITY_CONTEXT_NS, 'MunicipalityCVR')) : undefined,
    invocationContexts: everything.filter((e) => e.localName === 'InvocationContext').length,
  };
}

const person = (code: string) => sampleCitizens(stack.world).get(code)!;
const cvrOf = (code: string) => stack.world.municipalities.find((m) => m.code === code)!.cvr;
const deployment = () => stack.legacyConfig.cpr.invocationContext;

/** The caller (`token`) reads a citizen's name: the InvocationContext of the one CPR look-up that takes, as CPR received it. */
async function lookUpAs(token: string, cpr: string): Promise<Record<string, string | undefined>[]> {
  stack.simulators.cpr.resetCalls();
  const { body } = await stack.ask(token, 'query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } } }', { cpr: formatCpr(cpr) });
  expect(body.errors).toBeUndefined();
  const calls = stack.simulators.cpr.callsTo('PersonLookup', cpr);
  expect(calls).toHaveLength(1);
  return calls.map(invocationContextOf);
}
const asCaseworker = async (code: string) => lookUpAs(await stack.mint.caseworker(code), person(code).cpr);


describe('CPR (SF1520) look-ups, under the agreement of the caller\'s municipality', () => {
  it('a municipality with an agreement of its own looks up under it; one without, and a citizen, under the deployment\'s', async () => {
    writeAgreements({ '0751': AARHUS_AGREEMENT });
    const aarhus = await eventually(() => asCaseworker('0751'), (contexts) => contexts[0]?.serviceAgreementUuid === AARHUS_AGREEMENT.serviceAgreementUuid);
    // Its agreement, user system and user; the ServiceUUID names SF1520, and stays the deployment's.
    expect(aarhus).toEqual([{ ...AARHUS_AGREEMENT, serviceUuid: deployment().serviceUuid }]);

    const copenhagen = await asCaseworker('0101');
    expect(copenhagen).toEqual([
      { serviceAgreementUuid: deployment().serviceAgreementUuid, userSystemUuid: deployment().userSystemUuid, userUuid: deployment().userUuid, serviceUuid: deployment().serviceUuid },
    ]);

    // A citizen acts for no municipality: the deployment's agreement, even for an Aarhus citizen.
    const citizen = person('0751');
    const own = await lookUpAs(await stack.mint.citizen(citizen.cpr), citizen.cpr);
    expect(own[0]?.serviceAgreementUuid).toBe(deployment().serviceAgreementUuid);
    expect(own[0]?.userUuid).toBe(deployment().userUuid);
  });

  it('follows a registry change from the next call, without a restart: an agreement changed, then removed', async () => {
    writeAgreements({ '0751': AARHUS_AGREEMENT });
    await eventually(() => asCaseworker('0751'), (contexts) => contexts[0]?.serviceAgreementUuid === AARHUS_AGREEMENT.serviceAgreementUuid);

    writeAgreements({ '0751': AARHUS_NEXT_AGREEMENT });
    const changed = await eventually(() => asCaseworker('0751'), (contexts) => contexts[0]?.serviceAgreementUuid === AARHUS_NEXT_AGREEMENT.serviceAgreementUuid);
    expect(changed).toEqual([{ ...AARHUS_NEXT_AGREEMENT, serviceUuid: deployment().serviceUuid }]);

    writeAgreements({ '0751': undefined });
    const removed = await eventually(() => asCaseworker('0751'), (contexts) => contexts[0]?.serviceAgreementUuid === deployment().serviceAgreementUuid);
    expect(removed).toEqual([
      { serviceAgreementUuid: deployment().serviceAgreementUuid, userSystemUuid: deployment().userSystemUuid, userUuid: deployment().userUuid, serviceUuid: deployment().serviceUuid },
    ]);
  });

  it('refuses a misspelt field, naming the municipality and the field, and keeps calling under the agreement in force', async () => {
    writeAgreements({ '0751': AARHUS_AGREEMENT });
    await eventually(() => asCaseworker('0751'), (contexts) => contexts[0]?.serviceAgreementUuid === AARHUS_AGREEMENT.serviceAgreementUuid);
    const mark = logMark();
    const refusedByCitizen = () => linesSince(mark).filter((l) => l.level === 'error' && l.service === 'subgraph:citizen' && /registry change refused/.test(l.msg));
    const registry = JSON.parse(original) as Registry;
    writeFileSync(
      stack.tenantRegistryPath,
      JSON.stringify({ municipalities: registry.municipalities.map((m) => (m.code === '0751' ? { ...m, serviceplatformen: { ...AARHUS_NEXT_AGREEMENT, userUUID: AARHUS_NEXT_AGREEMENT.userUuid } } : m)) }),
    );
    await eventually(async () => refusedByCitizen().length, (n) => n >= 1);
    const index = registry.municipalities.findIndex((m) => m.code === '0751');
    expect(refusedByCitizen()[0]?.msg).toContain(`municipality 0751 at municipalities.${index}.serviceplatformen: Unrecognized key: "userUUID"`);
    // The refused file never came into force: Aarhus calls under the agreement in force, not the one the file held.
    expect(await asCaseworker('0751')).toEqual([{ ...AARHUS_AGREEMENT, serviceUuid: deployment().serviceUuid }]);
  });
});

describe('the case index (SF1470), which names the municipality in its AuthorityContext', () => {
  it('asks under the caller\'s municipality\'s CVR, and puts no InvocationContext into the request, agreement or not', async () => {
    writeAgreements({ '0751': AARHUS_AGREEMENT });
    await eventually(() => asCaseworker('0751'), (contexts) => contexts[0]?.serviceAgreementUuid === AARHUS_AGREEMENT.serviceAgreementUuid);
    for (const code of ['0751', '0101']) {
      stack.simulators.caseIndex.resetCalls();
      const { body } = await stack.ask(await stack.mint.caseworker(code), 'query($cpr: CPR!) { citizen(cpr: $cpr) { cases { number } } }', { cpr: formatCpr(person(code).cpr) });
      expect(body.errors).toBeUndefined();
      const calls = stack.simulators.caseIndex.callsTo('fremsoeg');
      expect(calls).toHaveLength(1);
      expect(callerOfFremsoeg(calls[0]!)).toEqual({ municipalityCvr: cvrOf(code), invocationContexts: 0 });
      // Not one UUID of an agreement travels to SF1470.
      for (const uuid of [...Object.values(AARHUS_AGREEMENT), deployment().serviceAgreementUuid]) expect(calls[0]!.requestBody).not.toContain(uuid);
    }
  });
});
