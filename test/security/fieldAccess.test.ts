/**
 * Each role sees exactly what it should, on the overview and on case queries; field grants
 * declared with @access are enforced before planning (refused fields are never fetched); no form
 * of operation gets around the role rules (fragments at the root, aliases, `_entities`), and a
 * caseworker never gets another municipality's data by any path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoClaims, type DevTokenClaims } from '../../gateway/auth/devIdentity';
import { createInternalTokenSigner, INTERNAL_TOKEN_HEADER, subgraphRequestHash } from '../../runtime/internalToken';
import { startLocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { noLatency, postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let copenhagener: Person;
let aarhusian: Person;

beforeAll(async () => {
  stack = await startAuthedStack();
  copenhagener = sampleCitizens(stack.world).get('0101')!;
  aarhusian = sampleCitizens(stack.world).get('0751')!;
});
afterAll(() => stack?.close());

type Claims = DevTokenClaims;
const ask = async (claims: Claims, query: string, variables: Record<string, unknown> = {}) => stack.ask(await stack.devIdentity.mint(claims), query, variables);
const caseworker = (municipality = '0101'): Claims => ({ role: 'caseworker', municipality, purpose: 'P-27' });
const codes = (errors: { path?: (string | number)[]; extensions?: Record<string, unknown> }[] | undefined) =>
  (errors ?? []).map((e) => `${(e.path ?? []).join('.')} ${String(e.extensions?.['code'])}`).sort();
const casesOf = (person: Person, municipality?: string) =>
  stack.world.casesByParty.get(person.cpr)!.map((id) => stack.world.cases.get(id)!).filter((c) => !municipality || c.municipalityCode === municipality);

describe('the overview, role by role', () => {
  it('a caseworker sees all of it, and only their own municipality\'s cases', async () => {
    const { status, body } = await ask(caseworker('0101'), CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const data = body.data!.citizen;
    expect(data.relations.spouse.cpr).toBe(formatCpr(copenhagener.spouseCpr!));
    expect(data.address.text).toBeTruthy();
    expect(new Set(data.cases.map((c: { id: string }) => c.id))).toEqual(new Set(casesOf(copenhagener, '0101').map((c) => c.id)));
    for (const c of data.cases) for (const p of c.parties) expect(p.citizen.name.full).toBeTruthy();
  });

  it('a citizen sees themselves, their family\'s names and their cases, not who the other parties are', async () => {
    const { status, body } = await ask({ role: 'citizen', sub: copenhagener.cpr, purpose: 'self-service' }, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(status).toBe(200);
    const data = body.data!.citizen;
    expect(data.name.full).toBeTruthy();
    expect(data.address.text).toBeTruthy();
    expect(data.relations.spouse.name.full).toBeTruthy();
    expect(data.cases).toHaveLength(casesOf(copenhagener).length);
    const parties = data.cases.flatMap((c: { parties: unknown[] }) => c.parties);
    for (const p of parties) expect(p).toEqual({ role: expect.any(String), citizen: null });
    expect(new Set(codes(body.errors))).toEqual(new Set(codes(body.errors).filter((c) => /^citizen\.cases\.\d+\.parties\.\d+\.citizen FORBIDDEN$/.test(c))));
    expect(body.errors).toHaveLength(parties.length);
  });

  it('the token the README gives a citizen (npm run token -- citizen --sub …, demoClaims) reads their own overview', async () => {
    const { status, body } = await ask(demoClaims('citizen', { sub: copenhagener.cpr }), CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(status).toBe(200);
    expect(body.data!.citizen.name.full).toBeTruthy();
    expect(body.data!.citizen.address.text).toBeTruthy();
    // Only what a citizen may never see of others: the co-parties on their cases.
    expect(codes(body.errors).every((c) => /^citizen\.cases\.\d+\.parties\.\d+\.citizen FORBIDDEN$/.test(c))).toBe(true);
  });

  it('a citizen who reaches a relative sees their name and nothing more', async () => {
    const query = `query($cpr: CPR!) { citizen(cpr: $cpr) { relations { spouse { cpr name { full } birthDate address { text } cases { id } relations { children { cpr } } } } } }`;
    const { body } = await ask({ role: 'citizen', sub: copenhagener.cpr, purpose: 'self-service' }, query, { cpr: formatCpr(copenhagener.cpr) });
    const spouse = body.data!.citizen.relations.spouse;
    expect(spouse).toEqual({ cpr: formatCpr(copenhagener.spouseCpr!), name: { full: expect.any(String) }, birthDate: null, address: null, cases: null, relations: null });
    expect(codes(body.errors)).toEqual(
      ['address', 'birthDate', 'cases', 'relations'].map((f) => `citizen.relations.spouse.${f} FORBIDDEN`).sort(),
    );
  });

  it('a service with only personal-data:read gets names and addresses, not family relations or cases', async () => {
    const { body } = await ask({ role: 'service', purpose: 'P-3', scope: 'personal-data:read' }, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    const data = body.data!.citizen;
    expect(data.name.full).toBeTruthy();
    expect(data.address.text).toBeTruthy();
    expect(data.relations).toBeNull();
    expect(data.cases).toBeNull();
    expect(codes(body.errors)).toEqual(['citizen.cases FORBIDDEN', 'citizen.relations FORBIDDEN']);
    expect(body.errors!.find((e) => e.path?.at(-1) === 'relations')!.message).toMatch(/Citizen\.relations.*the scope cpr:relations/);
  });

  it('a service with the scopes for relations, cases and documents gets all of it, nationally', async () => {
    const { body } = await ask(
      { role: 'service', purpose: 'P-3', scope: 'personal-data:read cpr:relations cases:read documents:read' },
      CITIZEN_OVERVIEW_QUERY,
      { cpr: formatCpr(copenhagener.cpr) },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.citizen.cases).toHaveLength(casesOf(copenhagener).length);
  });

  it('refused fields are never fetched: no case-index call for a service without cases:read', async () => {
    stack.simulators.caseIndex.resetCalls();
    await ask({ role: 'service', purpose: 'P-3', scope: 'personal-data:read' }, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(stack.simulators.caseIndex.calls).toHaveLength(0);
  });

  it('an auditor gets no personal data through the graph, public registry data still', async () => {
    const refused = await ask({ role: 'auditor', purpose: 'audit' }, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(refused.status).toBe(403);
    const address = [...stack.world.addresses.values()][0]!;
    const open = await ask({ role: 'auditor' }, 'query($id: ID!) { address(id: $id) { text } }', { id: address.id });
    expect(open.body.data?.address.text).toBe(address.text);
  });
});

describe('case queries, role by role', () => {
  const caseQuery = 'query($id: ID!) { case(id: $id) { number title documents { title kind } parties { role citizen { cpr } } } }';
  const ownCase = () => casesOf(copenhagener, '0101')[0]!;

  it('a caseworker gets their municipality\'s case, documents from its ESDH included', async () => {
    const { body } = await ask(caseworker('0101'), caseQuery, { id: ownCase().id });
    expect(body.errors).toBeUndefined();
    expect(body.data!.case.number).toBe(ownCase().number);
    expect(body.data!.case.documents).toHaveLength(ownCase().documentIds.length);
  });

  it('a citizen may not look a case up by id, not even their own: null with FORBIDDEN, nothing fetched', async () => {
    stack.simulators.caseIndex.resetCalls();
    const { status, body, text } = await ask({ role: 'citizen', sub: copenhagener.cpr, purpose: 'self-service' }, caseQuery, { id: ownCase().id });
    expect(status).toBe(200);
    expect(body.data).toEqual({ case: null });
    expect(codes(body.errors)).toEqual(['case FORBIDDEN']);
    expect(text).not.toContain(ownCase().number);
    expect(stack.simulators.caseIndex.calls).toHaveLength(0);
  });

  it('a service needs cases:read for a case, and documents:read for its documents', async () => {
    const none = await ask({ role: 'service', purpose: 'P-3', scope: 'personal-data:read' }, caseQuery, { id: ownCase().id });
    expect(codes(none.body.errors)).toEqual(['case FORBIDDEN']);
    const cases = await ask({ role: 'service', purpose: 'P-3', scope: 'personal-data:read cases:read' }, caseQuery, { id: ownCase().id });
    expect(cases.body.data!.case.number).toBe(ownCase().number);
    expect(cases.body.data!.case.documents).toBeNull();
    expect(codes(cases.body.errors)).toEqual(['case.documents FORBIDDEN']);
  });
});

describe('no way around the role rules', () => {
  const others = () => ({ cpr: formatCpr(aarhusian.cpr) });
  const forms: Record<string, () => string> = {
    'an inline fragment at the root': () => 'query($cpr: CPR!) { ... on Query { citizen(cpr: $cpr) { name { full } } } }',
    'a fragment spread at the root': () => 'query($cpr: CPR!) { ...Q } fragment Q on Query { citizen(cpr: $cpr) { name { full } } }',
    'nested fragments': () => 'query($cpr: CPR!) { ... on Query { ...Q } } fragment Q on Query { who: citizen(cpr: $cpr) { ...N } } fragment N on Citizen { name { full } }',
    'an alias beside their own': () => `query($cpr: CPR!) { me: citizen(cpr: "${formatCpr(copenhagener.cpr)}") { cpr } them: citizen(cpr: $cpr) { name { full } } }`,
  };

  for (const [form, queryOf] of Object.entries(forms)) {
    it(`a citizen asking for somebody else through ${form} is refused`, async () => {
      const { status, text } = await ask({ role: 'citizen', sub: copenhagener.cpr, purpose: 'self-service' }, queryOf(), others());
      expect(status).toBe(403);
      expect(text).not.toContain(aarhusian.familyName);
    });

    it(`an auditor asking through ${form} is refused`, async () => {
      const { status, text } = await ask({ role: 'auditor', purpose: 'audit' }, queryOf(), others());
      expect(status).toBe(403);
      expect(text).not.toContain(aarhusian.familyName);
    });
  }

  it('a citizen naming somebody else in a variable\'s default is refused, as with the variable given', async () => {
    const query = 'query($c: CPR = "' + formatCpr(aarhusian.cpr) + '") { citizen(cpr: $c) { cpr name { full } } }';
    const { status, text } = await ask({ role: 'citizen', sub: copenhagener.cpr, purpose: 'self-service' }, query);
    expect(status).toBe(403);
    expect(text).not.toContain(aarhusian.familyName);
  });

  it('a malformed CPR number in a variable\'s default is refused before planning', async () => {
    const { status, body } = await ask(caseworker('0101'), 'query($c: CPR = "12-34") { citizen(cpr: $c) { cpr } }');
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/default value of variable "\$c"/) });
    expect(JSON.stringify(body)).not.toContain('12-34');
  });

  it('a token that names citizen with service is refused, even for the citizen\'s own data', async () => {
    const token = await stack.devIdentity!.mint({ role: 'citizen', sub: copenhagener.cpr, purpose: 'self-service' });
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims['roles']).toEqual(['citizen']);
    // Minted with two roles, as a careless identity provider might: no one request can be both.
    const both = await stack.devIdentity!.mint({ role: 'citizen', sub: copenhagener.cpr, purpose: 'self-service', extraRoles: ['service'], scope: 'personal-data:read cases:read' });
    const query = 'query($cpr: CPR!) { citizen(cpr: $cpr) { relations { spouse { birthDate cases { id } } } } }';
    for (const cpr of [copenhagener.cpr, aarhusian.cpr]) {
      const { status, body, text } = await postGraphQL(stack.gateway.url, query, { cpr: formatCpr(cpr) }, { authorization: `Bearer ${both}` });
      expect(status).toBe(403);
      expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/may not name the role citizen together with service/) });
      expect(text).not.toContain('birthDate');
    }
  });

  it('field grants hold inside fragments too', async () => {
    const query = 'query($cpr: CPR!) { ...Q } fragment Q on Query { citizen(cpr: $cpr) { ... on Citizen { rel: relations { spouse { cpr } } } } }';
    const { body } = await ask({ role: 'service', purpose: 'P-3', scope: 'personal-data:read' }, query, { cpr: formatCpr(copenhagener.cpr) });
    expect(body.data).toEqual({ citizen: { rel: null } });
    expect(codes(body.errors)).toEqual(['citizen.rel FORBIDDEN']);
  });

  it('_entities is not part of the gateway\'s graph', async () => {
    const caseId = casesOf(aarhusian, '0751')[0]!.id;
    const { status, body } = await ask(caseworker('0101'), 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Case { title } } }', {
      r: [{ __typename: 'Case', id: caseId }],
    });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('tenancy, by every path', () => {
  it('holds even when the case index answers more widely than the asking municipality', async () => {
    // The same identity provider's keys, so the same tokens are trusted.
    const wide = await startLocalStack({ latencyMs: noLatency, devIdentityDir: stack.idpDir, caseIndex: { ignoreAuthorityContext: true } });
    try {
      const aarhusCase = casesOf(aarhusian, '0751')[0]!;
      const token = `Bearer ${await wide.devIdentity!.mint(caseworker('0101'))}`;
      const byId = await postGraphQL(wide.gateway.url, 'query($id: ID!) { case(id: $id) { number } }', { id: aarhusCase.id }, { authorization: token });
      expect(byId.body.data).toEqual({ case: null });
      expect(codes(byId.body.errors)).toEqual(['case NOT_FOUND']);
      const throughCitizen = await postGraphQL(wide.gateway.url, 'query($cpr: CPR!) { citizen(cpr: $cpr) { cases { number } } }', { cpr: formatCpr(aarhusian.cpr) }, { authorization: token });
      expect(throughCitizen.body.data?.citizen.cases).toEqual([]);
      expect(throughCitizen.text).not.toContain(aarhusCase.number);
    } finally {
      await wide.close();
    }
  });

  it('a caseworker of a municipality this deployment does not serve is refused', async () => {
    const { status, body } = await ask(caseworker('0630'), CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(status).toBe(403);
    expect(body.errors?.[0]?.message).toMatch(/0630 is not served/);
  });

  it('a caseworker token without a municipality is refused', async () => {
    const { status, body } = await ask({ role: 'caseworker', purpose: 'P-27' }, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(status).toBe(403);
    expect(body.errors?.[0]?.message).toMatch(/must name their municipality/);
  });

  it('a direct _entities call to the case subgraph, with a valid gateway token of 0101, gets no Aarhus case or document', async () => {
    const caseUrl = stack.subgraphs.find((s) => s.name === 'case')!.url;
    const signer = await createInternalTokenSigner(stack.internalTokenKeys.privateJwk);
    const aarhusCase = casesOf(aarhusian, '0751')[0]!;
    const entities = async (tenant: string) => {
      const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Case { number title } ... on Document { title } } }';
      const variables = { r: [{ __typename: 'Case', id: aarhusCase.id }, { __typename: 'Document', id: aarhusCase.documentIds[0] }] };
      const token = await signer.sign({
        audience: 'case', requestHash: subgraphRequestHash(query, variables), actor: 'kw', role: 'caseworker', scopes: [], uses: [],
        tenant, purpose: 'P-27', personal: true, requestId: `direct-${tenant}-${Math.random()}`, intent: null, development: false,
      });
      const response = await fetch(caseUrl, { method: 'POST', headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: token }, body: JSON.stringify({ query, variables }) });
      return { status: response.status, text: await response.text() };
    };
    const foreign = await entities('0101');
    expect(foreign.status).toBe(200);
    expect(foreign.text).not.toContain(aarhusCase.number);
    expect(foreign.text).not.toContain(stack.world.documents.get(aarhusCase.documentIds[0]!)!.title);
    expect(JSON.parse(foreign.text).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    // The same call for the owning municipality answers: the refusal is tenancy, not a broken query.
    const own = await entities('0751');
    expect(own.text).toContain(aarhusCase.number);
  });
});
