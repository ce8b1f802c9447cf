/**
 * Table Storage caps one string property at 64 KiB, so long JSON (inputs, outputs, histories) is
 * split over numbered properties: `Input` when short, else `InputParts` + `Input_0`, `Input_1`, ...
 */
const CHUNK_CHARS = 16_000;
const MAX_CHUNKS = 12;

export class ValueTooLargeError extends Error {
  constructor(name: string, length: number) {
    super(`${name} is ${length} characters; the local durable engine stores at most ${CHUNK_CHARS * MAX_CHUNKS}`);
    this.name = 'ValueTooLargeError';
  }
}

export type TextProperties = Record<string, string | number>;

export function encodeText(name: string, text: string | undefined): TextProperties {
  if (text === undefined) return {};
  if (text.length <= CHUNK_CHARS) return { [name]: text };
  const parts = Math.ceil(text.length / CHUNK_CHARS);
  if (parts > MAX_CHUNKS) throw new ValueTooLargeError(name, text.length);
  const properties: TextProperties = { [`${name}Parts`]: parts };
  for (let i = 0; i < parts; i++) properties[`${name}_${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  return properties;
}

export function decodeText(entity: Record<string, unknown>, name: string): string | undefined {
  const whole = entity[name];
  if (typeof whole === 'string') return whole;
  const parts = entity[`${name}Parts`];
  if (typeof parts !== 'number') return undefined;
  let text = '';
  for (let i = 0; i < parts; i++) text += String(entity[`${name}_${i}`] ?? '');
  return text;
}
