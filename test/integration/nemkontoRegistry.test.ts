/**
 * The EasyAccountRegistry end to end: accountOf through real SOAP over HTTP against the NemKonto
 * simulator (its own WSDL at ?wsdl), on an ephemeral port, with the exact traffic each call makes,
 * the account masked, and the typed errors for no account, a fault, an outage and a slow answer.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { LegacyBadResponse, LegacyError, LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from '../../adapters/core/errors';
import { createResilience } from '../../adapters/core/resilience';
import { createSoapEasyAccountRegistry, type SoapEasyAccountRegistry, type SoapEasyAccountRegistryOptions } from '../../adapters/nemkonto';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { buildWorld, type Person } from '../../simulators/data/world';
import { nemKontoAccountOf, type NemKontoAccount } from '../../simulators/nemkonto/accounts';
import { NEMKONTO_SERVICE_PATH, startNemKontoSimulator } from '../../simulators/nemkonto/server';
import { logMark, rawLines } from '../support/logs';

const TENANT = '0101';
const world = buildWorld();
const persons = [...world.persons.values()];
const holder: Person = persons.find((p) => p.municipalityCode === TENANT && nemKontoAccountOf(p) !== null)!;
const account: NemKontoAccount = nemKontoAccountOf(holder)!;
const adultWithout: Person = persons.find((p) => nemKontoAccountOf(p) === null && Number(p.birthDate.slice(0, 4)) < 2000 && p.status === 1)!;
const minor: Person = persons.find((p) => Number(p.birthDate.slice(0, 4)) > 2010)!;
/** A CPR number the world cannot hold: day 99 is no date, nor a substitute one (day + 60). */
const UNKNOWN_CPR = '9912991234';

let simulator: RunningSimulator;
let registry: SoapEasyAccountRegistry;
const registries: SoapEasyAccountRegistry[] = [];
let logged: MockInstance[] = [];
/** Where this test's log lines (runtime/log.ts) begin. */
let logsFrom = 0;

function easyAccounts(options: Partial<SoapEasyAccountRegistryOptions> = {}, on: RunningSimulator = simulator): SoapEasyAccountRegistry {
  const made = createSoapEasyAccountRegistry({ wsdl: `${on.url}${NEMKONTO_SERVICE_PATH}?wsdl`, ...options });
  registries.push(made);
  return made;
}

/** The operations answered since the last reset, in order (WSDL fetches aside). */
const traffic = (on: RunningSimulator = simulator) => on.calls.filter((c) => c.operation !== 'wsdl').map((c) => `${c.operation} ${c.key}`);

/** What an error tells whoever catches or logs it. */
const said = (error: LegacyError) => `${error.message} ${error.detail ?? ''} ${error.system} ${error.tenant ?? ''}`;

beforeAll(async () => {
  simulator = await startNemKontoSimulator({ world });
});
afterAll(() => simulator.close());
beforeEach(() => {
  registry = easyAccounts();
  logged = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level));
  logsFrom = logMark();
});
afterEach(() => {
  // Never logged: nothing this adapter did wrote the full account number anywhere.
  for (const spy of logged) {
    expect(JSON.stringify(spy.mock.calls)).not.toContain(account.accountNumber);
    spy.mockRestore();
  }
  expect(rawLines().slice(logsFrom).join('\n')).not.toContain(account.accountNumber);
  simulator.setFault('none');
  simulator.setLatency(0);
  simulator.resetCalls();
  for (const made of registries.splice(0)) made.soap.close();
});

