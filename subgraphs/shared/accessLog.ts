/**
 * What personal data a subgraph touched while answering: per data subject (CPR number), the
 * schema coordinates read and the legacy systems asked. Sent back to the gateway in a response
 * extension, which the gateway consolidates into access records and never forwards to clients.
 */
export const ACCESS_EXTENSION = 'legacyAccess';

export interface SubjectAccess {
  /** The data subject's CPR number (ten digits); the gateway keys it before storing anything. */
  subject: string;
  /** Schema coordinates read, e.g. `Citizen.name`. */
  fields: string[];
  /** Legacy systems whose data about the subject was used. */
  systems: string[];
  /** Of those, the ones answered from the registry cache. */
  cached: string[];
}

export class AccessLog {
  private readonly subjects = new Map<string, { fields: Set<string>; systems: Set<string>; cached: Set<string> }>();

  /** Notes that `coordinate` of `subject` was read, from `system`. */
  touched(subject: string, coordinate: string, system: string): void {
    const entry = this.entry(subject);
    entry.fields.add(coordinate);
    entry.systems.add(system);
  }

  /** Notes that what `system` told about `subject` came from the cache. */
  fromCache(subject: string, system: string): void {
    const entry = this.entry(subject);
    entry.systems.add(system);
    entry.cached.add(system);
  }

  /** The report for the response extension, or undefined when nothing personal was touched. */
  report(): SubjectAccess[] | undefined {
    if (this.subjects.size === 0) return undefined;
    return [...this.subjects].map(([subject, { fields, systems, cached }]) => ({
      subject,
      fields: [...fields].sort(),
      systems: [...systems].sort(),
      cached: [...cached].sort(),
    }));
  }

  private entry(subject: string) {
    let entry = this.subjects.get(subject);
    if (!entry) this.subjects.set(subject, (entry = { fields: new Set(), systems: new Set(), cached: new Set() }));
    return entry;
  }
}
