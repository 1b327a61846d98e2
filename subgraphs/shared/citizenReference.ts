/**
 * A Citizen entity representation as the gateway sends it: `_entities` arguments are `_Any`, so
 * the CPR scalar is not applied and the number arrives as serialized (DDMMYY-SSSS). Every
 * subgraph turns it back into the ten digits its adapters use, here and only here.
 */
import { GraphQLError } from 'graphql';
import { parseCpr } from '../../schema/scalars';

export function citizenReference<T extends { cpr: string }>(representation: T): T {
  const cpr = typeof representation.cpr === 'string' ? parseCpr(representation.cpr) : undefined;
  if (!cpr) throw new GraphQLError('Citizen representation without a valid CPR number', { extensions: { code: 'BAD_USER_INPUT' } });
  return { ...representation, cpr };
}
