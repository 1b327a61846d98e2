/** Small helpers for the REST simulators: JSON answers, case-insensitive query parameters, service users. */
import type { SimulatorRequest, SimulatorResponse } from './simulator';

/** A Datafordeler service user (tjenestebruger): sent as the `username` and `password` query parameters. */
export interface ServiceUser {
  username: string;
  password: string;
}

/**
 * The refusal for a call without the service user's credentials, or undefined when they match
 * (or none are asked for). The status is ours: the contracts do not show what Datafordeler
 * answers then, only that it reads these parameters.
 */
export function refusedServiceUser(request: SimulatorRequest, expected: ServiceUser | undefined): SimulatorResponse | undefined {
  if (!expected) return undefined;
  if (queryParam(request.url, 'username') === expected.username && queryParam(request.url, 'password') === expected.password) return undefined;
  return json(401, { code: 'Unauthorized', message: 'username and password do not name a service user' });
}

export function json(status: number, body: unknown): SimulatorResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

/** Datafordeler treats parameter names case-insensitively (`Husnummer` and `husnummer` both work). */
export function queryParam(url: URL, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
