/**
 * What the trail's PostgreSQL server is set to that stalls appends, said once when a gateway opens
 * the trail. An append holds the trail's head row until its commit is on disk, so a commit the
 * server makes slow makes every appender behind it slow, and every answer with personal data waits
 * for its records. Two server settings decided the appends' p99 in `npm run bench:trail` (see
 * docs/operators.md, "The trail's PostgreSQL"): WAL files written whole before use when none can
 * be reused (a small `min_wal_size`), and full-page images uncompressed after each checkpoint
 * (`wal_compression` off), since the subject indexes take entries at random pages.
 */
import type { SqlClient } from './sql';

export interface WalSettings {
  /** `wal_compression`: 'off', 'pglz', 'lz4', 'zstd' (or 'on', an older name for pglz). */
  compression: string;
  /** `min_wal_size`, in megabytes. */
  minWalSizeMb: number;
  /** `wal_init_zero`. */
  initZero: boolean;
}

/** Below this, a trail written at a few thousand records a second outgrows the WAL files kept for reuse within a checkpoint interval. */
export const ADVISED_MIN_WAL_SIZE_MB = 1024;

/** The settings' problems, each a sentence for the operator; none when the server is set as advised. */
export function walAdvice(settings: WalSettings): string[] {
  const advice: string[] = [];
  if (settings.compression === 'off') {
    advice.push(
      "the trail's PostgreSQL has wal_compression = off: after every checkpoint, appends write whole index pages to the WAL (measured 5.5-6.4 KB a record instead of 1.7 KB) and their p99 rose to 118 ms; set wal_compression = lz4 (docs/operators.md, \"The trail's PostgreSQL\")",
    );
  }
  if (settings.minWalSizeMb < ADVISED_MIN_WAL_SIZE_MB && settings.initZero) {
    advice.push(
      `the trail's PostgreSQL has min_wal_size = ${settings.minWalSizeMb}MB: when it keeps no WAL file to reuse it writes a new one whole (16 MB, measured 59-75 ms) while an append waits under the trail's lock; set min_wal_size to at least the WAL of one checkpoint interval (about 1.5 GB at 3,000 records a second; docs/operators.md, "The trail's PostgreSQL")`,
    );
  }
  return advice;
}

/** The server's settings, as pg_settings gives them. */
export async function readWalSettings(db: Pick<SqlClient, 'query'>): Promise<WalSettings> {
  const rows = await db.query<{ name: string; setting: string; unit: string | null }>(
    "select name, setting, unit from pg_settings where name in ('wal_compression', 'min_wal_size', 'wal_init_zero')",
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  const minWal = byName.get('min_wal_size');
  return {
    compression: byName.get('wal_compression')?.setting ?? 'off',
    minWalSizeMb: minWal ? megabytes(Number(minWal.setting), minWal.unit) : 0,
    // Before PostgreSQL 12 there is no such setting, and new WAL files are always zero-filled.
    initZero: (byName.get('wal_init_zero')?.setting ?? 'on') === 'on',
  };
}

function megabytes(value: number, unit: string | null): number {
  switch (unit) {
    case 'MB':
      return value;
    case 'kB':
      return value / 1024;
    case '16MB': // PostgreSQL 9.x counted WAL sizes in segments
      return value * 16;
    default:
      return value;
  }
}
