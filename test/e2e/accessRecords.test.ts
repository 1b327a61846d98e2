/**
 * Every overview query leaves exactly the right access records in the trail: one per data
 * subject, with exactly the fields read, the systems asked and which of them answered from cache;
 * a field refused to the caller is named in the records; a refused request and a search for a
 * case leave records too. On the embedded store and on the PostgreSQL server alike.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criterionText, postgresClient, subjectHash, type AccessRecord, type AuditTrail } from '../../audit';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { freshPglite } from '../support/auditFixtures';
import { postGraphQL } from '../support/graphql';

const stores = [
  { name: 'embedded PGlite', open: () => freshPglite() },
  { name: 'PostgreSQL server', open: () => postgresClient('postgres://postgres@127.0.0.1:5432/test', `audit_records_${randomBytes(4).toString('hex')}`) },
];

describe.each(stores)('access records of the overview, on $name', ({ open }) => {
  let stack: AuthedStack;
  let trail: AuditTrail;
  const subjectKey = randomBytes(32);
  /** While set, the store fails every statement, as a full disk or a lost server would. */
  let storeFails = false;

  beforeAll(async () => {
    const db = await open();
    const failing = <T>(work: () => Promise<T>) => (storeFails ? Promise.reject(new Error('the store is failing')) : work());
    stack = await startAuthedStack({
      audit: {
        db: { ...db, singleWriter: db.singleWriter, query: (sql, params) => failing(() => db.query(sql, params)), transaction: (work) => failing(() => db.transaction(work)), close: () => db.close() },
        subjectKey,
      },
    });
    trail = stack.trail!;
  });
  afterAll(() => stack?.close());

  const overview = async (person: Person, token: string) => {
    const before = (await trail.verify()).records;
    const response = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) }, { authorization: `Bearer ${token}` });
    // Records are committed before the answer leaves: they are there as soon as it arrives.
    const all = await trail.find({});
    return { response, records: all.slice(before) };
  };
  const hash = (cpr: string) => subjectHash(subjectKey, cpr);
  const bySubject = (records: readonly AccessRecord[]) => new Map(records.map((r) => [r.subject, r]));

  /** What the overview of `person`, seen by a caseworker of `tenant`, reads of whom. */
  const expectedFields = (person: Person, tenant: string, { partyIdentities }: { partyIdentities: boolean }) => {
    const fields = new Map<string, Set<string>>();
    const add = (cpr: string, ...coordinates: string[]) => {
      if (!fields.has(cpr)) fields.set(cpr, new Set());
      for (const c of coordinates) fields.get(cpr)!.add(c);
    };
    add(person.cpr, 'Query.citizen', 'Citizen.name', 'Citizen.birthDate', 'Citizen.address', 'Citizen.relations', 'Citizen.cases');
    // Naming a relative discloses their CPR number: recorded at the relation that named them.
    add(person.spouseCpr!, 'Relations.spouse', 'Citizen.name');
    for (const child of person.childCprs) add(child, 'Relations.children', 'Citizen.name');
    const cases = stack.world.casesByParty.get(person.cpr)!.map((id) => stack.world.cases.get(id)!).filter((c) => c.municipalityCode === tenant);
    for (const c of cases) {
      for (const party of c.parties) {
        add(party.cpr, 'Case.number', 'Case.title', 'Case.status', 'Case.classification', 'Case.documents', 'Case.parties');
        if (c.documentIds.length > 0) add(party.cpr, 'Document.title', 'Document.date');
        if (partyIdentities) add(party.cpr, 'Citizen.name');
      }
    }
    return { fields, cases };
  };
  const expectedSystems = (person: Person, fields: ReadonlySet<string>, cpr: string) =>
    [
      ...(cpr === person.cpr || fields.has('Citizen.name') ? ['cpr'] : []),
      ...(fields.has('Citizen.address') ? ['dar'] : []),
      ...([...fields].some((f) => f.startsWith('Case.') || f.startsWith('Document.') || f === 'Citizen.cases') ? ['case-index'] : []),
    ].sort();

  it('a caseworker\'s overview: one record per subject, exactly the fields and systems, none from cache the first time', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const token = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-exact', municipality: '0101', purpose: 'P-27 Sygedagpenge' });
    const { response, records } = await overview(person, token);
    expect(response.body.errors).toBeUndefined();
    const { fields } = expectedFields(person, '0101', { partyIdentities: true });
    const found = bySubject(records);
    expect(new Set(found.keys())).toEqual(new Set([...fields.keys()].map(hash)));
    for (const [cpr, expected] of fields) {
      const record = found.get(hash(cpr))!;
      expect(record.fields, `fields of ${cpr === person.cpr ? 'the citizen' : 'a related person'}`).toEqual([...expected].sort());
      expect(record.systems).toEqual(expectedSystems(person, expected, cpr));
      expect(record).toMatchObject({
        subjectType: 'person',
        cached: [],
        denied: [],
        outcome: 'ok',
        typeOfUse: 'read',
        actor: 'kw-exact',
        roles: ['caseworker'],
        tenant: '0101',
        tenantCvr: stack.world.municipalities.find((m) => m.code === '0101')!.cvr,
        purpose: 'P-27 Sygedagpenge',
        operationName: 'CitizenOverview',
      });
    }
    // Nothing of the records reaches the client.
    expect(response.text).not.toContain('legacyAccess');
    expect(response.body).not.toHaveProperty('extensions');
  });

  it('the same overview again: the same records, the address now served from cache and recorded as such', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const token = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-exact', municipality: '0101', purpose: 'P-27 Sygedagpenge' });
    stack.simulators.dar.resetCalls();
    const { records } = await overview(person, token);
    expect(stack.simulators.dar.calls).toHaveLength(0);
    const { fields } = expectedFields(person, '0101', { partyIdentities: true });
    expect(records).toHaveLength(fields.size);
    const own = bySubject(records).get(hash(person.cpr))!;
    expect(own.fields).toContain('Citizen.address');
    expect(own.systems).toContain('dar');
    expect(own.cached).toEqual(['dar']);
    for (const r of records) if (r.subject !== own.subject) expect(r.cached).toEqual([]);
  });

  it('a citizen\'s own overview: who the other parties are is refused, named in every record, and not read', async () => {
    const person = sampleCitizens(stack.world).get('0751')!;
    const token = await stack.devIdentity!.mint({ role: 'citizen', sub: person.cpr, purpose: 'borger.dk: mit overblik' });
    const { response, records } = await overview(person, token);
    const data = response.body.data?.citizen;
    expect(data.name.full).toBeTruthy();
    const parties = (data.cases as { parties: { role: string; citizen: unknown }[] }[]).flatMap((c) => c.parties);
    expect(parties.length).toBeGreaterThan(0);
    for (const party of parties) expect(party.citizen).toBeNull();
    const refusals = response.body.errors ?? [];
    expect(refusals).toHaveLength(parties.length);
    for (const error of refusals) {
      expect(error.extensions?.['code']).toBe('FORBIDDEN');
      expect(error.path).toEqual(['citizen', 'cases', expect.any(Number), 'parties', expect.any(Number), 'citizen']);
      expect(error.message).toMatch(/CaseParty\.citizen.*the role caseworker or the scope cases:read/);
    }
    // A citizen has no municipality: the index is asked nationally, so every case of theirs is listed.
    const { fields } = expectedFields(person, person.municipalityCode, { partyIdentities: false });
    const allCases = stack.world.casesByParty.get(person.cpr)!.map((id) => stack.world.cases.get(id)!);
    expect(data.cases).toHaveLength(allCases.length);
    for (const c of allCases) for (const p of c.parties) {
      if (!fields.has(p.cpr)) fields.set(p.cpr, new Set());
      for (const f of ['Case.number', 'Case.title', 'Case.status', 'Case.classification', 'Case.documents', 'Case.parties', ...(c.documentIds.length ? ['Document.title', 'Document.date'] : [])]) fields.get(p.cpr)!.add(f);
    }
    const found = bySubject(records);
    expect(new Set(found.keys())).toEqual(new Set([...fields.keys()].map(hash)));
    for (const [cpr, expected] of fields) {
      expect(found.get(hash(cpr))!.fields).toEqual([...expected].sort());
      expect(found.get(hash(cpr))).toMatchObject({ denied: ['CaseParty.citizen'], outcome: 'partial', actor: hash(person.cpr), actorType: 'person', role: 'citizen', roles: ['citizen'], tenant: null });
      // The trail keeps no CPR number in clear: the actor is the keyed hash, like the subject.
      expect(JSON.stringify(found.get(hash(cpr)))).not.toContain(person.cpr);
    }
  });

  it('a service without the scope for cases: the cases are refused and recorded as refused', async () => {
    const person = sampleCitizens(stack.world).get('0461')!;
    const token = await stack.devIdentity!.mint({ role: 'service', sub: 'ydelse-batch', purpose: 'P-3', scope: 'personal-data:read cpr:relations' });
    const { response, records } = await overview(person, token);
    expect(response.body.data?.citizen.cases).toBeNull();
    expect(response.body.data?.citizen.relations.spouse.cpr).toBe(formatCpr(person.spouseCpr!));
    expect(response.body.errors).toEqual([expect.objectContaining({ path: ['citizen', 'cases'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    // No case was read, so nobody but the citizen and their family was touched.
    expect(new Set(records.map((r) => r.subject))).toEqual(new Set([person.cpr, person.spouseCpr!, ...person.childCprs].map(hash)));
    for (const r of records) expect(r).toMatchObject({ denied: ['Citizen.cases'], outcome: 'partial' });
    expect(bySubject(records).get(hash(person.cpr))!.fields).not.toContain('Citizen.cases');
  });

  it('a refused request is recorded as denied, with what it asked for', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const token = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-no-purpose', municipality: '0101' });
    const { response, records } = await overview(person, token);
    expect(response.status).toBe(403);
    expect(records).toEqual([expect.objectContaining({ subject: hash(person.cpr), subjectType: 'person', outcome: 'denied', fields: ['Query.citizen'], denied: ['Query.citizen'], systems: [] })]);
  });

  it('a case looked up by id is recorded for every party and under the id it was asked by; a citizen is refused it', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const caseId = stack.world.casesByParty.get(person.cpr)!.find((id) => stack.world.cases.get(id)!.municipalityCode === '0101')!;
    const worldCase = stack.world.cases.get(caseId)!;
    const query = 'query OneCase($id: ID!) { case(id: $id) { number title } }';
    const before = (await trail.verify()).records;
    const caseworker = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-case', municipality: '0101', purpose: 'P-27' });
    const granted = await postGraphQL(stack.gateway.url, query, { id: caseId }, { authorization: `Bearer ${caseworker}` });
    expect(granted.body.data?.case.number).toBe(worldCase.number);
    const criterion = subjectHash(subjectKey, criterionText({ coordinate: 'Query.case', argument: 'id', value: caseId }));
    const grantedRecords = (await trail.find({})).slice(before);
    expect(new Set(grantedRecords.map((r) => r.subject))).toEqual(new Set([...worldCase.parties.map((p) => hash(p.cpr)), criterion]));
    expect(grantedRecords.find((r) => r.subject === criterion)).toMatchObject({ subjectType: 'criterion', fields: ['Query.case'], outcome: 'ok' });
    for (const p of worldCase.parties) expect(grantedRecords.find((r) => r.subject === hash(p.cpr))!.fields).toEqual(['Case.number', 'Case.title']);

    const citizen = await stack.devIdentity!.mint({ role: 'citizen', sub: person.cpr, purpose: 'self-service' });
    const middle = (await trail.verify()).records;
    const refused = await postGraphQL(stack.gateway.url, query, { id: caseId }, { authorization: `Bearer ${citizen}` });
    expect(refused.body.data).toEqual({ case: null });
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(refused.text).not.toContain(worldCase.number);
    expect((await trail.find({})).slice(middle)).toEqual([expect.objectContaining({ subject: criterion, subjectType: 'criterion', outcome: 'denied', denied: ['Query.case'], actor: hash(person.cpr), actorType: 'person' })]);

    // An auditor asks who looked this case up, by its id.
    const auditor = await stack.devIdentity!.mint({ role: 'auditor' });
    const answer = await fetch(stack.gateway.url.replace('/graphql', `/audit/records?case=${caseId}`), { headers: { authorization: `Bearer ${auditor}` } });
    const { records: lookups } = (await answer.json()) as { records: AccessRecord[] };
    expect(lookups.map((r) => [r.actor, r.outcome])).toEqual([['kw-case', 'ok'], [hash(person.cpr), 'denied']]);
  });

  it('while the store fails, no personal data leaves, public data still does, and service resumes', async () => {
    const person = sampleCitizens(stack.world).get('0461')!;
    const address = [...stack.world.addresses.values()][1]!;
    const token = await stack.devIdentity!.mint({ role: 'caseworker', municipality: '0461', purpose: 'P-27' });
    const mixed = 'query($cpr: CPR!, $id: ID!) { citizen(cpr: $cpr) { name { full } } address(id: $id) { text } }';
    const ask = () => postGraphQL(stack.gateway.url, mixed, { cpr: formatCpr(person.cpr), id: address.id }, { authorization: `Bearer ${token}` });
    storeFails = true;
    try {
      const { body, text } = await ask();
      expect(body.data).toEqual({ citizen: null, address: { text: address.text } });
      expect(body.errors).toEqual([expect.objectContaining({ path: ['citizen'], extensions: { code: 'AUDIT_UNAVAILABLE' } })]);
      expect(text).not.toContain(person.familyName);
    } finally {
      storeFails = false;
    }
    const resumed = await ask();
    expect(resumed.body.errors).toBeUndefined();
    expect(resumed.body.data?.citizen.name.full).toContain(person.familyName);
    expect((await trail.verify()).ok).toBe(true);
  });
});
