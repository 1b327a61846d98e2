/**
 * A suite-wide witness (a vitest setup file): every gateway any test starts in its process is
 * watched from the outside, and every answer that carried personal data must have its access
 * record. The witness reads each answer as a client got it: personal data left when the answer
 * has a value at a root field the supergraph declares personal, or a CPR number anywhere in its
 * data. It sees the records the trail actually committed (or, for a gateway started without a
 * trail, the accesses handed to an in-memory recorder it gives it). At the end of each test file,
 * an answer without its record fails the file.
 *
 * It decides nothing for the gateway and shares none of its code: an oracle must not be able to
 * agree with a bug.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Kind, parse, type DocumentNode, type ObjectTypeDefinitionNode, type SelectionSetNode } from 'graphql';
import { afterAll, expect, vi } from 'vitest';
import type { GatewayOptions, RunningGateway } from '../../gateway/server';
import type { GatewayConfig } from '../../gateway/config';

interface Disclosure {
  gateway: string;
  requestId: string | undefined;
  operation: string;
}

const recorded = new Set<string>();
const disclosures: Disclosure[] = [];

vi.mock('../../gateway/server', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../gateway/server')>();
  return { ...actual, startGateway: witnessed(actual.startGateway) };
});

// After every other hook of the file (hooks run as a stack): the file's gateways are closed by then.
afterAll(() => {
  const unrecorded = disclosures.filter((d) => !(d.requestId && recorded.has(d.requestId)));
  expect(unrecorded, 'answers that carried personal data without an access record').toEqual([]);
});

function witnessed(start: (config: GatewayConfig, options: GatewayOptions) => Promise<RunningGateway>) {
  return async (config: GatewayConfig, options: GatewayOptions): Promise<RunningGateway> => {
    const personalRoots = personalRootFields(readFileSync(config.supergraphPath, 'utf8'));
    const note = (records: readonly { requestId: string }[]) => {
      for (const r of records) recorded.add(r.requestId);
    };
    let watched: GatewayOptions;
    if (options.audit) {
      const trail = options.audit.trail;
      watched = { ...options, audit: { ...options.audit, trail: { ...trail, record: async (records) => (await trail.record(records), note(records)) } } };
    } else if (options.onAccess) {
      const onAccess = options.onAccess;
      watched = { ...options, onAccess: async (access) => (await onAccess(access), note([access])) };
    } else {
      watched = { ...options, onAccess: async (access) => note([access]) };
    }
    const running = await start(config, watched);
    running.server.on('request', (req: IncomingMessage, res: ServerResponse) => watch(running.url, personalRoots, req, res));
    return running;
  };
}

/** Keeps the request's operation and the response's body, and judges them when the response is sent. */
function watch(gateway: string, personalRoots: PersonalRoots, req: IncomingMessage, res: ServerResponse): void {
  if (!req.url?.startsWith(new URL(gateway).pathname)) return;
  const requestChunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => requestChunks.push(chunk));
  const responseChunks: Buffer[] = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk) responseChunks.push(Buffer.from(chunk as string));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk && typeof chunk !== 'function') responseChunks.push(Buffer.from(chunk as string));
    return (end as (...a: unknown[]) => ServerResponse)(chunk, ...rest);
  }) as typeof res.end;
  res.on('finish', () => {
    const answer = json(Buffer.concat(responseChunks).toString('utf8')) as { data?: Record<string, unknown> | null } | undefined;
    if (!answer?.data) return;
    const request = (json(Buffer.concat(requestChunks).toString('utf8')) ?? {}) as { query?: string; operationName?: string };
    const query = request.query ?? new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
    if (!disclosesPersonalData(answer.data, query, request.operationName, personalRoots)) return;
    const requestId = res.getHeader('x-request-id');
    disclosures.push({ gateway, requestId: typeof requestId === 'string' ? requestId : undefined, operation: query.slice(0, 120) });
  });
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const CPR_IN_DATA = /"\d{6}-\d{4}"/;

function disclosesPersonalData(data: Record<string, unknown>, query: string, operationName: string | undefined, personalRoots: PersonalRoots): boolean {
  if (CPR_IN_DATA.test(JSON.stringify(data))) return true;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return false;
  }
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return false;
  const roots = operation.operation === 'mutation' ? personalRoots.mutation : personalRoots.query;
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const keys: string[] = [];
  const collect = (selectionSet: SelectionSetNode, seen: Set<string>) => {
    for (const s of selectionSet.selections) {
      if (s.kind === Kind.FIELD) {
        if (roots.has(s.name.value)) keys.push(s.alias?.value ?? s.name.value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) collect(s.selectionSet, seen);
      else if (!seen.has(s.name.value) && fragments.has(s.name.value)) collect(fragments.get(s.name.value)!.selectionSet, new Set([...seen, s.name.value]));
    }
  };
  collect(operation.selectionSet, new Set());
  return keys.some((key) => data[key] !== null && data[key] !== undefined);
}

interface PersonalRoots {
  query: ReadonlySet<string>;
  mutation: ReadonlySet<string>;
}

/** The root fields the supergraph marks personal: on the field, or on the type it returns. */
function personalRootFields(supergraphSdl: string): PersonalRoots {
  const document = parse(supergraphSdl);
  const objects = document.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION);
  const personal = (directives: ObjectTypeDefinitionNode['directives']) =>
    (directives ?? []).some((d) => d.name.value === 'access' && d.arguments?.some((a) => a.name.value === 'personal' && a.value.kind === Kind.BOOLEAN && a.value.value));
  const personalTypes = new Set(objects.filter((o) => personal(o.directives)).map((o) => o.name.value));
  const rootsOf = (name: string) => {
    const type = objects.find((o) => o.name.value === name);
    const found = new Set<string>();
    for (const field of type?.fields ?? []) {
      let t = field.type;
      while (t.kind !== Kind.NAMED_TYPE) t = t.type;
      if (personal(field.directives) || personalTypes.has(t.name.value)) found.add(field.name.value);
    }
    return found;
  };
  return { query: rootsOf('Query'), mutation: rootsOf('Mutation') };
}
