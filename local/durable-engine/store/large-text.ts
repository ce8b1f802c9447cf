/**
 * Long text (inputs, outputs, events, the task ledger) in table rows. Table Storage caps a string
 * property at 64 KiB and an entity at 1 MiB, so, as the Azure Storage provider does with its
 * `{hub}-largemessages` container, text longer than one property goes to a blob and the row keeps
 * `{Name}BlobName`. Any size that fits a blob works; a row never exceeds the entity limit.
 *
 * Blob names start with the instance's prefix, so purging an instance deletes its blobs.
 */
import { randomUUID } from 'node:crypto';
import type { BlobContainer } from './storage-account';

/** 64 KiB of UTF-16 is 32 768 characters; stay below with room for the other properties. */
export const INLINE_LIMIT_CHARS = 30_000;

export type TextProperties = Record<string, string | number>;

/** True when a row refers to a blob that no longer exists (its instance was purged, or a newer row replaced it). */
export function isMissingBlob(error: unknown): boolean {
  return (error as { statusCode?: unknown } | null)?.statusCode === 404;
}

export class LargeTextStore {
  constructor(private readonly blobs: BlobContainer) {}

  /**
   * Properties holding `text` under `name`: inline when short, else a blob named
   * `{blobPrefix}{name}-{unique}` (or exactly `blobName` when given, for idempotent rewrites).
   */
  async encode(name: string, text: string | undefined, blob: { prefix: string } | { name: string }): Promise<TextProperties> {
    if (text === undefined) return {};
    if (text.length <= INLINE_LIMIT_CHARS) return { [name]: text };
    const blobName = 'name' in blob ? blob.name : `${blob.prefix}${name}-${randomUUID()}`;
    await this.blobs.put(blobName, text);
    return { [`${name}BlobName`]: blobName };
  }

  async decode(entity: Record<string, unknown>, name: string): Promise<string | undefined> {
    const whole = entity[name];
    if (typeof whole === 'string') return whole;
    const blobName = entity[`${name}BlobName`];
    if (typeof blobName === 'string') return this.blobs.getText(blobName);
    // Rows written before blobs were used: the text split over numbered properties.
    const parts = entity[`${name}Parts`];
    if (typeof parts !== 'number') return undefined;
    let text = '';
    for (let i = 0; i < parts; i++) text += String(entity[`${name}_${i}`] ?? '');
    return text;
  }

  /** Blobs a row refers to. */
  static blobNamesOf(entity: Record<string, unknown>): string[] {
    return Object.entries(entity)
      .filter(([key, value]) => key.endsWith('BlobName') && typeof value === 'string')
      .map(([, value]) => value as string);
  }

  async delete(blobNames: string[]): Promise<void> {
    for (const blobName of blobNames) await this.blobs.delete(blobName);
  }

  /** Deletes every blob of the instance (purge). */
  deleteInstance(instanceId: string): Promise<number> {
    return this.blobs.deletePrefix(instanceBlobPrefix(instanceId));
  }
}

/** `{instance}/`, the instance id made safe for a blob name path segment (no '/'; '~' escapes). */
export function instanceBlobPrefix(instanceId: string): string {
  const safe = instanceId.replace(/[^A-Za-z0-9._-]/gu, (char) =>
    [...Buffer.from(char, 'utf8')].map((byte) => `~${byte.toString(16).padStart(2, '0').toUpperCase()}`).join(''),
  );
  return `${safe}/`;
}

/** Container name for the hub's large payloads, as the Azure Storage provider names it. */
export function largeMessagesContainerName(hubName: string): string {
  return `${hubName.toLowerCase()}-largemessages`;
}
