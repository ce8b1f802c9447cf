/**
 * Keys for Table Storage. PartitionKey/RowKey may not contain / \ # ? or control characters, so
 * instance ids are percent-escaped for those (and for % itself). Queue-like rows sort by due time:
 * their RowKey starts with the due time in milliseconds, zero-padded.
 */
const FORBIDDEN = /[%/\\#?\u0000-\u001f\u007f-\u009f]/g;

export function toTableKey(id: string): string {
  return id.replace(FORBIDDEN, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

export function fromTableKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const DUE_WIDTH = 15;

export function dueRowKey(dueMs: number, unique: string): string {
  return `${String(Math.max(0, Math.floor(dueMs))).padStart(DUE_WIDTH, '0')}_${unique}`;
}

/** The smallest RowKey after every row due at or before `dueMs`. */
export function dueUpperBound(dueMs: number): string {
  return `${String(Math.max(0, Math.floor(dueMs))).padStart(DUE_WIDTH, '0')}~`;
}

export function dueFromRowKey(rowKey: string): number {
  return Number(rowKey.slice(0, DUE_WIDTH));
}

/** Escapes a string literal for an OData filter. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
