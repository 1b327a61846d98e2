/**
 * Property resolvers: Citizen.address and Citizen.residence from CPR's address key through DAR,
 * Address, Building and Unit from DAR and BBR. Registry answers come from the adapters' cache.
 */
import type { BuildingRecord, BuildingRegister, InstallationRecord, UnitRecord } from '../../adapters/bbr';
import type { AddressRecord, AddressRegister, CprAddressKey } from '../../adapters/dar';
import { legacyErrorOf, NotFound } from '../../adapters/core/errors';
import { eachKey } from '../../adapters/core/loaders';
import type { GraphQLResolveInfo } from 'graphql';
import { cprScalar } from '../../schema/scalars';
import { citizenReference } from '../shared/citizenReference';
import { requireOwnData } from '../shared/ownData';
import type { SubgraphContext } from '../shared/subgraphServer';
import type { Resolvers } from './generated/resolvers';
import { selectionAsks } from './lookahead';
import type { CitizenParent as CitizenRepresentation, ResidenceParent as Residence } from './parents';

export interface PropertyRegisters {
  addresses: AddressRegister;
  buildings: BuildingRegister;
}

export function propertyResolvers({ addresses, buildings }: PropertyRegisters): Resolvers {
  /** Call options for one request: its deadline, and a note when a stale cached answer was served. */
  const via = (ctx: SubgraphContext, system: 'dar' | 'bbr') => ({ signal: ctx.signal, onStale: () => ctx.stale.add(system) });
  const citizenAddress = (ctx: SubgraphContext, citizen: CitizenRepresentation): Promise<AddressRecord> | null => {
    requireOwnData(ctx, citizen.cpr, 'Citizen.address');
    const key = citizen.registeredAddress;
    if (!key) return null;
    if (key.failure) throw legacyErrorOf(key.failure, 'cpr: the citizen\'s address could not be read from CPR', { system: 'cpr' });
    // Where a citizen lives is personal data, even when DAR's answer comes from the cache.
    ctx.access.touched(citizen.cpr, 'Citizen.address', 'dar');
    return addresses.byCprAddress(key as CprAddressKey, { ...via(ctx, 'dar'), onCached: () => ctx.access.fromCache(citizen.cpr, 'dar') });
  };
  const buildingOf = (ctx: SubgraphContext, address: AddressRecord): Promise<BuildingRecord> =>
    buildings.buildingByAccessAddress(address.accessAddressId, via(ctx, 'bbr'));
  /**
   * The building of an address, for a selection that may go on to its units: DAR names the
   * building (adgangTilBygning), so its units are asked for now, beside it, not after it. The
   * units field then finds them loaded or loading (the registry cache shares a load).
   */
  const buildingFor = (ctx: SubgraphContext, address: AddressRecord, info: GraphQLResolveInfo): Promise<BuildingRecord> => {
    if (address.buildingId && selectionAsks(info, 'units')) {
      // Its failure is the units field's to report, when it asks.
      unitsOf(ctx, address.buildingId).catch(() => undefined);
    }
    return buildingOf(ctx, address);
  };
  /** A building's units, once per request: the read made early and the field's read are one read. */
  const unitsOf = (ctx: SubgraphContext, buildingId: string): Promise<UnitRecord[]> =>
    ctx.loaders.loader<string, UnitRecord[]>('bbr:units-of-building', eachKey((id) => buildings.unitsOfBuilding(id, via(ctx, 'bbr')))).load(buildingId);
  const unitOf = async (ctx: SubgraphContext, address: AddressRecord): Promise<UnitRecord | null> => {
    const units = await unitsOf(ctx, (await buildingOf(ctx, address)).id);
    return units.find((u) => u.addressId === address.id) ?? null;
  };
  return {
    CPR: cprScalar,
    Query: {
      address: (_root: unknown, args: { id: string }, ctx: SubgraphContext) => addresses.byId(args.id, via(ctx, 'dar')),
      building: (_root: unknown, args: { id: string }, ctx: SubgraphContext) => buildings.buildingById(args.id, via(ctx, 'bbr')),
    },
    Citizen: {
      __resolveReference: (reference: CitizenRepresentation) => citizenReference(reference),
      address: (citizen: CitizenRepresentation, _args: unknown, ctx: SubgraphContext) => citizenAddress(ctx, citizen),
      residence: (citizen: CitizenRepresentation, _args: unknown, ctx: SubgraphContext): Residence | null => {
        requireOwnData(ctx, citizen.cpr, 'Citizen.residence');
        return citizen.registeredAddress ? { citizen } : null;
      },
    },
    Residence: {
      address: ({ citizen }: Residence, _args: unknown, ctx: SubgraphContext) => citizenAddress(ctx, citizen),
      building: async ({ citizen }: Residence, _args: unknown, ctx: SubgraphContext, info: GraphQLResolveInfo) => {
        const address = await citizenAddress(ctx, citizen);
        return address ? buildingFor(ctx, address, info) : null;
      },
      unit: async ({ citizen }: Residence, _args: unknown, ctx: SubgraphContext) => {
        const address = await citizenAddress(ctx, citizen);
        return address ? unitOf(ctx, address) : null;
      },
    },
    Address: {
      __resolveReference: (reference: { id: string }, ctx: SubgraphContext) => addresses.byId(reference.id, via(ctx, 'dar')),
      municipality: (address: AddressRecord) => address.municipality,
      building: (address: AddressRecord, _args: unknown, ctx: SubgraphContext, info: GraphQLResolveInfo) => buildingFor(ctx, address, info),
      unit: (address: AddressRecord, _args: unknown, ctx: SubgraphContext) => unitOf(ctx, address),
    },
    Building: {
      __resolveReference: (reference: { id: string }, ctx: SubgraphContext) => buildings.buildingById(reference.id, via(ctx, 'bbr')),
      usage: (building: BuildingRecord) => building.usageText,
      units: (building: BuildingRecord, _args: unknown, ctx: SubgraphContext) => unitsOf(ctx, building.id),
      installations: (building: BuildingRecord, _args: unknown, ctx: SubgraphContext) => buildings.installationsOfBuilding(building.id, via(ctx, 'bbr')),
    },
    TechnicalInstallation: {
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => {
        const installation = await buildings.installationById(reference.id, via(ctx, 'bbr'));
        if (!installation) throw new NotFound('bbr: no such technical installation', { system: 'bbr' });
        return installation;
      },
      classification: (installation: InstallationRecord) => installation.classificationText,
    },
    Unit: {
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => {
        const unit = await buildings.unitById(reference.id, via(ctx, 'bbr'));
        if (!unit) throw new NotFound('bbr: no such unit', { system: 'bbr' });
        return unit;
      },
      usage: (unit: UnitRecord) => unit.usageText,
    },
  };
}
