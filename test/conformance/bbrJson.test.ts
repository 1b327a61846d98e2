/**
 * The BBR simulator's answers against the published BBR 2.4.4 JSON schemas (Datafordeler
 * BBRPublic): every field it sends is one the schema names, with a type the schema allows, for
 * buildings, units and technical installations. A field the adapter reads that the real service
 * never sends would show up here as a name the schema does not have.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBbrSimulator } from '../../simulators/bbr/server';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { buildWorld } from '../../simulators/data/world';
import { contractsRoot, requireContracts } from '../support/xsd';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

const schemaOf = (name: string): JsonSchema =>
  JSON.parse(readFileSync(`${contractsRoot}bbr/datafordeler-json-schema-2.4.4/BBR_2.4.4_${name}.schema.json`, 'utf8')) as JsonSchema;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Where `value` departs from `schema`: unknown fields and disallowed types, by path. */
function departures(value: unknown, schema: JsonSchema, path = '$'): string[] {
  const allowed = schema.type === undefined ? undefined : [schema.type].flat();
  const type = jsonType(value);
  if (allowed && !allowed.includes(type) && !(type === 'integer' && allowed.includes('number'))) return [`${path}: ${type}, the schema allows ${allowed.join(' or ')}`];
  if (type === 'array' && schema.items) return (value as unknown[]).flatMap((item, i) => departures(item, schema.items!, `${path}[${i}]`));
  if (type === 'object' && schema.properties) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
      schema.properties![key] ? departures(inner, schema.properties![key]!, `${path}.${key}`) : [`${path}.${key}: not in the schema`],
    );
  }
  return [];
}

const world = buildWorld();
let bbr: RunningSimulator;

beforeAll(async () => {
  requireContracts();
  bbr = await startBbrSimulator({ world });
});
afterAll(() => bbr.close());

const get = async (path: string): Promise<unknown[]> => {
  const response = await fetch(`${bbr.url}/BBR/BBRPublic/1/rest/${path}&format=JSON`);
  expect(response.status).toBe(200);
  return (await response.json()) as unknown[];
};

describe('the BBR simulator speaks BBR 2.4.4', () => {
  const withInstallations = [...(world.installationsByBuilding ?? new Map()).keys()].slice(0, 5);

  it('has buildings with installations to check', () => {
    expect(withInstallations.length).toBeGreaterThan(0);
  });

  it('answers bygning as the Bygning schema has it', async () => {
    const answers = await Promise.all(withInstallations.map((id) => get(`bygning?Id=${id}`)));
    for (const answer of answers) {
      expect(answer).toHaveLength(1);
      expect(departures(answer, schemaOf('Bygning'))).toEqual([]);
    }
  });

  it('answers enhed as the Enhed schema has it', async () => {
    const answers = await Promise.all(withInstallations.map((id) => get(`enhed?Bygning=${id}`)));
    for (const answer of answers) {
      expect(answer.length).toBeGreaterThan(0);
      expect(departures(answer, schemaOf('Enhed'))).toEqual([]);
    }
  });

  it('answers tekniskanlaeg as the TekniskAnlaeg schema has it, by building and by id', async () => {
    for (const buildingId of withInstallations) {
      const byBuilding = await get(`tekniskanlaeg?Bygning=${buildingId}`);
      expect(byBuilding).toHaveLength(world.installationsByBuilding!.get(buildingId)!.length);
      expect(departures(byBuilding, schemaOf('TekniskAnlaeg'))).toEqual([]);
      const first = byBuilding[0] as { id_lokalId: string };
      expect(await get(`tekniskanlaeg?Id=${first.id_lokalId}`)).toEqual([first]);
    }
  });

  it('catches a field the schema does not have, and a type it does not allow', () => {
    expect(departures([{ tek020Klassifikation: 1110, tek999Opfundet: 'x' }], schemaOf('TekniskAnlaeg'))).toEqual([
      '$[0].tek020Klassifikation: integer, the schema allows string or null',
      '$[0].tek999Opfundet: not in the schema',
    ]);
  });
});
