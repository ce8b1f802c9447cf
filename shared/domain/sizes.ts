/** Size labels → Azure VM sizes: each label takes the first of its candidates the region offers. */
import { SIZE_LABELS, type SizeLabel } from './server';
import type { VmSizeInfo } from './ports';

/** A label resolved to a VM size of the region, with what a person cares about: cores, memory, GPUs. */
export interface ResolvedSize {
  label: SizeLabel;
  vmSize: string;
  gpu: boolean;
  /** From the region's VM-size list (`virtualMachineSizes/list`). */
  vcpus: number;
  memoryGB: number;
  gpus: number;
  /** The GPU model, when the VM family is a known one (the VM-size list does not say it). */
  gpuName?: string;
}

/**
 * GPU models of the VM families Azure ML offers for compute instances, by VM size name. Azure's
 * VM-size list gives the GPU count but not the model; the family decides it
 * (https://learn.microsoft.com/azure/virtual-machines/sizes/overview, "GPU accelerated").
 * A size that matches none is shown without a model name.
 */
const GPU_MODELS: readonly (readonly [RegExp, string])[] = [
  [/_T4_v3$/i, 'NVIDIA T4'],
  [/_A100_v4$/i, 'NVIDIA A100'],
  [/^Standard_ND96a?sr_v4$/i, 'NVIDIA A100'],
  [/_H100_v5$/i, 'NVIDIA H100'],
  [/_A10_v5$/i, 'NVIDIA A10'],
  [/^Standard_NC\d+r?s_v3$/i, 'NVIDIA V100'],
  [/^Standard_ND40r?s_v2$/i, 'NVIDIA V100'],
  [/^Standard_NC\d+r?s_v2$/i, 'NVIDIA P100'],
  [/^Standard_ND\d+r?s$/i, 'NVIDIA P40'],
  [/^Standard_NC\d+r?$/i, 'NVIDIA K80'],
  [/^Standard_NV\d+s_v3$/i, 'NVIDIA M60'],
  [/^Standard_NV\d+$/i, 'NVIDIA M60'],
  [/^Standard_NV\d+as_v4$/i, 'AMD Radeon Instinct MI25'],
];

/** The GPU model of a VM size with GPUs, or null when it has none or its family is not known. */
export function gpuModelOf(vmSize: string, gpus: number): string | null {
  if (gpus <= 0) return null;
  return GPU_MODELS.find(([pattern]) => pattern.test(vmSize))?.[1] ?? null;
}

export function resolveSize(
  label: SizeLabel,
  candidates: readonly string[],
  offered: readonly VmSizeInfo[],
): ResolvedSize | null {
  const byName = new Map(offered.map((size) => [size.name.toLowerCase(), size]));
  for (const candidate of candidates) {
    const match = byName.get(candidate.toLowerCase());
    if (match) return describeSize(label, match);
  }
  return null;
}

function describeSize(label: SizeLabel, size: VmSizeInfo): ResolvedSize {
  const gpuName = gpuModelOf(size.name, size.gpus);
  return {
    label,
    vmSize: size.name,
    gpu: size.gpus > 0,
    vcpus: size.vCPUs,
    memoryGB: size.memoryGB,
    gpus: size.gpus,
    ...(gpuName === null ? {} : { gpuName }),
  };
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
