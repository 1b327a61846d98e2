/**
 * Limits that a NAT does not break and a race does not pass. Failed authentications are limited
 * per client address and claimed subject (and in all), checked and taken in one step, on /graphql
 * and the audit API alike: a bad client behind the same address as honest ones (every test here
 * comes from 127.0.0.1) does not lock them out, and no bad token is ever served as anonymous.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devIdentityProvider, type DevIdentityProvider } from '../../gateway/auth/devIdentity';
import { parseGatewayConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let racy: RunningGateway;
let forger: DevIdentityProvider;

beforeAll(async () => {
  // 10 requests a second: a tenth of that, at least 1/s and 10 at once, may fail per address and subject.
  stack = await startAuthedStack({ audit: true, gateway: { rateLimit: { perSecond: 10, burst: 20 } } });
  // Tokens from an identity provider the gateway does not trust: well-formed, wrongly signed.
  forger = await devIdentityProvider(join(stack.dir, 'forger'));
  const idp = stack.devIdentity!;
  racy = await startGateway(
    parseGatewayConfig({
      port: 0,
      auth: { issuer: idp.issuer, audience: idp.audience, jwksPath: idp.jwksPath },
      rateLimit: { perSecond: 100, burst: 200 },
      subgraphUrls: Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.url])),
    }),
    { internalTokenKey: stack.internalTokenKeys.privateJwk },
  );
});
afterAll(async () => {
  await racy?.close();
  await stack?.close();
});

const PUBLIC = '{ address(id: "00000000-0000-0000-0000-000000000000") { id } }';
const forged = (sub: string) => forger.mint({ role: 'caseworker', sub, municipality: '0101', purpose: 'P-27' });
const post = (url: string, token: string, query = PUBLIC, variables?: Record<string, unknown>) => postGraphQL(url, query, variables, { authorization: `Bearer ${token}` });
const auditApi = async (token: string) =>
  (await fetch(stack.gateway.url.replace('/graphql', '/audit/records?tenant=0101'), { headers: { authorization: `Bearer ${token}` } })).status;

describe('failed authentications behind one address', () => {
  it('a bad client is held back; an honest one behind the same address is served, its first token included', async () => {
    const attacker = await forged('attacker');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await post(stack.gateway.url, attacker)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another user behind the same NAT, with a token the gateway has never seen.
    const person = sampleCitizens(stack.world).get('0101')!;
    const honest = await stack.devIdentity!.mint({ role: 'caseworker', sub: 'kw-honest', municipality: '0101', purpose: 'P-27' });
    const answer = await post(stack.gateway.url, honest, 'query($c: CPR!) { citizen(cpr: $c) { name { full } } }', { c: formatCpr(person.cpr) });
    expect(answer.status).toBe(200);
    expect(answer.body.data?.citizen.name.full).toContain(person.familyName);
  });

  it('the audit API is under the same limits: the held-back client is held back there too', async () => {
    expect(await auditApi(await forged('attacker'))).toBe(429);
    const fresh = await forged('attacker-2');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push(await auditApi(fresh));
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    // And an auditor with a good token still reads the trail.
    expect(await auditApi(await stack.devIdentity!.mint({ role: 'auditor', sub: 'auditor-1' }))).toBe(200);
  });
});

describe('check-and-take is one step', () => {
  it('no bad token is ever served as anonymous, however many race (5 rounds of 120)', async () => {
    const started = Date.now();
    let unauthorized = 0;
    for (let round = 0; round < 5; round++) {
      const token = await forged('racer');
      const statuses = await Promise.all(Array.from({ length: 120 }, () => post(racy.url, token).then((r) => r.status)));
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      unauthorized += statuses.filter((s) => s === 401).length;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // At most the burst (20) plus what refilled meanwhile (10 a second) were verified at all.
    const seconds = (Date.now() - started) / 1000;
    expect(unauthorized).toBeLessThanOrEqual(20 + Math.ceil(seconds * 10) + 1);
    expect(unauthorized).toBeGreaterThanOrEqual(20);
  });
});
