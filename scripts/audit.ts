/**
 * The auditor's command line over the local access trail (.data/audit, the one `npm start` writes;
 * AUDIT_DIR to use another; AUDIT_DATABASE_URL + AUDIT_KEYS [+ AUDIT_SCHEMA] for a PostgreSQL server):
 *
 *   npm run audit -- --subject 010160-1234 | --case CASE-UUID [--actor ID] [--tenant 0101] [--from 2026-11-01] [--to 2026-12-01] [--format json|csv]
 *   npm run audit:verify [-- --checkpoint kept.json] [--min-retention-days 183]
 *   npm run audit:verify -- --from-checkpoint kept.json   only what was added since kept.json, with the consistency proof
 *   npm run audit:checkpoint > kept.json               sign a checkpoint now and print it, for the auditor to keep
 *   npm run audit:purge [-- --default-days 183] [--purpose P-12=3650 …] [--min-retention-days 183]
 *
 * --actor takes a user id as the token gave it, or a CPR number (DDMMYY-SSSS or ten digits): a person
 * acting is recorded under the keyed hash a subject of theirs gets, and searched for under it.
 *
 * Exit codes: 0 done (verify: the trail is intact; its warnings name purges made before purges
 * became checkable, which nothing left can prove or disprove), 1 verify found problems or writes
 * whose intent was recorded and their outcome never was (open intents), 2 the command could not run
 * (bad arguments, or the trail is open in another process: embedded PGlite allows one).
 *
 * Dates are YYYY-MM-DD (midnight UTC) or a time with its offset, 2026-11-01T10:00:00+01:00;
 * --from is inclusive, --to exclusive, both on the record's timeIn. The CSV has one column per field
 * of the JSON record, arrays joined with ';'.
 *
 * The commands themselves are `runAudit` (scripts/auditCommand.ts), which the tests run in process.
 */
import { runAudit } from './auditCommand';

// exitCode rather than process.exit: exiting at once could cut off output still being written to a pipe.
process.exitCode = await runAudit(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
