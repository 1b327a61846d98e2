/** Readers for loosely typed legacy JSON: absent, null, empty or wrongly typed values read as null. */
export type Json = Record<string, unknown>;

/** A non-empty string, or null. */
export const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** A finite number, or null. */
export const int = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** A plain object, or an empty one (so nested reads need no guards). */
export const obj = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
