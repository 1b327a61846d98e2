/**
 * BBR 2.4.4 TekniskAnlæg (Datafordeler BBRPublic v1 JSON) → InstallationRecord. Which make field
 * BBR fills depends on the kind: for a tank its oil burner's in tek103, a solar installation's in
 * tek104, any other's in tek021 (fabrikat/type); the record has one `manufacturer`.
 */
import { LegacyBadResponse } from '../core/errors';
import { int, obj, str } from '../core/json';
import { installationClassification } from './installationCodes';
import type { InstallationRecord } from './types';

export function mapInstallation(raw: unknown): InstallationRecord {
  const t = obj(raw);
  const id = str(t['id_lokalId']);
  if (!id) throw new LegacyBadResponse('bbr: a tekniskAnlæg without id_lokalId', { system: 'bbr' });
  const classificationCode = str(t['tek020Klassifikation']);
  return {
    id,
    buildingId: str(t['bygning']),
    number: int(t['tek007Anlægsnummer']),
    classificationCode,
    classificationText: classificationCode ? (installationClassification[classificationCode] ?? null) : null,
    yearEstablished: int(t['tek024Etableringsår']),
    yearManufactured: int(t['tek067Fabrikationsår']),
    manufacturer: str(t['tek103FabrikatOliefyr']) ?? str(t['tek104FabrikatSolcelleanlægSolvarme']) ?? str(t['tek021FabrikatType']),
    area: int(t['tek037Areal']),
    volume: int(t['tek036Rumfang']),
  };
}
