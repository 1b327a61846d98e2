/**
 * What an unexpected error may say in a log: its class and a message with anything shaped like
 * a CPR number masked and markup cut off. No stack traces, no payloads.
 */
const CPR_LIKE = /\b\d{6}-?\d{4}\b/g;

export function describeForLog(error: unknown): string {
  const original = (error as { originalError?: unknown } | undefined)?.originalError ?? error;
  const name = original instanceof Error ? original.name : typeof original;
  const message = original instanceof Error ? original.message : String(original);
  const safe = message.replace(CPR_LIKE, '[cpr]').split('<')[0]!.slice(0, 200);
  return `${name}: ${safe}`;
}
