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
 * The whole CPU counts Cloud Run offers up to 8, each with the memory range it allows, the same for services and job
 * tasks (Cloud Run "Configure CPU limits" and "Configure memory limits"; second generation minimum 512 MiB):
 * 1 CPU up to 4 GiB, 2 up to 8, 4 from 2 to 16, 6 from 4 to 24, 8 from 4 to 32.
 */
export const CPU_MEMORY_RANGE_MI: Readonly<Record<number, { readonly min: number; readonly max: number }>> = {
    1: { min: 512, max: 4096 },
    2: { min: 512, max: 8192 },
    4: { min: 2048, max: 16384 },
    6: { min: 4096, max: 24576 },
    8: { min: 4096, max: 32768 },
};
export const CPU_COUNTS = Object.keys(CPU_MEMORY_RANGE_MI).map(Number);

/**
 * What is wrong with `memoryMi` beside `cpu` CPU by Cloud Run's table, as the end of an error about the memory;
 * undefined when it fits or the CPU count is not in the table. `cpuKey` names the CPU setting to change.
 */
export function cpuMemoryProblem(cpu: number, memoryMi: number, cpuKey: string): string | undefined {
    const range = CPU_MEMORY_RANGE_MI[cpu];
    if (range === undefined || (memoryMi >= range.min && memoryMi <= range.max)) return undefined;
    const gi = (mi: number) => (mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`);
    if (memoryMi < range.min) return `must be at least ${gi(range.min)} with ${cpu} CPU (Cloud Run's minimum)`;
    const enough = CPU_COUNTS.find((c) => CPU_MEMORY_RANGE_MI[c].max >= memoryMi);
    return enough === undefined
        ? `must be at most ${gi(CPU_MEMORY_RANGE_MI[8].max)} (Cloud Run's largest instance of up to 8 CPU)`
        : `needs ${cpuKey} of at least ${enough} (Cloud Run allows ${gi(range.max)} with ${cpu} CPU)`;
}
