/**
 * The audit API over real HTTP: paged with a maximum page size, every bad parameter refused with
 * 400 naming it, no whole-trail dump, every auditor's read of the trail itself recorded, and a
 * citizen's own view that names the organisation of every read made under another role.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, subjectHash, type AccessRecord, type AuditTrail } from '../../audit';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import type { Person } from '../../simulators/data/world';
import { noLatency, postGraphQL } from '../support/graphql';
import { freshPglite } from '../support/auditFixtures';

let stack: LocalStack;
let trail: AuditTrail;
let dir: string;
let person: Person;
const subjectKey = randomBytes(32);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-api-'));
  trail = await createAuditTrail({ db: await freshPglite(), signingKey: await generateInternalTokenKeys() });
  stack = await startLocalStack({ latencyMs: noLatency, devIdentityDir: dir, audit: { trail, subjectKey } });
  person = sampleCitizens(stack.world).get('0461')!;
  // Five caseworker reads of the same citizen, then one by the citizen themselves.
  const caseworker = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-odense', municipality: '0461', purpose: 'P-27' });
  for (let i = 0; i < 5; i++) {
    const { body } = await postGraphQL(stack.gateway.url, 'query($c: CPR!) { citizen(cpr: $c) { name { full } } }', { c: formatCpr(person.cpr) }, { authorization: `Bearer ${caseworker}` });
    expect(body.errors).toBeUndefined();
  }
  const self = await stack.devIdentity!.mint({ role: 'citizen', sub: person.cpr, purpose: 'self-service' });
  expect((await postGraphQL(stack.gateway.url, 'query($c: CPR!) { citizen(cpr: $c) { name { full } } }', { c: formatCpr(person.cpr) }, { authorization: `Bearer ${self}` })).body.errors).toBeUndefined();
});
afterAll(async () => {
  await stack?.close();
  await trail?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string, token: string) => {
  const response = await fetch(stack.gateway.url.replace('/graphql', path), { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as { records?: AccessRecord[]; next?: string | null; accesses?: { organisation: string }[]; errors?: { message: string; extensions: { code: string } }[] } };
};
const auditor = (sub = 'auditor-1') => stack.devIdentity!.mint({ role: 'auditor', sub });

describe('GET /audit/records', () => {
  it('pages: every record once, oldest first, with `next` until the last page', async () => {
    const token = await auditor();
    const seen: AccessRecord[] = [];
    let after: string | null | undefined;
    let pages = 0;
    do {
      const { status, body } = await get(`/audit/records?subject=${formatCpr(person.cpr)}&limit=2${after ? `&after=${after}` : ''}`, token);
      expect(status).toBe(200);
      expect(body.records!.length).toBeLessThanOrEqual(2);
      seen.push(...body.records!);
      after = body.next;
      pages++;
    } while (after);
    const reads = seen.filter((r) => r.typeOfUse === 'read');
    expect(reads).toHaveLength(6);
    expect(new Set(seen.map((r) => r.eventId)).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.map((r) => r.timeIn)).toEqual([...seen.map((r) => r.timeIn)].sort());
  });

  it('refuses, with 400 naming it, a parameter that is malformed, unknown, repeated, or a page too large; and a read with no criterion', async () => {
    const token = await auditor();
    const cases: [string, RegExp][] = [
      [`/audit/records?subject=${formatCpr(person.cpr)}&from=garbage`, /^from must be a date/],
      [`/audit/records?subject=${formatCpr(person.cpr)}&to=2026-13-01`, /^to must be a date/],
      ['/audit/records?subject=12345', /^subject must be a CPR number/],
      [`/audit/records?subject=${formatCpr(person.cpr)}&limit=1001`, /^limit must be a whole number from 1 to 1000/],
      [`/audit/records?subject=${formatCpr(person.cpr)}&limit=0`, /^limit must be a whole number/],
      [`/audit/records?subject=${formatCpr(person.cpr)}&after=not-a-cursor`, /^after must be the `next` of a previous page/],
      [`/audit/records?subject=${formatCpr(person.cpr)}&sort=desc`, /^sort is not a parameter of \/audit\/records/],
      ['/audit/records?tenant=0461&tenant=0101', /^tenant is given more than once/],
      ['/audit/records?tenant=461', /^tenant must be a four-digit municipality code/],
      ['/audit/records', /^give at least one of subject, case, actor, tenant, from or to/],
    ];
    for (const [path, message] of cases) {
      const { status, body } = await get(path, token);
      expect(status, path).toBe(400);
      expect(body.errors?.[0]?.extensions.code, path).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message, path).toMatch(message);
      expect(body.records, path).toBeUndefined();
    }
  });

  it('records every auditor\'s read of the trail, under the person looked up, as type of use audit', async () => {
    const token = await auditor('auditor-recorded');
    expect((await get(`/audit/records?subject=${formatCpr(person.cpr)}&limit=1`, token)).status).toBe(200);
    const reads = await trail.find({ actor: 'auditor-recorded' });
    expect(reads).toEqual([
      expect.objectContaining({ typeOfUse: 'audit', subject: subjectHash(subjectKey, person.cpr), subjectType: 'person', role: 'auditor', outcome: 'ok', fields: ['AuditTrail.records'] }),
    ]);
    // A read by actor or tenant is recorded too, under what was filtered on.
    expect((await get('/audit/records?tenant=0461&limit=1', token)).status).toBe(200);
    expect((await trail.find({ actor: 'auditor-recorded' })).map((r) => r.subjectType)).toEqual(['person', 'criterion']);
  });

  it('finds the reads of a person acting under their CPR number by that number, never stored in clear', async () => {
    const { status, body } = await get(`/audit/records?actor=${formatCpr(person.cpr)}`, await auditor());
    expect(status).toBe(200);
    expect(body.records!.length).toBeGreaterThan(0);
    for (const r of body.records!) expect(r).toMatchObject({ actor: subjectHash(subjectKey, person.cpr), actorType: 'person', role: 'citizen' });
    expect(JSON.stringify(body)).not.toContain(person.cpr);
  });
});

describe('GET /audit/me', () => {
  it('says "Dig selv" only for the citizen\'s own reads, and names the municipality for the caseworker\'s', async () => {
    const { status, body } = await get('/audit/me', await stack.devIdentity!.mint({ role: 'citizen', sub: person.cpr }));
    expect(status).toBe(200);
    const organisations = body.accesses!.map((a) => a.organisation);
    expect(organisations.filter((o) => o === 'Dig selv')).toHaveLength(1);
    expect(organisations.filter((o) => o === 'Odense Kommune')).toHaveLength(5);
  });

  it('does not call a read "Dig selv" when it was made under another role by a token whose subject is the same number', async () => {
    const service = await stack.devIdentity!.mint({ role: 'service', sub: person.cpr, purpose: 'P-3', scope: 'personal-data:read' });
    expect((await postGraphQL(stack.gateway.url, 'query($c: CPR!) { citizen(cpr: $c) { name { full } } }', { c: formatCpr(person.cpr) }, { authorization: `Bearer ${service}` })).body.errors).toBeUndefined();
    const { body } = await get('/audit/me', await stack.devIdentity!.mint({ role: 'citizen', sub: person.cpr }));
    const organisations = body.accesses!.map((a) => a.organisation);
    expect(organisations.filter((o) => o === 'Dig selv')).toHaveLength(1);
    expect(organisations).toContain('Offentlig myndighed');
  });
});
