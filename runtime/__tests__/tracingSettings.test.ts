import { describe, expect, it } from 'vitest';
import { ConfigInvalid } from '../config';
import { loadTracingSettings } from '../tracingSettings';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadTracingSettings(env, 'test');
  } catch (error) {
    if (error instanceof ConfigInvalid) return error.issues;
    throw error;
  }
  return [];
};

describe('tracing settings (OTEL_*)', () => {
  it('are off without an endpoint, with OTEL_TRACES_EXPORTER=none, and with OTEL_SDK_DISABLED=true', () => {
    expect(loadTracingSettings({}, 'test')).toBeUndefined();
    expect(loadTracingSettings({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }, 'test')).toBeUndefined();
    expect(loadTracingSettings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, 'test')).toBeUndefined();
    expect(loadTracingSettings({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, 'test')).toBeUndefined();
  });

  it('post to the traces endpoint as given, or under the shared endpoint', () => {
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'test')).toEqual({
      url: 'http://collector:4318/v1/traces', headers: {}, sampler: 'parentbased_always_on', ratio: 1, serviceName: undefined,
    });
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/custom/traces' }, 'test')?.url).toBe('https://b/custom/traces');
  });

  it('take the headers, the sampler and the service name', () => {
    expect(loadTracingSettings({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-key=a%3Db, other = 1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'other=2',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_SERVICE_NAME: 'kommune-graph-gateway',
    }, 'test')).toEqual({
      url: 'http://c:4318/v1/traces', headers: { 'x-key': 'a=b', other: '2' }, sampler: 'parentbased_traceidratio', ratio: 0.25, serviceName: 'kommune-graph-gateway',
    });
  });

  it('refuse what they cannot honour, naming the variable and never a header\'s value', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/)]);
    expect(problems({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: /)]);
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:pw@c:4318' })).toEqual([expect.stringMatching(/must not hold credentials/)]);
    expect(problems({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual([expect.stringMatching(/^OTEL_TRACES_EXPORTER=otlp: set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/)]);
    expect(problems({ OTEL_TRACES_EXPORTER: 'jaeger' })).toEqual([expect.stringMatching(/^OTEL_TRACES_EXPORTER: must be otlp or none/)]);
    expect(problems({ OTEL_SDK_DISABLED: 'yes' })).toEqual([expect.stringMatching(/^OTEL_SDK_DISABLED/)]);
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(problems({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/json/)]);
    expect(problems({ ...endpoint, OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toEqual([expect.stringMatching(/^OTEL_TRACES_SAMPLER: must be one of/)]);
    expect(problems({ ...endpoint, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' })).toEqual([expect.stringMatching(/^OTEL_TRACES_SAMPLER_ARG/)]);
    const headers = problems({ ...endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'secret-key-without-name' });
    expect(headers).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_HEADERS: must be name=value pairs/)]);
    expect(headers.join()).not.toContain('secret-key');
  });
});
