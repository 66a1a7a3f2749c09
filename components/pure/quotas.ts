/**
 * The quotas a deployment needs, as Google names them (docs/platform-facts.md#prices-and-quotas): Cloud Run's GPU
 * allocation per project and region (one quota with GPU zonal redundancy, another without), and Model Armor's
 * load-balancer callout quota. A name not in our sources is left out rather than guessed.
 */
import { GpuType } from "./gpu";

/** One quota as the Quotas and system limits page (service Cloud Run Admin API) names it. */
export interface QuotaName {
    /** Its display name; undefined when no source gives it. */
    readonly name?: string;
    /** Its id in the Cloud Quotas API, where a source gives it. */
    readonly id?: string;
    readonly source: string;
    readonly read: string;
}

/** Per GPU type: how many quota units one GPU takes, and the quota with and without zonal redundancy. */
export interface GpuQuota {
    readonly unitsPerGpu: number;
    readonly unit: string;
    readonly zonalRedundancy: QuotaName;
    readonly noZonalRedundancy: QuotaName;
}

const READ = "2026-12-03";
const GPU_PAGE = "https://cloud.google.com/run/docs/configuring/services/gpu";
const OLLAMA_TUTORIAL = "https://docs.cloud.google.com/run/docs/tutorials/gpu-gemma-with-ollama";

export const GPU_QUOTAS: Readonly<Record<GpuType, GpuQuota>> = {
    "nvidia-l4": {
        unitsPerGpu: 1,
        unit: "GPU",
        noZonalRedundancy: {
            name: "Total Nvidia L4 GPU allocation without zonal redundancy, per project per region",
            id: "NvidiaL4GpuAllocNoZonalRedundancyPerProjectRegion",
            source: GPU_PAGE,
            read: READ,
        },
        zonalRedundancy: {
            name: "Total Nvidia L4 GPU allocation with zonal redundancy, per project per region",
            id: "NvidiaL4GpuAllocPerProjectRegion",
            source: GPU_PAGE,
            read: READ,
        },
    },
    "nvidia-rtx-pro-6000": {
        unitsPerGpu: 1000,
        unit: "milli GPU",
        noZonalRedundancy: {
            name: "Total Nvidia RTX Pro 6000 GPU allocation, in milli GPU, without zonal redundancy, per project per region",
            id: "NvidiaRtxPro6000GpuAllocNoZonalRedundancyPerProjectRegion",
            source: OLLAMA_TUTORIAL,
            read: READ,
        },
        // Its name is in none of our sources.
        zonalRedundancy: { source: GPU_PAGE, read: READ },
    },
};

/**
 * Model Armor's quota on requests from load balancers (ExternalProcessor, the callout path), shared by every
 * extension of the project. Past it callouts fail; a fail-closed extension then answers 500.
 */
export const MODEL_ARMOR_CALLOUT_QUOTA = {
    perMinute: 600,
    scope: "per project",
    source: "https://cloud.google.com/model-armor/quotas",
    read: READ,
} as const;
