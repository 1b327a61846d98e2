/**
 * No intent, no write: with a store that answers health checks (`select 1`) but fails every
 * insert — the trail looks up and cannot record — no write reaches the ESDH, the trail holds
 * nothing, and reads of personal data are withheld. When inserts work again, so does the graph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditTrail, SqlClient } from '../../audit';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import type { Case, Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { freshPglite } from '../support/auditFixtures';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let trail: AuditTrail;
let person: Person;
let openCase: Case;
let insertsFail = false;

/** A store that answers everything but refuses to append records (a direct insert or the audit_append function that inserts them) while `insertsFail`. */
function withFailingInserts(db: SqlClient): SqlClient {
  const guard = (sql: string) => {
    if (insertsFail && /\binsert into audit_records\b|\baudit_append\s*\(/i.test(sql)) throw new Error('disk full (simulated): insert refused');
  };
  return {
    ...db,
    query: (sql, params) => (guard(sql), db.query(sql, params)),
    transaction: (work) => db.transaction((tx) => work({ query: (sql, params) => (guard(sql), tx.query(sql, params)) })),
  };
}

beforeAll(async () => {
  stack = await startAuthedStack({ audit: { db: withFailingInserts(await freshPglite()) } });
  trail = stack.trail!;
  person = sampleCitizens(stack.world).get('0101')!;
  openCase = stack.world.casesByParty.get(person.cpr)!.map((id) => stack.world.cases.get(id)!).find((c) => c.municipalityCode === '0101' && c.status !== 'Afsluttet')!;
});
afterAll(() => stack?.close());

const caseworker = async () => stack.bearer(await stack.mint.caseworker('0101', { purpose: 'P-32' }));
const FILE = 'mutation($input: FileDocumentInput!) { fileDocument(input: $input) { id title } }';
const esdh = () => stack.simulators.esdh.get('0101')!;

describe('a store that answers health checks but fails inserts', () => {
  it('is reachable, and yet no document is filed: AUDIT_UNAVAILABLE, the ESDH never asked, nothing on the trail', async () => {
    insertsFail = true;
    try {
      expect(await trail.reachable()).toBe(true);
      const before = esdh().callsTo('journaliser').length;
      const { status, body } = await postGraphQL(stack.gateway.url, FILE, { input: { caseId: openCase.id, title: 'Lægeerklæring', kind: 'INCOMING' } }, await caseworker());
      expect(status).toBe(503);
      expect(body.errors?.[0]?.extensions?.['code']).toBe('AUDIT_UNAVAILABLE');
      expect(esdh().callsTo('journaliser').length).toBe(before);
      expect(await trail.find({ actor: 'kw-0101' })).toEqual([]);
    } finally {
      insertsFail = false;
    }
  });

  it('withholds a read of personal data while inserts fail', async () => {
    insertsFail = true;
    try {
      const { body, text } = await postGraphQL(stack.gateway.url, 'query($c: CPR!) { citizen(cpr: $c) { name { full } } }', { c: formatCpr(person.cpr) }, await caseworker());
      expect(body.data?.citizen ?? null).toBeNull();
      expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['AUDIT_UNAVAILABLE']);
      expect(text).not.toContain(person.familyName);
    } finally {
      insertsFail = false;
    }
  });

  it('files the document once inserts work again, intent first', async () => {
    const { body } = await postGraphQL(stack.gateway.url, FILE, { input: { caseId: openCase.id, title: 'Lægeerklæring', kind: 'INCOMING' } }, await caseworker());
    expect(body.errors).toBeUndefined();
    const records = await trail.find({ actor: 'kw-0101' });
    const outcomes = [...new Set(records.map((r) => r.outcome))];
    expect(outcomes).toEqual(['intent', 'ok']);
    const report = await trail.verify();
    expect(report.ok).toBe(true);
  });
});