describe('EasyAccountRegistry.accountOf over SOAP', () => {
  it('answers the bank and the account masked to its last four digits, in one call', async () => {
    expect(await registry.accountOf(holder.cpr, { tenant: TENANT })).toEqual({
      bank: { registrationNumber: account.registrationNumber, name: account.bankName },
      accountNumberLast4: account.accountNumber.padStart(10, '0').slice(-4),
    });
    expect(traffic()).toEqual([`getNemKontoFromID ${holder.cpr}`]);
  });

  it('the full account number, which went over the wire, is not in what the adapter returns', async () => {
    const record = await registry.accountOf(holder.cpr);
    expect(simulator.calls.at(-1)!.responseBody).toContain(account.accountNumber);
    expect(JSON.stringify(record)).not.toContain(account.accountNumber);
    expect(Object.keys(record).sort()).toEqual(['accountNumberLast4', 'bank']);
    expect(record.accountNumberLast4).toMatch(/^\d{4}$/);
  });

  it('takes the CPR number with its dash too, and sends it as ten digits', async () => {
    await registry.accountOf(`${holder.cpr.slice(0, 6)}-${holder.cpr.slice(6)}`);
    expect(traffic()).toEqual([`getNemKontoFromID ${holder.cpr}`]);
  });

  it('a person without a NemKonto is NotFound, after one call, naming neither the person nor the answer', async () => {
    expect(world.persons.has(UNKNOWN_CPR)).toBe(false);
    for (const cpr of [adultWithout.cpr, minor.cpr, UNKNOWN_CPR]) {
      simulator.resetCalls();
      const error = await registry.accountOf(cpr, { tenant: TENANT }).catch((e: unknown) => e);
      expect(error, cpr).toBeInstanceOf(NotFound);
      expect(error).toMatchObject({ system: 'nemkonto', tenant: TENANT });
      expect(said(error as NotFound)).not.toContain(cpr);
      expect(traffic()).toEqual([`getNemKontoFromID ${cpr}`]);
    }
  });

  it('NotFound is an answer, not a failure: a resilient registry does not ask again', async () => {
    const resilient = easyAccounts({ resilience: createResilience({ maxRetries: 2, initialBackoffMs: 1, maxBackoffMs: 2 }) });
    await expect(resilient.accountOf(adultWithout.cpr)).rejects.toBeInstanceOf(NotFound);
    expect(traffic()).toEqual([`getNemKontoFromID ${adultWithout.cpr}`]);
  });

  it('a fault of the simulator is a LegacyFault blaming the server, without XML, CPR or account numbers in what it says', async () => {
    await registry.accountOf(holder.cpr); // the WSDL loaded: what fails below is the operation
    simulator.setFault('fault');
    const error = await registry.accountOf(holder.cpr, { tenant: TENANT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyFault);
    expect(error).toMatchObject({ serverSide: true, detail: 'soap:Server', system: 'nemkonto', tenant: TENANT });
    expect(said(error as LegacyFault)).not.toMatch(/[<>]/);
    expect(said(error as LegacyFault)).not.toContain(holder.cpr);
  });

  it('a garbled answer is a LegacyBadResponse that repeats none of it', async () => {
    await registry.accountOf(holder.cpr);
    simulator.setFault('malformed');
    const error = await registry.accountOf(holder.cpr).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyBadResponse);
    expect(said(error as LegacyBadResponse)).not.toMatch(/[<>]/);
    expect(said(error as LegacyBadResponse)).not.toContain(holder.cpr);
  });

  it('under an outage the read is tried again, within the retry policy, then LegacyUnavailable', async () => {
    const resilient = easyAccounts({ resilience: createResilience({ maxRetries: 2, initialBackoffMs: 1, maxBackoffMs: 2, breakerThreshold: 100 }) });
    await resilient.soap.operations();
    simulator.setFault('http500');
    simulator.resetCalls();
    await expect(resilient.accountOf(holder.cpr, { tenant: TENANT })).rejects.toBeInstanceOf(LegacyUnavailable);
    expect(traffic()).toEqual(Array(3).fill(`getNemKontoFromID ${holder.cpr}`));
  });

  it('an answer slower than the timeout is a LegacyTimeout', async () => {
    // Its own simulator: the late answer it holds back is dropped when it closes, never counted by another test.
    const slowSimulator = await startNemKontoSimulator({ world });
    try {
      const slow = easyAccounts({ timeoutMs: 150 }, slowSimulator);
      await slow.accountOf(holder.cpr); // the WSDL loaded: what times out below is the operation
      slowSimulator.setLatency(60_000);
      const error = await slow.accountOf(holder.cpr, { tenant: TENANT }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LegacyTimeout);
      expect(error).toMatchObject({ system: 'nemkonto', tenant: TENANT });
      expect(said(error as LegacyTimeout)).not.toContain(holder.cpr);
    } finally {
      await slowSimulator.close();
    }
  });
});
