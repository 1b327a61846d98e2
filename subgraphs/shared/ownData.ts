/**
 * A citizen sees only their own data. The gateway refuses an operation that names anybody
 * else's CPR number; this is the row-level half, in the subgraph that holds the row: a citizen
 * who reaches another person through their own relations (a spouse, a child) sees that person's
 * name and CPR number, as their own CPR record lists them, and nothing more. Caseworkers and services are bound by tenancy and grants instead.
 */
import { GraphQLError } from 'graphql';
import { parseCpr } from '../../schema/scalars';
import type { SubgraphContext } from './subgraphServer';

/**
 * Whether the caller may read the personal data of the person with this CPR number. The gateway
 * sends the one role it decided for the request (the most restrictive the client token names),
 * so a citizen's request is a citizen's, whatever other roles the client token named.
 */
export function mayReadPerson(ctx: SubgraphContext, cpr: string): boolean {
  const { role, actor } = ctx.caller;
  if (role !== 'citizen') return true;
  return actor !== null && parseCpr(actor) === cpr;
}

/** Throws FORBIDDEN when the caller is a citizen asking for `coordinate` of somebody else. */
export function requireOwnData(ctx: SubgraphContext, cpr: string, coordinate: string): void {
  if (mayReadPerson(ctx, cpr)) return;
  throw new GraphQLError(`Not authorized to read ${coordinate} of another person: a citizen sees only their own data.`, { extensions: { code: 'FORBIDDEN' } });
}
