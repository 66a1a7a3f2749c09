/**
 * The list prices the offline plan's cost report uses (docs/platform-facts.md#prices-and-quotas): ONE table, each price
 * with its public source and the date it was read. A region (or load-balancing scheme, or GPU type) that is not here
 * has no known price: the report says "unknown for ..." rather than borrow another region's. Prices change: read the
 * sources again, then update the entry and its `read` date.
 */
import { GpuType } from "./gpu";

/** One list price in USD, as read. */
export interface ListPrice {
    readonly usd: number;
    /** What one `usd` buys, e.g. "GPU-second", "hour", "GiB". */
    readonly per: string;
    /** The public page the price is published on. */
    readonly source: string;
    /** When it was read (YYYY-MM-DD). */
    readonly read: string;
    /** How it was read, when not from the source page itself, or what is assumed. */
    readonly note?: string;
    /** True when the figure is an assumption stated in `note`, not a price read for this region. */
    readonly assumed?: boolean;
}

/** Cloud Run's instance-based prices in one region (services with CPU always allocated, and jobs). */
export interface CloudRunRegionPrices {
    readonly vcpuSecond: ListPrice;
    readonly gibSecond: ListPrice;
    /** Per GPU type: with and without GPU zonal redundancy. */
    readonly gpuSecond: Readonly<
        Partial<Record<GpuType, { readonly zonalRedundancy: ListPrice; readonly noZonalRedundancy: ListPrice }>>
    >;
}

/** A regional load balancer's prices for one load-balancing scheme in one region. */
export interface LoadBalancerPrices {
    /** The hourly charge that covers the first `minimumCovers` forwarding rules of the region. */
    readonly forwardingRuleMinimumHour: ListPrice;
    readonly minimumCovers: number;
    /** Each forwarding rule beyond those, per hour. */
    readonly forwardingRuleAdditionalHour: ListPrice;
    readonly inboundGib: ListPrice;
    readonly outboundGib: ListPrice;
}

const READ = "2026-12-03";
const CLOUD_RUN = "https://cloud.google.com/run/pricing";
const LOAD_BALANCING = "https://cloud.google.com/load-balancing/pricing";
const MODEL_ARMOR = "https://cloud.google.com/security-command-center/pricing#model-armor";
/** How the Cloud Run figures below other than the vCPU price were read. */
const TRANSCRIBED =
    "the region's figure on the pricing page as quoted by several public cost write-ups (2026-04 to 2026-10), all agreeing";

const cloudRun = (usd: number, per: string, note?: string): ListPrice => ({
    usd,
    per,
    source: CLOUD_RUN,
    read: READ,
    ...(note ? { note } : {}),
});

/** The prices, by product, then region (then scheme or GPU type). */
export const PRICES: {
    readonly cloudRun: Readonly<Record<string, CloudRunRegionPrices>>;
    readonly loadBalancer: Readonly<Record<string, Readonly<Record<string, LoadBalancerPrices>>>>;
    readonly modelArmor: { readonly freeTokensPerMonth: number; readonly millionTokens: ListPrice };
} = {
    cloudRun: {
        "us-central1": {
            vcpuSecond: cloudRun(0.000018, "vCPU-second"),
            gibSecond: cloudRun(0.000002, "GiB-second", TRANSCRIBED),
            gpuSecond: {
                "nvidia-l4": {
                    noZonalRedundancy: cloudRun(0.0001867, "GPU-second", TRANSCRIBED),
                    zonalRedundancy: cloudRun(0.0002909, "GPU-second", TRANSCRIBED),
                },
                "nvidia-rtx-pro-6000": {
                    noZonalRedundancy: cloudRun(0.00036522, "GPU-second", TRANSCRIBED),
                    zonalRedundancy: cloudRun(0.00056913, "GPU-second", TRANSCRIBED),
                },
            },
        },
    },
    loadBalancer: {
        "us-central1": {
            // Regional external Application Load Balancer: billed like the global and classic ones (forwarding
            // rules and data processed), unlike the internal one, which has a pricing section of its own.
            EXTERNAL_MANAGED: {
                forwardingRuleMinimumHour: {
                    usd: 0.025,
                    per: "hour",
                    source: LOAD_BALANCING,
                    read: READ,
                    assumed: true,
                    note:
                        "ASSUMED: the SKU 'Regional External Application Load Balancer Forwarding Rule Minimum' exists " +
                        "per region, but its us-central1 figure was not read; this is the global table's rate for the " +
                        "first 5 forwarding rules (Taiwan's regional minimum is also $0.025/h, Frankfurt's $0.030/h)",
                },
                minimumCovers: 5,
                forwardingRuleAdditionalHour: {
                    usd: 0.01,
                    per: "hour",
                    source: LOAD_BALANCING,
                    read: READ,
                    assumed: true,
                    note: "ASSUMED: the global table's rate per forwarding rule beyond the first 5",
                },
                inboundGib: { usd: 0.008, per: "GiB", source: LOAD_BALANCING, read: READ },
                outboundGib: { usd: 0.008, per: "GiB", source: LOAD_BALANCING, read: READ },
            },
        },
    },
    modelArmor: {
        freeTokensPerMonth: 2_000_000,
        millionTokens: {
            usd: 0.1,
            per: "million tokens",
            source: MODEL_ARMOR,
            read: READ,
            note: "beyond the free 2 million a month; the same figures are on cloud.google.com/security/products/model-armor",
        },
    },
};

/** Hours in a month, as Google's pricing calculator counts them. */
export const HOURS_PER_MONTH = 730;
