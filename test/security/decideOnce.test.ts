/**
 * Decide once, record once, through the real gateway and subgraphs: one effective role per
 * request (tokens naming roles that cannot be combined are refused), a refusal made before
 * planning reaches no subgraph and leaves exactly one record, CPR numbers are checked wherever an
 * operation gives them (arrays where one belongs, inside input objects), and a write has its
 * intent on the trail before it is made.
 *
 * The gateway under test reaches every subgraph through a capturing proxy, so the test sees each
 * subgraph call as the internal network would.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditTrail, subjectHash, type AccessRecord, type AuditTrail } from '../../audit';
import type { Role } from '../../gateway/auth/authenticate';
import { parseGatewayConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { Case, Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { freshPglite } from '../support/auditFixtures';
import { startCapturingProxy, type CapturingProxy } from '../support/capturingProxy';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let trail: AuditTrail;
let gateway: RunningGateway;
let proxies: CapturingProxy[];
let copenhagener: Person;
let aarhusian: Person;
const subjectKey = randomBytes(32);

beforeAll(async () => {
  // The trail records for the gateway under test below (the one that reaches the subgraphs through the proxies), not for the stack's own.
  trail = await createAuditTrail({ db: await freshPglite(), signingKey: await generateInternalTokenKeys() });
  stack = await startAuthedStack();
  proxies = await Promise.all(stack.subgraphs.map((s) => startCapturingProxy(s.url)));
  const idp = stack.devIdentity!;
  gateway = await startGateway(
    parseGatewayConfig({
      port: 0,
      auth: { issuer: idp.issuer, audience: idp.audience, jwksPath: idp.jwksPath },
      tenantRegistryPath: stack.tenantRegistryPath,
      subgraphUrls: Object.fromEntries(stack.subgraphs.map((s, i) => [s.name, proxies[i]!.url])),
    }),
    { internalTokenKey: stack.internalTokenKeys.privateJwk, audit: { trail, subjectKey } },
  );
  copenhagener = sampleCitizens(stack.world).get('0101')!;
  aarhusian = sampleCitizens(stack.world).get('0751')!;
});
afterAll(async () => {
  await gateway?.close();
  await Promise.all((proxies ?? []).map((p) => p.close()));
  await stack?.close();
  await trail?.close();
});
beforeEach(() => {
  for (const p of proxies) p.captured.length = 0;
});

const subgraphCalls = () => proxies.reduce((n, p) => n + p.captured.length, 0);
const token = (claims: { roles: Role[]; sub?: string; municipality?: string; purpose?: string; scope?: string }) =>
  stack.devIdentity!.mint({
    role: claims.roles[0]!,
    extraRoles: claims.roles.slice(1),
    sub: claims.sub ?? `actor-${randomUUID()}`,
    ...(claims.municipality ? { municipality: claims.municipality } : {}),
    ...(claims.purpose ? { purpose: claims.purpose } : {}),
    ...(claims.scope ? { scope: claims.scope } : {}),
  });
const ask = async (bearer: string, query: string, variables?: Record<string, unknown>) => postGraphQL(gateway.url, query, variables, { authorization: `Bearer ${bearer}` });
const casesOf = (person: Person, municipality: string): Case[] =>
  stack.world.casesByParty.get(person.cpr)!.map((id) => stack.world.cases.get(id)!).filter((c) => c.municipalityCode === municipality);
const recordsBy = (actor: string): Promise<AccessRecord[]> => trail.find({ actor });
const CASE_WITH_PARTIES = 'query($id: ID!) { case(id: $id) { number title parties { role citizen { cpr name { full } } } } }';

describe('one effective role per request', () => {
  it('[citizen, caseworker] without a municipality is refused another municipality\'s case, with no subgraph call and one record', async () => {
    const sub = `mixed-${randomUUID()}`;
    const foreign = casesOf(aarhusian, '0751')[0]!;
    const { status, body, text } = await ask(await token({ roles: ['citizen', 'caseworker'], sub, purpose: 'P-27' }), CASE_WITH_PARTIES, { id: foreign.id });
    expect(status).toBe(403);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/may not name the role citizen together with caseworker/) });
    expect(text).not.toContain(foreign.number);
    expect(subgraphCalls()).toBe(0);
    const records = await recordsBy(sub);
    expect(records).toEqual([expect.objectContaining({ outcome: 'denied', subjectType: 'criterion', fields: ['Query.case'] })]);
  });

  it('[citizen, caseworker] of 0101 cannot change a case\'s status: refused before any write', async () => {
    const own = casesOf(copenhagener, '0101').find((c) => c.status !== 'Afsluttet')!;
    const esdhWrites = () => stack.simulators.esdh.get('0101')!.callsTo('skift-status').length;
    const before = esdhWrites();
    const { status, body } = await ask(
      await token({ roles: ['citizen', 'caseworker'], sub: copenhagener.cpr, municipality: '0101', purpose: 'P-27' }),
      'mutation($id: ID!) { changeCaseStatus(caseId: $id, status: CLOSED) { status } }',
      { id: own.id },
    );
    expect(status).toBe(403);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(esdhWrites()).toBe(before);
    expect(subgraphCalls()).toBe(0);
  });

  it('[auditor, caseworker] reads no citizen\'s name, birth date or address', async () => {
    const { status, body, text } = await ask(
      await token({ roles: ['auditor', 'caseworker'], municipality: '0101', purpose: 'P-27' }),
      'query($c: CPR!) { citizen(cpr: $c) { name { full } birthDate address { text } } }',
      { c: formatCpr(copenhagener.cpr) },
    );
    expect(status).toBe(403);
    expect(body.errors?.[0]?.message).toMatch(/may not name the role auditor together with caseworker/);
    expect(text).not.toContain(copenhagener.familyName);
    expect(subgraphCalls()).toBe(0);
  });

  it('[citizen, auditor] does not read the trail', async () => {
    const response = await fetch(gateway.url.replace('/graphql', `/audit/records?subject=${formatCpr(aarhusian.cpr)}`), {
      headers: { authorization: `Bearer ${await token({ roles: ['citizen', 'auditor'], sub: copenhagener.cpr })}` },
    });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { records?: unknown; errors: { message: string }[] };
    expect(body.records).toBeUndefined();
    expect(body.errors[0]!.message).toMatch(/may not name the role auditor together with citizen/);
  });

  it('[caseworker, service] counts as a caseworker of its municipality: no national reach through the service\'s scopes', async () => {
    const foreign = casesOf(aarhusian, '0751')[0]!;
    const bearer = await token({ roles: ['caseworker', 'service'], municipality: '0101', purpose: 'P-27', scope: 'personal-data:read cases:read documents:read' });
    const { body, text } = await ask(bearer, CASE_WITH_PARTIES, { id: foreign.id });
    expect(body.data?.case).toBeNull();
    expect(body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(text).not.toContain(foreign.number);
    // Every subgraph call carried one role, the caseworker's, with no scopes.
    const tokens = proxies.flatMap((p) => p.captured.map((c) => c.headers['x-internal-token'] as string));
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) {
      const claims = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString('utf8')) as { role: string; scopes: string[] };
      expect(claims.role).toBe('caseworker');
      expect(claims.scopes).toEqual([]);
    }
  });
});

describe('a refusal is decided before planning and recorded once', () => {
  it('a caseworker without a purpose: 403, no subgraph call, exactly one denied record', async () => {
    const sub = `nopurpose-${randomUUID()}`;
    const { status } = await ask(await token({ roles: ['caseworker'], sub, municipality: '0101' }), CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(status).toBe(403);
    expect(subgraphCalls()).toBe(0);
    const records = await recordsBy(sub);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'denied', subject: subjectHash(subjectKey, copenhagener.cpr), fields: ['Query.citizen'], role: 'caseworker' });
  });

  it('an auditor on the graph: 403, no subgraph call, exactly one denied record', async () => {
    const sub = `auditor-${randomUUID()}`;
    const { status } = await ask(await token({ roles: ['auditor'], sub, purpose: 'tilsyn' }), CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(status).toBe(403);
    expect(subgraphCalls()).toBe(0);
    expect(await recordsBy(sub)).toHaveLength(1);
  });

  it('a citizen asking for somebody else: exactly one denied record, the actor kept only as the keyed hash of their CPR number', async () => {
    const { status } = await ask(await token({ roles: ['citizen'], sub: formatCpr(copenhagener.cpr), purpose: 'self-service' }), CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(aarhusian.cpr) });
    expect(status).toBe(403);
    expect(subgraphCalls()).toBe(0);
    const asHash = await recordsBy(subjectHash(subjectKey, copenhagener.cpr));
    const denied = asHash.filter((r) => r.subject === subjectHash(subjectKey, aarhusian.cpr));
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ outcome: 'denied', actorType: 'person', role: 'citizen' });
    expect(await recordsBy(copenhagener.cpr)).toEqual([]);
    expect(await recordsBy(formatCpr(copenhagener.cpr))).toEqual([]);
  });
});

describe('CPR numbers wherever the operation gives them', () => {
  const caseworker = () => token({ roles: ['caseworker'], municipality: '0101', purpose: 'P-27' });

  it('an array where one CPR number belongs is refused before any subgraph call, naming the variable', async () => {
    const { status, body } = await ask(await caseworker(), 'query($c: CPR!) { citizen(cpr: $c) { name { full } } }', { c: [formatCpr(copenhagener.cpr)] });
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/^Variable "\$c" \(argument "cpr" of Query\.citizen\) has an invalid value/) });
    expect(subgraphCalls()).toBe(0);
  });

  it('a citizen\'s own number beside another in an array does not pass as their own', async () => {
    const bearer = await token({ roles: ['citizen'], sub: copenhagener.cpr, purpose: 'self-service' });
    const { status, text } = await ask(bearer, 'query($c: CPR!) { citizen(cpr: $c) { name { full } } }', { c: [formatCpr(copenhagener.cpr), formatCpr(aarhusian.cpr)] });
    expect(status).toBe(400);
    expect(text).not.toContain(aarhusian.familyName);
    expect(subgraphCalls()).toBe(0);
  });

  it('a malformed CPR number inside an input object is refused at the gateway, naming the argument, never echoing it', async () => {
    const { status, body, text } = await ask(
      await caseworker(),
      'mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }',
      { input: { title: 'Ansøgning', classification: '32.18.04', parties: [{ cpr: '991399-0000', role: 'PRIMARY' }] } },
    );
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/^Variable "\$input" \(argument "input" of Mutation\.openCase\) has an invalid value/);
    expect(text).not.toContain('991399');
    expect(subgraphCalls()).toBe(0);
  });

  it('a CPR number inside an input-object literal is checked and counted like any other', async () => {
    const bearer = await token({ roles: ['citizen'], sub: copenhagener.cpr, purpose: 'self-service' });
    const { status } = await ask(
      bearer,
      `mutation { openCase(input: { title: "x", classification: "32.18.04", parties: [{ cpr: "${formatCpr(aarhusian.cpr)}", role: PRIMARY }] }) { id } }`,
    );
    // Somebody else's number anywhere in a citizen's operation is refused as such.
    expect(status).toBe(403);
    expect(subgraphCalls()).toBe(0);
  });
});

describe('write-ahead records', () => {
  it('a write\'s intent is on the trail before its outcome, for every party, under one request id', async () => {
    const sub = `writer-${randomUUID()}`;
    const parties = [{ cpr: formatCpr(copenhagener.cpr), role: 'PRIMARY' }];
    const { body } = await ask(
      await token({ roles: ['caseworker'], sub, municipality: '0101', purpose: 'P-32' }),
      'mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }',
      { input: { title: 'Ansøgning om rollator', classification: '32.18.04', parties } },
    );
    expect(body.errors).toBeUndefined();
    const records = await recordsBy(sub);
    expect(records.map((r) => r.outcome)).toEqual(['intent', 'ok']);
    expect(new Set(records.map((r) => r.requestId)).size).toBe(1);
    expect(records.every((r) => r.subject === subjectHash(subjectKey, copenhagener.cpr) && r.typeOfUse === 'create')).toBe(true);
    // The subgraph was told the intent: its token carries it.
    const caseCalls = proxies[stack.subgraphs.findIndex((s) => s.name === 'case')]!.captured;
    const claims = JSON.parse(Buffer.from((caseCalls[0]!.headers['x-internal-token'] as string).split('.')[1]!, 'base64url').toString('utf8')) as { intent?: string };
    expect(claims.intent).toBe(records[0]!.requestId);
  });
});
