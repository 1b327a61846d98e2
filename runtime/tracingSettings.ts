/**
 * Whether this process exports traces, and where, from the standard OpenTelemetry variables.
 * Off unless an endpoint is named: spans leave the process only for a collector an operator
 * pointed it at, never for a default address nobody chose.
 *
 * - OTEL_SDK_DISABLED=true: off, whatever else is set.
 * - OTEL_TRACES_EXPORTER: `none` is off; `otlp` is on and needs an endpoint; unset, the
 *   endpoint alone turns it on. Other exporters are not built in, and are refused.
 * - OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the traces URL as it is) or else
 *   OTEL_EXPORTER_OTLP_ENDPOINT (a base, `v1/traces` appended): http or https.
 * - OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL: only `http/json`, what the exporter sends.
 * - OTEL_EXPORTER_OTLP_(TRACES_)HEADERS: `name=value,…`, URL-encoded (e.g. a collector's key).
 * - OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG: the specification's built-in samplers.
 * - OTEL_SERVICE_NAME: names the service in place of ours (`gateway`, `subgraph:<name>`).
 *
 * A bad value is CONFIG_INVALID naming the variable, never a header's value (it may be a secret).
 */
import { ConfigInvalid } from './config';

export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

export interface TracingSettings {
  /** Where spans are posted (OTLP/HTTP, JSON). */
  url: string;
  /** Sent with every export; may hold a collector's credentials: never logged. */
  headers: Readonly<Record<string, string>>;
  sampler: TracesSampler;
  /** For the ratio samplers: the share of new traces kept, 0 to 1. */
  ratio: number;
  /** OTEL_SERVICE_NAME, when set. */
  serviceName: string | undefined;
}

/** The settings, or undefined when tracing is off; throws ConfigInvalid naming every problem. */
export function loadTracingSettings(env: NodeJS.ProcessEnv, what: string): TracingSettings | undefined {
  const issues: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;

  const disabled = value('OTEL_SDK_DISABLED')?.toLowerCase();
  if (disabled !== undefined && disabled !== 'true' && disabled !== 'false') issues.push('OTEL_SDK_DISABLED: must be true or false');
  const exporter = value('OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (exporter !== undefined && exporter !== 'otlp' && exporter !== 'none') {
    issues.push('OTEL_TRACES_EXPORTER: must be otlp or none (no other exporter is built in)');
  }
  if (issues.length > 0) throw new ConfigInvalid(`${what} tracing`, issues);
  if (disabled === 'true' || exporter === 'none') return undefined;

  const url = tracesUrl(value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'), value('OTEL_EXPORTER_OTLP_ENDPOINT'), issues);
  if (url === undefined && issues.length === 0) {
    if (exporter === 'otlp') {
      throw new ConfigInvalid(`${what} tracing`, ['OTEL_TRACES_EXPORTER=otlp: set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT to the collector\'s URL']);
    }
    return undefined;
  }

  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const protocol = value(name);
    if (protocol !== undefined && protocol !== 'http/json') issues.push(`${name}: must be http/json, what this exporter sends (not ${protocol.slice(0, 30)})`);
  }
  const headers = {
    ...otlpHeaders('OTEL_EXPORTER_OTLP_HEADERS', value('OTEL_EXPORTER_OTLP_HEADERS'), issues),
    ...otlpHeaders('OTEL_EXPORTER_OTLP_TRACES_HEADERS', value('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), issues),
  };

  const samplerName = value('OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  const sampler = (TRACES_SAMPLERS as readonly string[]).includes(samplerName) ? (samplerName as TracesSampler) : undefined;
  if (!sampler) issues.push(`OTEL_TRACES_SAMPLER: must be one of ${TRACES_SAMPLERS.join(', ')}`);
  const arg = value('OTEL_TRACES_SAMPLER_ARG');
  const ratio = arg === undefined ? 1 : Number(arg);
  // The argument means something to the ratio samplers only; elsewhere it is ignored, as specified.
  if (sampler?.endsWith('traceidratio') && !(Number.isFinite(ratio) && ratio >= 0 && ratio <= 1)) {
    issues.push('OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1 (the share of traces kept)');
  }

  if (issues.length > 0 || !url || !sampler) throw new ConfigInvalid(`${what} tracing`, issues);
  return { url, headers, sampler, ratio, serviceName: value('OTEL_SERVICE_NAME') };
}

/** The signal's own endpoint is the URL itself; the shared one is a base the signal's path is put under. */
function tracesUrl(traces: string | undefined, base: string | undefined, issues: string[]): string | undefined {
  if (traces !== undefined) return httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces, issues);
  if (base === undefined) return undefined;
  const parsed = httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', base, issues);
  return parsed === undefined ? undefined : `${parsed.replace(/\/+$/, '')}/v1/traces`;
}

function httpUrl(name: string, text: string, issues: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    issues.push(`${name}: must be an http(s) URL, e.g. http://otel-collector:4318`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    issues.push(`${name}: must be an http(s) URL (OTLP over HTTP), not ${url.protocol}`);
    return undefined;
  }
  if (url.username || url.password) {
    // Credentials in a URL end up in every error that quotes it; headers are the place for them.
    issues.push(`${name}: must not hold credentials; put them in OTEL_EXPORTER_OTLP_HEADERS`);
    return undefined;
  }
  return url.href;
}

/** `name=value,name2=value2` (W3C Baggage-like, URL-encoded), as the specification writes OTLP headers. */
function otlpHeaders(name: string, text: string | undefined, issues: string[]): Record<string, string> {
  if (text === undefined) return {};
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    let key = '';
    let content = '';
    try {
      key = decodeURIComponent(pair.slice(0, at).trim()).toLowerCase();
      content = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      key = '';
    }
    if (at <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key)) {
      issues.push(`${name}: must be name=value pairs separated by commas (URL-encoded)`);
      return {};
    }
    headers[key] = content;
  }
  return headers;
}
