/**
 * `npm run bench:trail:verify [-- RECORDS]`: how long `verify` takes over an embedded trail of
 * RECORDS access records (default 20,000), written as the gateway writes them: one `record()` of 8
 * per request, a checkpoint signed every 100. Prints progress while it writes, then one line of
 * figures. In-memory PGlite, so the figure is the trail's own work, not the disk's.
 */
import { randomBytes } from 'node:crypto';
import { createAuditTrail, pgliteClient, toAccessRecords } from '../audit';
import { generateInternalTokenKeys } from '../runtime/internalToken';

const count = Number(process.argv[2] ?? 20_000);
if (!Number.isInteger(count) || count < 8) {
  console.error('usage: npm run bench:trail:verify [-- RECORDS (a whole number, at least 8)]');
  process.exit(2);
}
const subjectKey = randomBytes(32);
const trail = await createAuditTrail({ db: await pgliteClient(), signingKey: await generateInternalTokenKeys(), checkpointEvery: 100 });
const timeIn = new Date();
const requests = Math.floor(count / 8);
const started = performance.now();
for (let request = 0; request < requests; request++) {
  const subjects = Array.from({ length: 8 }, (_, j) => `07${String(request * 8 + j).padStart(8, '0')}`);
  const records = subjects.flatMap((cpr, j) =>
    toAccessRecords(
      {
        requestId: `bench-${request}-${j}`,
        timeIn,
        identity: { actor: 'caseworker-1', roles: ['caseworker'], tenant: '0101', purpose: 'P-1' },
        operationName: 'CitizenOverview',
        outcome: 'ok',
        subjects: new Map([[cpr, { fields: new Set(['Citizen.name']), systems: new Set(['cpr']) }]]),
      },
      subjectKey,
      new Date(timeIn.getTime() + 40),
    ),
  );
  await trail.record(records);
  // Checkpoints are signed in the background; let each finish, as a quiet gateway would.
  if (request % 10 === 9) await trail.settled();
  if (request % 1_250 === 1_249) process.stderr.write(`written ${(request + 1) * 8} of ${requests * 8} records (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
await trail.settled();
const verifyStarted = performance.now();
const report = await trail.verify();
const verifyMs = performance.now() - verifyStarted;
console.log(`verify: ${report.records} records, ${report.checkpoints} checkpoints, ${report.ok ? 'intact' : 'NOT intact'}, ${verifyMs.toFixed(0)} ms (${((verifyMs / report.records) * 1000).toFixed(1)} µs a record)`);
await trail.close();
process.exitCode = report.ok ? 0 : 1;
