/** A function's RPC return value as a plain JS value (the reverse of the programming model's toRpcTypedData). */
import type { RpcTypedData } from './core-types';

export function fromRpcTypedData(data: RpcTypedData | null | undefined): unknown {
  if (!data) return undefined;
  if (typeof data.string === 'string') return data.string;
  if (typeof data.json === 'string') return JSON.parse(data.json);
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (typeof data.int === 'number') return data.int;
  if (typeof data.double === 'number') return data.double;
  return undefined;
}
