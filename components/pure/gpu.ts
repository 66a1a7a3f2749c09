/**
 * Cloud Run GPU facts (docs/platform-facts.md#cloud-run-gpu). Region lists change as Google adds capacity: this table is the one
 * place to update, and the error that quotes it tells users which regions are known to work.
 */
export const GPU_TYPES = {
    // At most Cloud Run's 8 vCPU and 32 GiB per instance; the RTX PRO 6000 needs more than that, and its own
    // maximum is not in our sources, so it is left to the API.
    "nvidia-l4": {
        minCpu: 4,
        maxCpu: 8,
        minMemoryMi: 16 * 1024,
        maxMemoryMi: 32 * 1024,
        regions: ["us-central1", "us-east4", "europe-west1", "europe-west4", "asia-southeast1", "asia-south1"],
    },
    "nvidia-rtx-pro-6000": {
        minCpu: 20,
        maxCpu: undefined,
        minMemoryMi: 80 * 1024,
        maxMemoryMi: undefined,
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

/**
 * CPU counts a Cloud Run job task may have, each with the most memory it allows (Cloud Run's per-CPU limits:
 * 4 GiB for 1, 8 GiB for 2, 16 GiB for 4, 24 GiB for 6, 32 GiB for 8).
 */
export const JOB_CPU_MAX_MEMORY_MI: Readonly<Record<number, number>> = {
    1: 4096,
    2: 8192,
    4: 16384,
    6: 24576,
    8: 32768,
};
