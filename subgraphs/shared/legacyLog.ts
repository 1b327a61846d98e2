/**
 * A subgraph's log lines about its legacy systems (runtime/log.ts writes them): one `legacy-call`
 * line per call as it ended, retries included (debug), and one line per circuit-breaker change
 * (warn when it opens, info when it closes again). Told by the same observers metrics are
 * (adapters/core/resilience.ts `onCall`, `onBreakerChange`; the adapters never log), with the
 * same outcome and municipality labels (subgraphs/shared/metrics.ts).
 *
 * Nothing personal: the system, what was asked of it (a SOAP operation, or a REST method and
 * path with its identifiers left out), the kommunekode; never an argument or an answer.
 * Fields: docs/operators.md#logs.
 */
import type { Logger } from '../../runtime/log';
import { municipalityLabel, type LegacyInstruments } from './metrics';

/** Logs one subgraph's legacy calls and breakers until the returned detach is called. */
export function logLegacy(log: Logger, legacy: Pick<LegacyInstruments, 'resilience'>): () => void {
  const lines = log.child({ component: 'legacy' });
  let attached = true;
  const detachCalls = legacy.resilience.onCall((call) => {
    const durationMs = Math.round(call.seconds * 10_000) / 10;
    const municipality = municipalityLabel(call.tenant);
    lines.debug(
      { kind: 'legacy-call', system: call.system, operation: call.operation ?? null, municipality, outcome: call.outcome, attempts: call.attempts, durationMs },
      `${call.system}${call.operation ? ` ${call.operation}` : ''} (${municipality}) ${call.outcome} in ${durationMs} ms`,
    );
  });
  // onBreakerChange cannot be detached: the flag keeps a closed subgraph's breakers quiet.
  legacy.resilience.onBreakerChange(({ system, tenant, state }) => {
    if (!attached) return;
    const fields = { kind: 'breaker', system, municipality: municipalityLabel(tenant), state };
    const message = `circuit breaker for ${system}${tenant ? ` (municipality ${tenant})` : ''} is ${state}`;
    if (state === 'open' || state === 'isolated') lines.warn(fields, message);
    else lines.info(fields, message);
  });
  return () => {
    attached = false;
    detachCalls();
  };
}
