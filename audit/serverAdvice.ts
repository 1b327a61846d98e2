/**
 * What the trail's PostgreSQL server is set to that stalls appends, said once when a gateway opens
 * the trail. An append holds the trail's head row until its commit is on disk, so a commit the
 * server makes slow makes every appender behind it slow, and every answer with personal data waits
 * for its records. In `npm run bench:trail` (docs/operators.md, "The trail's PostgreSQL"), the
 * slowest appends were those during which the server wrote a new WAL file whole before using it,
 * which it does when it keeps none to reuse: a `min_wal_size` too small for the trail's WAL.
 */
import type { SqlClient } from './sql';

export interface WalSettings {
  /** `min_wal_size`, in megabytes; undefined when the server does not say. */
  minWalSizeMb: number | undefined;
  /** `wal_init_zero`: new WAL files are written whole (zeros) before use. */
  initZero: boolean;
}

/** About the WAL of one 5-minute checkpoint interval at 3,000 records a second (1.7 KB a record). */
export const ADVISED_MIN_WAL_SIZE_MB = 1536;

/** The settings' problems, each a sentence for the operator; none when the server is set as advised, or does not say. */
export function walAdvice(settings: WalSettings): string[] {
  if (settings.minWalSizeMb === undefined || settings.minWalSizeMb >= ADVISED_MIN_WAL_SIZE_MB || !settings.initZero) return [];
  return [
    `the trail's PostgreSQL has min_wal_size = ${settings.minWalSizeMb}MB: when it keeps no WAL file to reuse it writes a new one whole (16 MB, measured 59-75 ms) while an append waits under the trail's lock; set min_wal_size to at least the WAL of one checkpoint interval (about 1.5 GB at 3,000 records a second; docs/operators.md, "The trail's PostgreSQL")`,
  ];
}

/** The server's settings, as pg_settings gives them. */
export async function readWalSettings(db: Pick<SqlClient, 'query'>): Promise<WalSettings> {
  const rows = await db.query<{ name: string; setting: string; unit: string | null }>(
    "select name, setting, unit from pg_settings where name in ('min_wal_size', 'wal_init_zero')",
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  const minWal = byName.get('min_wal_size');
  return {
    minWalSizeMb: minWal ? megabytes(Number(minWal.setting), minWal.unit) : undefined,
    // Before PostgreSQL 12 there is no such setting, and new WAL files are always zero-filled.
    initZero: (byName.get('wal_init_zero')?.setting ?? 'on') === 'on',
  };
}

function megabytes(value: number, unit: string | null): number {
  switch (unit) {
    case 'kB':
      return value / 1024;
    case '16MB': // PostgreSQL 9.x counted WAL sizes in segments
      return value * 16;
    default:
      return value;
  }
}
