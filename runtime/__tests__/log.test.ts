/**
 * The process's logger (runtime/log.ts): JSON lines with time, level, service and the part's
 * bindings; the request's ids on every line written while it is served; fields known to carry
 * personal data or secrets censored by path; CPR numbers and tokens masked in any text; errors
 * without stacks; LOG_LEVEL and LOG_FORMAT checked with a clear message; pretty lines for people.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigInvalid } from '../config';
import { bindLogContext, loadLogSettings, logger, prettyLines, setLogDestination, withLogContext } from '../log';
import { keepLine, linesSince, logMark, rawLines } from '../../test/support/logs';

/** The lines `write` logs, parsed. */
function logged(write: () => void): Record<string, unknown>[] {
  const mark = logMark();
  write();
  return linesSince(mark);
}

const JWT = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIwMTAxNjAxMjM0In0.c2lnbmF0dXJlLWJ5dGVz';

describe('log lines', () => {
  it('are JSON with an ISO time, the level by name, the service and the part', () => {
    const [line] = logged(() => logger({ service: 'gateway', component: 'tenants' }).warn('registry change refused'));
    expect(line).toMatchObject({ level: 'warn', service: 'gateway', component: 'tenants', msg: 'registry change refused', pid: process.pid });
    expect(new Date(line!['time'] as string).toISOString()).toBe(line!['time']);
  });

  it('name one service: the part\'s own, else the process\'s kind', () => {
    const mark = logMark();
    logger({ service: 'subgraph:citizen' }).info('a part\'s line');
    logger({ component: 'shutdown' }).info('a line of the process\'s plumbing');
    const raw = rawLines().slice(mark);
    expect(raw.map((line) => line.match(/"service":/g)?.length)).toEqual([1, 1]);
    expect(linesSince(mark).map((line) => line.service)).toEqual(['subgraph:citizen', 'kommune-graph']);
  });

  it('carry the ids of the request they were written for, and only inside it', async () => {
    const log = logger({ service: 'gateway' });
    const lines = await (async () => {
      const mark = logMark();
      await withLogContext(async () => {
        bindLogContext({ requestId: 'f47ac10b-58cc-4372-a567-0e0123456789', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
        await new Promise((resolve) => setTimeout(resolve, 1));
        log.info('inside');
      });
      log.info('outside');
      return linesSince(mark);
    })();
    // Our own ids are never masked, though they may hold ten digits in a row.
    expect(lines[0]).toMatchObject({ msg: 'inside', requestId: 'f47ac10b-58cc-4372-a567-0e0123456789', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(lines[1]).not.toHaveProperty('requestId');
  });

  it('censor fields that carry credentials or personal data, wherever they are in the line', () => {
    const [line] = logged(() =>
      logger().info(
        {
          token: JWT, headers: { authorization: `Bearer ${JWT}` }, cpr: '0101601234', request: { variables: { cpr: '010160-1234' } }, person: { fullName: 'Anne Jensen' },
          req: { headers: { cookie: 'session=abc', host: 'gateway' } }, deep: { a: { b: { address: 'Søndergade 7' } } },
        },
        'what a careless caller could pass',
      ),
    );
    expect(line).toMatchObject({
      token: '[redacted]', headers: { authorization: '[redacted]' }, cpr: '[redacted]', request: { variables: '[redacted]' }, person: { fullName: '[redacted]' },
      req: { headers: { cookie: '[redacted]', host: 'gateway' } }, deep: { a: { b: { address: '[redacted]' } } },
    });
    // Deeper than the walk goes, nothing is written at all.
    const [deeper] = logged(() => logger().info({ a: { b: { c: { d: { e: { cpr: '0101601234' } } } } } }, 'very deep'));
    expect(JSON.stringify(deeper)).not.toContain('0101601234');
  });

  it('mask CPR numbers and tokens in messages and in any string field', () => {
    const [line] = logged(() => logger().error({ detail: `PNR0101601234 and 010160-1234 with ${JWT}`, list: ['0101601234'] }, `lookup of 010160-1234 failed; Authorization: Bearer ${JWT}`));
    expect(line!['msg']).toBe('lookup of [cpr] failed; Authorization: Bearer [token]');
    expect(line!['detail']).toBe('PNR[cpr] and [cpr] with [token]');
    expect(line!['list']).toEqual(['[cpr]']);
  });

  it('write an error as its class, redacted message and causes, never its stack', () => {
    const error = new Error('CPR 0101601234 not found <soap:Envelope>…', { cause: new TypeError('fetch failed') });
    const [line] = logged(() => logger().error({ err: error }, 'lookup failed'));
    expect(line!['err']).toBe('Error: CPR [cpr] not found  (cause: TypeError: fetch failed)');
    expect(JSON.stringify(line)).not.toMatch(/\n\s+at |log\.test\.ts/);
  });
});

describe('log settings', () => {
  it('take LOG_LEVEL and LOG_FORMAT, with the defaults and a start command\'s own default', () => {
    expect(loadLogSettings({}, 'gateway')).toEqual({ level: 'info', format: 'json' });
    expect(loadLogSettings({ LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty' }, 'gateway')).toEqual({ level: 'debug', format: 'pretty' });
    expect(loadLogSettings({}, 'bench', { level: 'warn' })).toEqual({ level: 'warn', format: 'json' });
    expect(loadLogSettings({ LOG_LEVEL: 'error' }, 'bench', { level: 'warn' })).toEqual({ level: 'error', format: 'json' });
  });

  it('refuse an unknown level or format, naming the setting and the values it takes', () => {
    let thrown: unknown;
    try {
      loadLogSettings({ LOG_LEVEL: 'verbose', LOG_FORMAT: 'text' }, 'subgraph citizen');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigInvalid);
    expect((thrown as ConfigInvalid).issues).toEqual([
      'level: must be one of fatal, error, warn, info, debug, trace, silent (LOG_LEVEL)',
      'format: must be json or pretty (LOG_FORMAT)',
    ]);
    expect((thrown as ConfigInvalid).message).toMatch(/^CONFIG_INVALID: subgraph citizen log configuration is invalid/);
  });
});

describe('pretty lines (LOG_FORMAT=pretty, npm start)', () => {
  afterEach(() => setLogDestination({ write: keepLine }));

  it('are one line per entry for a person: time, level, service and part, message, fields', () => {
    let text = '';
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
    setLogDestination(prettyLines({ destination: sink, colorize: false }));
    logger({ service: 'subgraph:case', component: 'legacy' }).warn({ system: 'esdh', state: 'open' }, 'circuit breaker for esdh (municipality 0101) is open');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: subgraph:case\/legacy: circuit breaker for esdh \(municipality 0101\) is open \{"system":"esdh","state":"open"\}\n$/);
  });
});
