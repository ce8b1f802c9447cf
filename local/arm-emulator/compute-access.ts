/**
 * enableSSO and sshSettings of a compute instance: read from a create body for the api-versions
 * whose schema has them (older versions ignore them, as Azure does), shown in the GET view as
 * Azure shows them (the admin public key is never echoed).
 */
import { z } from 'zod';
import { hasComputeInstanceProperty } from './api-versions';
import { parseBody } from './compute-body';
import type { ComputeRecord } from './compute-record';

const AccessSchema = z.looseObject({
  enableSSO: z.boolean().nullish(),
  sshSettings: z
    .looseObject({ sshPublicAccess: z.enum(['Enabled', 'Disabled']).nullish(), adminPublicKey: z.string().nullish() })
    .nullish(),
});

export type AccessSettings = Pick<ComputeRecord, 'enableSso' | 'sshSettings'>;

/** The settings a create body sent (`inner` = properties.properties); 400 when they are malformed. */
export function accessSettingsOf(apiVersion: string, inner: unknown): AccessSettings {
  const body = parseBody(AccessSchema, inner);
  const settings: AccessSettings = {};
  if (hasComputeInstanceProperty(apiVersion, 'enableSSO') && typeof body.enableSSO === 'boolean') settings.enableSso = body.enableSSO;
  if (hasComputeInstanceProperty(apiVersion, 'sshSettings') && body.sshSettings) {
    settings.sshSettings = {
      sshPublicAccess: body.sshSettings.sshPublicAccess ?? 'Disabled',
      hasAdminPublicKey: typeof body.sshSettings.adminPublicKey === 'string' && body.sshSettings.adminPublicKey !== '',
    };
  }
  return settings;
}

/** enableSSO (Azure's default: on), sshSettings (public access off unless asked; port 22 when open) and the OS image. */
export function accessView(record: ComputeRecord): { enableSSO: boolean; sshSettings: object; osImageMetadata: object } {
  const publicAccess = record.sshSettings?.sshPublicAccess ?? 'Disabled';
  return {
    enableSSO: record.enableSso ?? true,
    sshSettings: { sshPublicAccess: publicAccess, adminUserName: 'azureuser', sshPort: publicAccess === 'Enabled' ? 22 : 50000 },
    osImageMetadata: OS_IMAGE,
  };
}

/** The image the emulator's instances "run": the latest, so nothing asks for an update. */
const OS_IMAGE = { currentImageVersion: '26.05.18', latestImageVersion: '26.05.18', isLatestOsImageVersion: true };
