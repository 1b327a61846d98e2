/**
 * Each role sees what it should: a citizen only themselves, an auditor no personal data but the
 * audit API, a service only with its scope; refusals are recorded; a citizen can see who looked
 * them up (dates, purposes, organisations, fields) without the employees' identities.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash } from '../../audit';
import { documentHash } from '../../gateway/plugins/trustedDocuments';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let citizen: Person;
let other: Person;
const subjectKey = randomBytes(32);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  stack = await startAuthedStack({ audit: { subjectKey } });
  citizen = sampleCitizens(stack.world).get('0101')!;
  other = sampleCitizens(stack.world).get('0751')!;
});
afterAll(() => stack?.close());

const overview = (who: Person, token: string) => stack.ask(token, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(who.cpr) });
const api = async (path: string, token?: string) => {
  const response = await fetch(stack.gateway.url.replace('/graphql', path), { headers: token ? bearer(token) : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('roles on the graph', () => {
  it('a citizen sees their own overview, and is refused anybody else\'s, with the refusal recorded', async () => {
    const token = await stack.devIdentity!.mint({ role: 'citizen', sub: citizen.cpr, purpose: 'self-service' });
    const own = await overview(citizen, token);
    expect(own.status).toBe(200);
    expect(own.body.data?.citizen.cpr).toBe(formatCpr(citizen.cpr));
    const foreign = await overview(other, token);
    expect(foreign.status).toBe(403);
    expect(foreign.body.errors?.[0]?.message).toMatch(/only their own data/);
    const auditor = await stack.devIdentity!.mint({ role: 'auditor' });
    const { body } = await api(`/audit/records?subject=${formatCpr(other.cpr)}`, auditor);
    expect(body['records']).toEqual([expect.objectContaining({ outcome: 'denied', actor: subjectHash(subjectKey, citizen.cpr), actorType: 'person', role: 'citizen', fields: ['Query.citizen'] })]);
    expect(JSON.stringify(body)).not.toContain(citizen.cpr);
  });

  it('records a caseworker\'s attempt without a purpose as denied', async () => {
    const token = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-no-purpose', municipality: '0101' });
    expect((await overview(other, token)).status).toBe(403);
    const { body } = await api(`/audit/records?actor=kw-no-purpose`, await stack.devIdentity!.mint({ role: 'auditor' }));
    expect(body['records']).toEqual([expect.objectContaining({ outcome: 'denied', purpose: null, fields: ['Query.citizen'] })]);
  });

  it('an auditor is refused personal data through the graph', async () => {
    const token = await stack.devIdentity!.mint({ role: 'auditor', purpose: 'audit' });
    const { status, body } = await overview(citizen, token);
    expect(status).toBe(403);
    expect(body.errors?.[0]?.message).toMatch(/audit API/);
  });

  it('a service gets personal data only with its scope', async () => {
    const without = await stack.devIdentity!.mint({ role: 'service', purpose: 'batch' });
    expect((await overview(citizen, without)).status).toBe(403);
    const withScope = await stack.devIdentity!.mint({ role: 'service', purpose: 'batch', scope: 'personal-data:read' });
    expect((await overview(citizen, withScope)).status).toBe(200);
  });
});

describe('what a record holds', () => {
  it('names the client system, case reference, W3C trace id and the operation\'s hash', async () => {
    const token = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-1', municipality: '0101', purpose: 'P-3' });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(citizen.cpr) }, {
      ...bearer(token),
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      'x-case-reference': '27.12.04-G01-39-19',
    });
    const { body } = await api(`/audit/records?subject=${formatCpr(citizen.cpr)}&actor=kw-1`, await stack.devIdentity!.mint({ role: 'auditor' }));
    expect((body['records'] as unknown[]).at(-1)).toMatchObject({
      actor: 'kw-1',
      clientSystem: 'kommune-graph-dev-client',
      tenant: '0101',
      purpose: 'P-3',
      caseReference: '27.12.04-G01-39-19',
      traceId,
      documentHash: documentHash(CITIZEN_OVERVIEW_QUERY),
      typeOfUse: 'read',
      outcome: 'ok',
    });
  });
});

describe('the audit API', () => {
  it('answers auditors only: caseworker and citizen tokens get 403, no token 401', async () => {
    const path = `/audit/records?subject=${formatCpr(citizen.cpr)}`;
    expect((await api(path)).status).toBe(401);
    expect((await api(path, await stack.devIdentity!.mint({ role: 'caseworker', municipality: '0101', purpose: 'P' }))).status).toBe(403);
    expect((await api(path, await stack.devIdentity!.mint({ role: 'citizen', sub: citizen.cpr }))).status).toBe(403);
    const auditor = await api(path, await stack.devIdentity!.mint({ role: 'auditor' }));
    expect(auditor.status).toBe(200);
    expect((auditor.body['records'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('shows a citizen who looked them up: dates, purposes, organisations and fields, no employee identities', async () => {
    const caseworker = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-4711', municipality: '0101', purpose: 'P-12 Sygedagpenge' });
    expect((await overview(citizen, caseworker)).status).toBe(200);
    const { status, body } = await api('/audit/me', await stack.devIdentity!.mint({ role: 'citizen', sub: citizen.cpr }));
    expect(status).toBe(200);
    const accesses = body['accesses'] as Record<string, unknown>[];
    expect(accesses).toContainEqual({
      date: new Date().toISOString().slice(0, 10),
      purpose: 'P-12 Sygedagpenge',
      organisation: 'København Kommune',
      fields: expect.arrayContaining(['Citizen.name', 'Citizen.address', 'Citizen.cases']),
    });
    expect(JSON.stringify(body)).not.toContain('kw-4711');
    expect(Object.keys(accesses[0]!).sort()).toEqual(['date', 'fields', 'organisation', 'purpose']);
  });
});
