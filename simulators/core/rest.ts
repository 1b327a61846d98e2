/** Small helpers for the REST simulators: JSON answers and case-insensitive query parameters. */
import type { SimulatorResponse } from './simulator';

export function json(status: number, body: unknown): SimulatorResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

/** Datafordeler treats parameter names case-insensitively (`Husnummer` and `husnummer` both work). */
export function queryParam(url: URL, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
