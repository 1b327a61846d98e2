/**
 * Internal tokens captured on the wire are good for nothing else. A listener between the gateway
 * and its subgraphs (as an attacker on the internal network) keeps every token the gateway sends;
 * each is replayed to every other subgraph, with other queries, and to another replica of the same
 * subgraph (replicas share their replay store in Redis). All are refused, and no legacy system is
 * asked anything on their behalf.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { createInternalTokenVerifier, INTERNAL_TOKEN_HEADER } from '../../runtime/internalToken';
import { redisReplayStore } from '../../runtime/replayStore';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import { startCaseSubgraph } from '../../subgraphs/case';
import { startPropertySubgraph } from '../../subgraphs/property';
import type { RunningSubgraph } from '../../subgraphs/shared/subgraphServer';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { startCapturingProxy, type CapturedRequest, type CapturingProxy } from '../support/capturingProxy';
import { postGraphQL } from '../support/graphql';

const REDIS = 'redis://127.0.0.1:6379';
let stack: AuthedStack;
let gateway: RunningGateway;
let proxies: Map<string, CapturingProxy>;
let replicas: Map<string, RunningSubgraph>;

beforeAll(async () => {
  stack = await startAuthedStack({ replayStoreUrl: REDIS });
  proxies = new Map(await Promise.all(stack.subgraphs.map(async (s) => [s.name, await startCapturingProxy(s.url)] as const)));
  const replica = async (name: 'case' | 'property') => {
    const options = { internalTokens: await createInternalTokenVerifier(stack.internalTokenKeys.publicJwk, { subgraph: name, replay: redisReplayStore(REDIS) }) };
    return name === 'case' ? startCaseSubgraph(stack.legacyConfig, options) : startPropertySubgraph(stack.legacyConfig, options);
  };
  replicas = new Map([['case', await replica('case')], ['property', await replica('property')]]);
  const idp = stack.devIdentity!;
  gateway = await startGateway(
    parseGatewayConfig({
      port: 0,
      auth: { issuer: idp.issuer, audience: idp.audience, jwksPath: idp.jwksPath },
      tenantRegistryPath: stack.tenantRegistryPath,
      subgraphUrls: Object.fromEntries(stack.subgraphs.map((s) => [s.name, proxies.get(s.name)!.url])),
    }),
    { internalTokenKey: stack.internalTokenKeys.privateJwk },
  );
});
afterAll(async () => {
  await gateway?.close();
  for (const r of replicas?.values() ?? []) await r.close();
  for (const p of proxies?.values() ?? []) await p.close();
  await stack?.close();
});

const urlOf = (name: string) => stack.subgraphs.find((s) => s.name === name)!.url;
const replay = async (url: string, captured: CapturedRequest, body = captured.body) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: captured.headers[INTERNAL_TOKEN_HEADER] as string },
    body,
  });
  return { status: response.status, text: await response.text() };
};
const legacyCalls = () => stack.allSimulators().reduce((n, s) => n + s.calls.length, 0);

describe('a token captured from an anonymous address query', () => {
  it('is refused by every other subgraph, with any query, by the same subgraph again, and by its other replica', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const kase = stack.world.cases.get(stack.world.casesByParty.get(person.cpr)![0]!)!;
    const addressId = person.addressId;
    for (const p of proxies.values()) p.captured.length = 0;
    const anonymous = await postGraphQL(gateway.url, 'query($id: ID!) { address(id: $id) { id text } }', { id: addressId });
    expect(anonymous.body.data?.address?.id).toBe(addressId);
    const captured = proxies.get('property')!.captured;
    expect(captured).toHaveLength(1);
    const token = captured[0]!;
    const before = legacyCalls();

    const caseEntities = JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Case { number parties { citizen { cpr } } } } }', variables: { r: [{ __typename: 'Case', id: kase.id }] } });
    const citizenEntities = JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { name { full } birthDate } } }', variables: { r: [{ __typename: 'Citizen', cpr: formatCpr(person.cpr) }] } });
    const attempts = [
      await replay(urlOf('case'), token, caseEntities),
      await replay(urlOf('case'), token),
      await replay(urlOf('citizen'), token, citizenEntities),
      await replay(urlOf('citizen'), token),
      await replay(urlOf('property'), token, JSON.stringify({ query: '{ building(id: "x") { id } }' })),
      await replay(urlOf('property'), token),
      await replay(replicas.get('property')!.url, token),
    ];
    expect(attempts.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    const messages = attempts.map((a) => (JSON.parse(a.text) as { errors: { message: string }[] }).errors[0]!.message);
    expect(messages.slice(0, 4).every((m) => /for another subgraph/.test(m))).toBe(true);
    expect(messages[4]).toMatch(/another request/);
    expect(messages[5]).toMatch(/already used/);
    expect(messages[6]).toMatch(/already used/);
    for (const a of attempts) {
      expect(a.text).not.toContain(kase.number);
      expect(a.text).not.toContain(person.familyName);
    }
    expect(legacyCalls()).toBe(before);
  });
});

describe('a token captured from a caseworker\'s overview', () => {
  it('is refused with another query, and again, on the same replica and on the other', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const bearer = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-captured', municipality: '0101', purpose: 'P-27' });
    for (const p of proxies.values()) p.captured.length = 0;
    const { body } = await postGraphQL(gateway.url, 'query($c: CPR!) { citizen(cpr: $c) { name { full } cases { id title } } }', { c: formatCpr(person.cpr) }, { authorization: `Bearer ${bearer}` });
    expect(body.errors).toBeUndefined();
    const token = proxies.get('case')!.captured[0]!;
    const before = legacyCalls();
    const other = stack.world.persons.get(person.spouseCpr!)!;
    const otherCases = JSON.stringify({
      query: 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { cases { id title } } } }',
      variables: { representations: [{ __typename: 'Citizen', cpr: formatCpr(other.cpr) }] },
    });
    const attempts = [await replay(urlOf('case'), token, otherCases), await replay(urlOf('case'), token), await replay(replicas.get('case')!.url, token)];
    expect(attempts.map((a) => a.status)).toEqual([401, 401, 401]);
    expect(JSON.parse(attempts[0]!.text).errors[0].message).toMatch(/another request/);
    expect(JSON.parse(attempts[1]!.text).errors[0].message).toMatch(/already used/);
    expect(JSON.parse(attempts[2]!.text).errors[0].message).toMatch(/already used/);
    expect(legacyCalls()).toBe(before);
  });
});
