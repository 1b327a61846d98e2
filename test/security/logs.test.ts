/**
 * Failing paths log what operators need, and never a CPR number, raw XML or a stack trace:
 * every line the gateway, subgraphs and adapters write (runtime/log.ts, captured by the suite's
 * log witness, test/support/logWitness.ts) is read while a seeded CPR number is driven through
 * every failure we can provoke. And every request, subgraph call and legacy call has its line,
 * with the fields docs/operators.md#logs promises and nothing personal.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { FaultMode } from '../../simulators/core/simulator';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { noLatency, postGraphQL } from '../support/graphql';
import { leakingLines } from '../support/logLeaks';
import { linesSince, logMark, rawLines, type LogLine } from '../support/logs';

let stack: LocalStack;
let from = 0;

beforeAll(async () => {
  from = logMark();
  stack = await startLocalStack({ latencyMs: noLatency, legacy: { timeoutMs: 200, resilience: { maxRetries: 0 } }, gateway: { requestBudgetMs: 600 } });
});
afterAll(async () => {
  await stack.close();
});

describe('logs on failing paths', () => {
  it('carry no CPR number, no XML and no stack trace', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const variables = { cpr: formatCpr(person.cpr) };
    const modes: FaultMode[] = ['malformed', 'fault', 'http500', 'hang', 'down'];
    for (const simulator of stack.allSimulators()) {
      for (const mode of modes) {
        simulator.setFault(mode);
        await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, variables);
        simulator.setFault('none');
      }
    }
    await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: `${person.cpr.slice(0, 6)}-99999` });
    await postGraphQL(stack.gateway.url, `{ citizen(cpr: "${formatCpr(person.cpr)}") { \u0000 } }`);
    await stack.subgraphs.find((s) => s.name === 'case')!.close();
    await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, variables);

    const all = rawLines().slice(from).join('\n');
    const lines = linesSince(from);
    // The subgraph that is down is reported, by name, in the message and in a field.
    const outage = lines.filter((l) => l['code'] === 'SUBGRAPH_UNAVAILABLE');
    expect(outage.length).toBeGreaterThan(0);
    for (const line of outage) expect(line).toMatchObject({ level: 'warn', service: 'gateway', subgraph: 'case', msg: expect.stringMatching(/^SUBGRAPH_UNAVAILABLE from subgraph case: /) });
    expect(outage.some((l) => l.msg.includes('TypeError: fetch failed'))).toBe(true);
    // And so are breakers opening, by the subgraph whose breaker it is.
    expect(lines.some((l) => l.kind === 'breaker' && l['state'] === 'open' && /^subgraph:\w+$/.test(l.service) && /circuit breaker for \w[\w-]* (\(municipality \d{4}\) )?is open/.test(l.msg))).toBe(true);
    expect(leakingLines(rawLines().slice(from))).toEqual([]);
    expect(all).not.toContain(person.cpr);
    expect(all).not.toContain(formatCpr(person.cpr));
    expect(all).not.toContain(person.cpr.slice(0, 6));
    expect(all).not.toMatch(/<\w+:Envelope|<soap|<\?xml/);
    expect(all).not.toMatch(/\n\s+at [\w$.<>]+ \(/);
  });
});

describe('a line per request, per subgraph call and per legacy call', () => {
  let authed: AuthedStack;
  beforeAll(async () => {
    authed = await startAuthedStack();
  });
  afterAll(() => authed?.close());

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;

  it('writes one request line at the end, with ids, tenant, role, operation, hash, time, outcome and codes', async () => {
    const person = sampleCitizens(authed.world).get('0101')!;
    const mark = logMark();
    const { headers, body } = await authed.ask(await authed.mint.caseworker('0101'), CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) }, { traceparent });
    expect(body.errors).toBeUndefined();
    const requestId = headers.get('x-request-id')!;
    // The answer names the trace and the gateway's span in it: the client's trace id, a new span id.
    expect(headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$`));
    const lines = linesSince(mark);
    const requests = lines.filter((l) => l.kind === 'request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toEqual({
      level: 'info',
      time: expect.any(String),
      pid: process.pid,
      hostname: expect.any(String),
      service: 'gateway',
      requestId,
      traceId,
      kind: 'request',
      tenant: '0101',
      role: 'caseworker',
      operationName: 'CitizenOverview',
      documentHash: createHash('sha256').update(CITIZEN_OVERVIEW_QUERY).digest('hex'),
      status: 200,
      durationMs: expect.any(Number),
      outcome: 'ok',
      errorCodes: [],
      msg: expect.stringMatching(/^CitizenOverview ok 200 in \d+(\.\d)? ms$/),
    });
    // It is the request's last line: written as the answer leaves.
    expect(lines.filter((l) => l.requestId === requestId).at(-1)).toBe(requests[0]);

    // Each subgraph the plan called, at debug, inside the request.
    const calls = lines.filter((l) => l.kind === 'subgraph-call' && l.requestId === requestId);
    expect(new Set(calls.map((c) => c['subgraph']))).toEqual(new Set(['citizen', 'case', 'property']));
    for (const call of calls) expect(call).toMatchObject({ level: 'debug', service: 'gateway', outcome: 'ok', status: 200, durationMs: expect.any(Number), traceId });

    // Each legacy call, at debug, by the subgraph that made it, with the gateway's request id.
    const legacy = lines.filter((l) => l.kind === 'legacy-call' && l.requestId === requestId);
    expect(new Set(legacy.map((l) => `${l.service} ${l['system']}`))).toEqual(
      new Set(['subgraph:citizen cpr', 'subgraph:case case-index', 'subgraph:case kle', 'subgraph:property dar', 'subgraph:property bbr']),
    );
    for (const call of legacy) {
      // The client's trace, through the gateway into each subgraph (W3C traceparent on every subgraph call).
      expect(call.traceId).toBe(traceId);
      expect(call).toMatchObject({ level: 'debug', component: 'legacy', outcome: 'ok', attempts: 1, durationMs: expect.any(Number), operation: expect.any(String) });
      expect(call['municipality']).toMatch(/^(\d{4}|national)$/);
    }
    // A SOAP operation by its name; a REST call by method and path, no identifier or query in it.
    expect(legacy.find((l) => l['system'] === 'cpr')).toMatchObject({ operation: 'PersonLookup', municipality: '0101' });
    expect(legacy.find((l) => l['system'] === 'dar')).toMatchObject({ operation: 'GET DAR/DAR/1/rest/adresse', municipality: 'national' });
    expect(leakingLines(rawLines().slice(mark))).toEqual([]);
  });

  it('writes the request line of a refusal, with its code, the outcome metrics give it and no identity', async () => {
    const person = sampleCitizens(authed.world).get('0101')!;
    const mark = logMark();
    const refused = await postGraphQL(authed.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) }, { traceparent, authorization: 'Bearer not-a-token' });
    expect(refused.status).toBe(401);
    const noToken = await postGraphQL(authed.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
    const requests = linesSince(mark).filter((l): l is LogLine => l.kind === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ traceId, tenant: null, role: null, status: 401, outcome: 'refused', errorCodes: ['UNAUTHENTICATED'], operationName: 'CitizenOverview' });
    expect(requests[0]).not.toHaveProperty('requestId');
    expect(requests[1]).toMatchObject({ requestId: noToken.headers.get('x-request-id'), tenant: null, role: null, outcome: 'refused', errorCodes: [noToken.body.errors![0]!.extensions!['code']] });
    expect(requests[1]!.traceId).toMatch(/^[0-9a-f]{32}$/); // no traceparent: one the gateway made
    // The bearer token a client sent is in no line.
    expect(rawLines().slice(mark).join('\n')).not.toContain('not-a-token');
  });
});
