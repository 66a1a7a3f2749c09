/**
 * Cloud Run GPU facts (GCP-NOTES section 3). Region lists change as Google adds capacity: this table is the one
 * place to update, and the error that quotes it tells users which regions are known to work.
 */
export const GPU_TYPES = {
    "nvidia-l4": {
        minCpu: 4,
        minMemoryMi: 16 * 1024,
        regions: ["us-central1", "us-east4", "europe-west1", "europe-west4", "asia-southeast1", "asia-south1"],
    },
    "nvidia-rtx-pro-6000": {
        minCpu: 20,
        minMemoryMi: 80 * 1024,
        regions: ["us-central1", "europe-west4", "asia-southeast1", "asia-south2"],
    },
} as const;

export type GpuType = keyof typeof GPU_TYPES;
export const GPU_TYPE_NAMES = Object.keys(GPU_TYPES) as GpuType[];

/** Memory sizes as Cloud Run takes them for GPU services: a whole number of mebibytes or gibibytes. */
export const MEMORY_PATTERN = /^[1-9][0-9]*(Mi|Gi)$/;

/** Mebibytes in a Cloud Run memory size such as `"16Gi"`; undefined when it does not match {@link MEMORY_PATTERN}. */
export function memoryInMi(memory: string): number | undefined {
    const match = MEMORY_PATTERN.exec(memory);
    if (!match) return undefined;
    const amount = Number(memory.slice(0, -2));
    return match[1] === "Gi" ? amount * 1024 : amount;
}
