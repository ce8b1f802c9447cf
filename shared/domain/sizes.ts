/** Size labels → Azure VM sizes: each label takes the first of its candidates the region offers. */
import { SIZE_LABELS, type SizeLabel } from './server';
import type { VmSizeInfo } from './ports';

export interface ResolvedSize {
  label: SizeLabel;
  vmSize: string;
  gpu: boolean;
}

export function resolveSize(
  label: SizeLabel,
  candidates: readonly string[],
  offered: readonly VmSizeInfo[],
): ResolvedSize | null {
  const byName = new Map(offered.map((size) => [size.name.toLowerCase(), size]));
  for (const candidate of candidates) {
    const match = byName.get(candidate.toLowerCase());
    if (match) return { label, vmSize: match.name, gpu: match.gpus > 0 };
  }
  return null;
}

/** Every label the region can serve, in the order Small, Medium, Large, GPU. */
export function resolveSizes(
  candidates: Record<SizeLabel, readonly string[]>,
  offered: readonly VmSizeInfo[],
): ResolvedSize[] {
  return SIZE_LABELS.map((label) => resolveSize(label, candidates[label], offered)).filter(
    (size): size is ResolvedSize => size !== null,
  );
}
