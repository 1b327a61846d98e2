/**
 * Every overview query leaves exactly the right access records, committed before the answer
 * leaves; with the audit store unreachable no personal data is served (non-personal data still
 * is), and service resumes when the store returns. PostgreSQL server behind a TCP proxy we cut.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, postgresClient, subjectHash, type AuditTrail } from '../../audit';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { noLatency, postGraphQL } from '../support/graphql';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';

let stack: LocalStack;
let trail: AuditTrail;
let proxy: TcpProxy;
const subjectKey = randomBytes(32);

beforeAll(async () => {
  proxy = await startTcpProxy('127.0.0.1', 5432);
  const db = await postgresClient(`postgres://postgres@127.0.0.1:${proxy.port}/test`, `audit_e2e_${randomBytes(4).toString('hex')}`);
  trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 10 });
  stack = await startLocalStack({ latencyMs: noLatency, audit: { trail, subjectKey } });
});
afterAll(async () => {
  await stack.close();
  proxy.restore();
  await trail.close();
  await proxy.close();
});

/** The records of a subject, found by its keyed hash as an auditor given the CPR number would. */
const recordsOf = (cpr: string) => trail.find({ subject: subjectHash(subjectKey, cpr) });

describe('the access trail behind the gateway', () => {
  it('records one access per subject of the overview, with fields and systems, before the answer', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const before = (await trail.verify()).records;
    const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
    expect(body.errors).toBeUndefined();
    const parties = new Set(stack.world.casesByParty.get(person.cpr)!.flatMap((id) => stack.world.cases.get(id)!.parties.map((p) => p.cpr)));
    const subjects = new Set([person.cpr, person.spouseCpr!, ...person.childCprs, ...parties]);
    const report = await trail.verify();
    expect(report.ok).toBe(true);
    expect(report.records - before).toBe(subjects.size);
    const own = (await recordsOf(person.cpr)).at(-1);
    expect(own).toMatchObject({
      operationName: 'CitizenOverview',
      typeOfUse: 'read',
      outcome: 'ok',
      fields: [
        'Case.classification', 'Case.documents', 'Case.number', 'Case.parties', 'Case.status', 'Case.title',
        'Citizen.address', 'Citizen.birthDate', 'Citizen.cases', 'Citizen.name', 'Citizen.relations',
        'Document.date', 'Document.title', 'Query.citizen',
      ],
      systems: ['case-index', 'cpr', 'dar'],
    });
  });

  it('records a read served from cache too: a second overview adds the same records again', async () => {
    const person = sampleCitizens(stack.world).get('0751')!;
    await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
    const first = await recordsOf(person.cpr);
    for (const s of stack.allSimulators()) s.resetCalls();
    await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
    expect(stack.simulators.dar.calls).toHaveLength(0); // the address came from cache …
    const second = await recordsOf(person.cpr);
    expect(second).toHaveLength(first.length + 1); // … and the disclosure was recorded all the same
    expect(second.at(-1)!.fields).toContain('Citizen.address');
    expect(second.at(-1)!.requestId).not.toBe(first.at(-1)!.requestId);
  });

  it('serves no personal data while the store is unreachable, still answers public data, and resumes', async () => {
    const person = sampleCitizens(stack.world).get('0461')!;
    const address = [...stack.world.addresses.values()][0]!;
    const mixed = 'query($cpr: CPR!, $id: ID!) { citizen(cpr: $cpr) { name { full } } address(id: $id) { text } }';
    const variables = { cpr: formatCpr(person.cpr), id: address.id };
    proxy.cut();
    try {
      const { body, text } = await postGraphQL(stack.gateway.url, mixed, variables);
      expect(body.data).toEqual({ citizen: null, address: { text: address.text } });
      expect(body.errors).toEqual([expect.objectContaining({ path: ['citizen'], extensions: { code: 'AUDIT_UNAVAILABLE' } })]);
      expect(text).not.toContain(person.familyName);
      // However the operation is written: fragments at the root reach personal data all the same.
      for (const query of [
        'query($cpr: CPR!) { ... on Query { citizen(cpr: $cpr) { name { full } } } }',
        'query($cpr: CPR!) { ...Q } fragment Q on Query { who: citizen(cpr: $cpr) { name { full } } }',
        'query($cpr: CPR!) { citizen(cpr: $cpr) { cpr } }',
      ]) {
        const hidden = await postGraphQL(stack.gateway.url, query, { cpr: formatCpr(person.cpr) });
        expect(hidden.body.data, query).toBeNull();
        expect(hidden.body.errors?.map((e) => e.extensions?.['code']), query).toEqual(['AUDIT_UNAVAILABLE']);
        expect(hidden.text).not.toContain(person.familyName);
      }
      const ready = await fetch(stack.gateway.url.replace('/graphql', '/ready'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'degraded', audit: 'unreachable' });
    } finally {
      proxy.restore();
    }
    expect(await (await fetch(stack.gateway.url.replace('/graphql', '/ready'))).json()).toMatchObject({ status: 'ready', audit: 'reachable' });
    const resumed = await postGraphQL(stack.gateway.url, mixed, variables);
    expect(resumed.body.errors).toBeUndefined();
    expect(resumed.body.data?.citizen.name.full).toContain(person.familyName);
  });
});
