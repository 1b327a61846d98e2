/**
 * A whole stack in a child process that records every access to a trail, for tests that kill
 * it: embedded in AUDIT_PGLITE_DIR, or on the server at AUDIT_PG_URL in AUDIT_PG_SCHEMA.
 * Env also: AUDIT_SUBJECT_KEY (hex), AUDIT_SIGNING_KEY (JSON). Prints "ready <gateway url>" when it answers.
 */
import { createAuditTrail, pgliteClient, postgresClient } from '../../audit';
import { startLocalStack } from '../../scripts/localStack';

const trail = await createAuditTrail({
  db: process.env['AUDIT_PGLITE_DIR']
    ? await pgliteClient(process.env['AUDIT_PGLITE_DIR'])
    : await postgresClient(process.env['AUDIT_PG_URL']!, process.env['AUDIT_PG_SCHEMA']!),
  signingKey: JSON.parse(process.env['AUDIT_SIGNING_KEY']!) as Parameters<typeof createAuditTrail>[0]['signingKey'],
  checkpointEvery: 25,
});
const stack = await startLocalStack({
  latencyMs: { cpr: 5, 'case-index': 5, esdh: 5, bbr: 5, dar: 5, kle: 5 },
  audit: { trail, subjectKey: Buffer.from(process.env['AUDIT_SUBJECT_KEY']!, 'hex') },
});
console.log(`ready ${stack.gateway.url}`);
