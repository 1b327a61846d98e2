/** Calendar arithmetic for the seeded world's dates (ISO calendar dates, no time zone). */

/** The ISO date `days` after (or before, negative) `isoDate`. */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** A month or day number written with two digits. */
export function pad(n: number): string {
  return String(n).padStart(2, '0');
}
