/**
 * The technical installations (tekniske anlæg) BBR registers on the world's buildings: oil tanks
 * (with the make of the burner they feed) in older buildings, solar installations on roofs, ground
 * heat collectors under newer houses' plots. Drawn from a stream of their own, so adding them
 * changed nothing else of the world.
 */
import { createRandom } from './random';
import type { Building } from './world';

/** A BBR tekniskAnlæg, as the simulator serves it. */
export interface TechnicalInstallation {
  id: string;
  buildingId: string;
  municipalityCode: string;
  /** tek007Anlægsnummer: the installation's number on its building, from 1 */
  number: number;
  /** tek020Klassifikation */
  classificationCode: string;
  /** tek024Etableringsår */
  yearEstablished: number;
  /** tek067Fabrikationsår, when registered */
  yearManufactured: number | null;
  /** A tank's burner (tek103FabrikatOliefyr) or a solar installation's make (tek104FabrikatSolcelleanlægSolvarme) */
  manufacturer: string | null;
  /** tek037Areal, m² (solar panels) */
  area: number | null;
  /** tek036Rumfang, as BBR registers a tank's volume */
  volume: number | null;
}

/** Mixed into the seed for the installations' own stream. */
const INSTALLATIONS_STREAM = 0x7e_c0a1;

/**
 * The kinds drawn, by BBR's tek020Klassifikation: a tank (1110, Tank (Produkt på væskeform)) has a
 * volume and its burner's make, a solar installation (1230) an area and a make, ground heat
 * collectors (1220, Slanger til jordvarme) neither.
 */
export const INSTALLATION_KINDS = {
  oilTank: '1110',
  groundHeat: '1220',
  solar: '1230',
} as const;

const BURNER_MAKES = ['Danfoss', 'Bentone', 'Riello', 'Weishaupt'] as const;
const SOLAR_MAKES = ['Velux', 'Viessmann', 'Kingspan', 'Batec'] as const;

/** Each building's installations, in number order; a building with none is absent. */
export function drawInstallations(seed: number, buildings: Iterable<Building>): Map<string, TechnicalInstallation[]> {
  const random = createRandom((seed ^ INSTALLATIONS_STREAM) >>> 0);
  const byBuilding = new Map<string, TechnicalInstallation[]>();
  for (const building of buildings) {
    const installations: TechnicalInstallation[] = [];
    const add = (fields: Omit<TechnicalInstallation, 'id' | 'buildingId' | 'municipalityCode' | 'number'>) =>
      installations.push({ id: random.uuid(), buildingId: building.id, municipalityCode: building.municipalityCode, number: installations.length + 1, ...fields });
    // Oil heating is what older buildings were built with; many still have the tank.
    if (building.yearBuilt < 1985 && random.chance(0.35)) {
      const year = random.int(Math.max(building.yearBuilt, 1960), 1995);
      add({ classificationCode: INSTALLATION_KINDS.oilTank, yearEstablished: year, yearManufactured: year - random.int(0, 2), manufacturer: random.pick(BURNER_MAKES), area: null, volume: random.pick([1200, 1500, 2500, 5000]) });
    } else if (building.yearBuilt >= 1985 && building.floors <= 2 && random.chance(0.25)) {
      add({ classificationCode: INSTALLATION_KINDS.groundHeat, yearEstablished: random.int(Math.max(building.yearBuilt, 2005), 2026), yearManufactured: null, manufacturer: null, area: null, volume: null });
    }
    if (random.chance(0.2)) {
      add({ classificationCode: INSTALLATION_KINDS.solar, yearEstablished: random.int(Math.max(building.yearBuilt, 2008), 2026), yearManufactured: null, manufacturer: random.pick(SOLAR_MAKES), area: random.int(12, 60), volume: null });
    }
    if (installations.length > 0) byBuilding.set(building.id, installations);
  }
  return byBuilding;
}
