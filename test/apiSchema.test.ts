/**
 * schema/api.graphql, the API schema `npm run compose` writes for clients: the graph as the gateway
 * exposes it, so client operations can be validated and typed against it (npm run documents).
 */
import { readFileSync } from 'node:fs';
import { buildSchema, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_HEADER, apiSchemaPath, composeGraph } from '../schema';

const text = () => readFileSync(apiSchemaPath, 'utf8');

describe('schema/api.graphql', () => {
  it('is what composing the subgraph SDLs gives today (run `npm run compose` after editing an SDL)', () => {
    expect(text(), 'schema/api.graphql is stale: run npm run compose').toBe(composeGraph().api);
  });

  it('says it is generated, by which script, and not to edit it', () => {
    expect(text().startsWith(API_SCHEMA_HEADER)).toBe(true);
    expect(API_SCHEMA_HEADER).toMatch(/npm run compose[\s\S]*Do not edit/);
  });

  it('has none of federation\'s internals: no join__ or link__ metadata, no federation directive, no _entities or _service', () => {
    const sdl = text();
    expect(sdl).not.toMatch(/join__|link__|@link\b|@join\b|@key\b|@external\b|@requires\b|@inaccessible\b|@composeDirective\b/);
    const schema = buildSchema(sdl);
    expect(schema.getType('_Entity')).toBeUndefined();
    expect(schema.getType('_Service')).toBeUndefined();
    expect(Object.keys(schema.getQueryType()!.getFields())).not.toContain('_entities');
  });

  it('leaves out what the subgraphs declare @inaccessible: the CPR address key they hand each other', () => {
    const schema = buildSchema(text());
    expect(schema.getType('CprAddressKey')).toBeUndefined();
    const citizen = schema.getType('Citizen');
    expect(isObjectType(citizen) && Object.keys(citizen.getFields())).not.toContain('registeredAddress');
  });

  it('holds the public graph: every subgraph\'s types and root fields, with their descriptions', () => {
    const schema = buildSchema(text());
    for (const type of ['Citizen', 'Case', 'Document', 'Address', 'Building', 'Unit', 'PublicDocumentConnection', 'CPR', 'Date']) {
      expect(schema.getType(type), type).toBeDefined();
    }
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(expect.arrayContaining(['citizen', 'case', 'cases', 'publicDocuments', 'address', 'building']));
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(expect.arrayContaining(['openCase', 'fileDocument', 'changeCaseStatus', 'reportSickness']));
    const citizen = schema.getType('Citizen');
    expect(isObjectType(citizen) && Object.keys(citizen.getFields())).toEqual(expect.arrayContaining(['cpr', 'name', 'address', 'cases']));
    expect(citizen?.description).toBeTruthy();
  });
});
