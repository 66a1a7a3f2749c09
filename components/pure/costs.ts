/**
 * What a plan costs to run and which quotas it needs, from plain descriptions of its Cloud Run services, forwarding
 * rules and Model Armor chains, priced by the one table in `prices.ts` (docs/platform-facts.md#prices-and-quotas).
 * Pure arithmetic: the offline plan reads the descriptions from the resources it recorded.
 */
import { HOURS_PER_MONTH, ListPrice, PRICES } from "./prices";
import { GPU_QUOTAS, GpuQuota, MODEL_ARMOR_CALLOUT_QUOTA, QuotaName } from "./quotas";

/** One Cloud Run service as deployed: its instance size and scaling. */
export interface ServiceSizing {
    readonly name: string;
    readonly region: string;
    /** `template.nodeSelector.accelerator`, e.g. "nvidia-l4". */
    readonly gpuType: string;
    /** GPUs per instance (`nvidia.com/gpu`). */
    readonly gpus: number;
    /** GPU zonal redundancy: on unless `gpuZonalRedundancyDisabled` is true. */
    readonly zonalRedundancy: boolean;
    readonly cpu: number;
    readonly memoryGiB: number;
    readonly minInstances: number;
    readonly maxInstances: number;
    /** Requests one instance takes at once (`maxInstanceRequestConcurrency`). */
    readonly concurrency: number;
}

/** One regional forwarding rule. */
export interface ForwardingRuleUse {
    readonly name: string;
    readonly region: string;
    /** `loadBalancingScheme`, e.g. EXTERNAL_MANAGED. */
    readonly scheme: string;
}

/** One Model Armor chain of a traffic extension: which bodies it sends to Model Armor. */
export interface ScreeningChain {
    readonly name: string;
    readonly prompts: boolean;
    readonly responses: boolean;
    readonly failOpen: boolean;
}

/** What the report assumes, stated with every figure that depends on it. */
export interface CostAssumptions {
    readonly hoursPerMonth: number;
    /** Instance-hours per service per month above the floor (the instances `minInstances` keeps). */
    readonly busyHoursPerMonth: number;
    /** How long one request holds its place on an instance, for the callout rate. */
    readonly secondsPerRequest: number;
}

/** 8 busy hours on 22 working days; requests of 10 s. */
export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = {
    hoursPerMonth: HOURS_PER_MONTH,
    busyHoursPerMonth: 8 * 22,
    secondsPerRequest: 10,
};

/** One busy instance-hour of a service, by part, in USD. */
export interface InstanceHour {
    readonly gpu: number;
    readonly cpu: number;
    readonly memory: number;
    readonly total: number;
}

export interface ServiceCost {
    readonly service: ServiceSizing;
    /** Absent when a price is unknown (see `unknown`). */
    readonly instanceHour?: InstanceHour;
    /** Why it cannot be priced, e.g. "unknown for europe-west4". */
    readonly unknown?: string;
    /** `minInstances` around the clock. */
    readonly floorPerMonth?: number;
    /** The busy instance-hours above the floor (at most what `maxInstances` allows). */
    readonly busyHours: number;
    readonly busyPerMonth?: number;
    /** `maxInstances` around the clock. */
    readonly ceilingPerMonth?: number;
}

export interface ForwardingRuleCost {
    readonly region: string;
    readonly scheme: string;
    readonly rules: readonly string[];
    readonly perMonth?: number;
    readonly inboundPerGib?: number;
    readonly outboundPerGib?: number;
    /** True when the hourly figure rests on an assumption (the price's `note` says which). */
    readonly assumed: boolean;
    readonly unknown?: string;
}

/** The GPU quota one region and GPU type needs: the sum of `maxInstances` x GPUs of its services. */
export interface GpuQuotaNeed {
    readonly region: string;
    readonly gpuType: string;
    readonly zonalRedundancy: boolean;
    readonly amount: number;
    readonly unit: string;
    /** Undefined for a GPU type the quota table does not know. */
    readonly quota?: QuotaName;
    readonly services: readonly string[];
}

/** The worst case of Model Armor callouts: every instance of every service busy, each with `concurrency` requests. */
export interface CalloutEstimate {
    /** "20 x 8 (prod-ollama) + ...", maxInstances x concurrency per service. */
    readonly terms: string;
    readonly inFlight: number;
    readonly secondsPerRequest: number;
    readonly requestsPerMinute: number;
    readonly calloutsPerRequest: number;
    /** "prompt and response", "prompt" or "response". */
    readonly sides: string;
    readonly calloutsPerMinute: number;
    readonly quotaPerMinute: number;
    readonly exceeds: boolean;
    readonly failOpen: boolean;
}

/**
 * The monthly totals, given when every service is priced. They leave out what `unknown` lists, e.g. forwarding rules
 * of a load-balancing scheme without a known price.
 */
export interface MonthlyCost {
    /** Services' floors and forwarding rules. */
    readonly floor?: number;
    /** The floor and the busy hours. */
    readonly withBusyHours?: number;
    /** Every instance around the clock, and forwarding rules. */
    readonly ceiling?: number;
    /** What has no known price; empty when everything has one. */
    readonly unknown: readonly string[];
}

export interface CostReport {
    readonly assumptions: CostAssumptions;
    readonly services: readonly ServiceCost[];
    readonly forwardingRules: readonly ForwardingRuleCost[];
    readonly modelArmor: { readonly freeTokensPerMonth: number; readonly perMillionTokens: number };
    readonly monthly: MonthlyCost;
    readonly gpuQuota: readonly GpuQuotaNeed[];
    /** Absent when the plan has no Model Armor chain. */
    readonly callouts?: CalloutEstimate;
    readonly warnings: readonly string[];
    /** Every price the figures used, with its source and the date it was read. */
    readonly prices: readonly (ListPrice & { readonly item: string })[];
}

/** USD to the millionth of a dollar, so that sums print and compare without float noise. */
const usd = (value: number) => Math.round(value * 1e6) / 1e6;
const isSize = (n: number) => Number.isFinite(n) && n >= 0;
/** `table[key]` when the table itself holds the key (not `constructor` and the like). */
const entry = <T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
    table !== undefined && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;

/** The prices of one busy instance-hour of `service`, or why they are unknown. */
function servicePrices(
    service: ServiceSizing,
): { gpu: ListPrice; cpu: ListPrice; memory: ListPrice } | { unknown: string } {
    const region = entry(PRICES.cloudRun, service.region);
    if (region === undefined) return { unknown: `unknown for ${service.region}` };
    const gpu = entry(region.gpuSecond, service.gpuType);
    if (gpu === undefined) return { unknown: `unknown for ${service.gpuType} in ${service.region}` };
    return {
        gpu: service.zonalRedundancy ? gpu.zonalRedundancy : gpu.noZonalRedundancy,
        cpu: region.vcpuSecond,
        memory: region.gibSecond,
    };
}

/** What one busy instance-hour of `service` costs (GPU, vCPU and memory billed for the instance's whole life). */
export function instanceHour(service: ServiceSizing): InstanceHour | { unknown: string } {
    const sizes = [service.gpus, service.cpu, service.memoryGiB];
    if (!sizes.every(isSize)) return { unknown: "unknown: the instance size is not in the recorded inputs" };
    const prices = servicePrices(service);
    if ("unknown" in prices) return prices;
    const gpu = 3600 * service.gpus * prices.gpu.usd;
    const cpu = 3600 * service.cpu * prices.cpu.usd;
    const memory = 3600 * service.memoryGiB * prices.memory.usd;
    return { gpu: usd(gpu), cpu: usd(cpu), memory: usd(memory), total: usd(gpu + cpu + memory) };
}

/** The busy instance-hours of `service` above its floor: the assumption, capped by what its maxInstances allows. */
function busyHoursOf(service: ServiceSizing, assumptions: CostAssumptions): number {
    const headroom = Math.max(0, service.maxInstances - service.minInstances) * assumptions.hoursPerMonth;
    return Number.isFinite(headroom) ? Math.min(assumptions.busyHoursPerMonth, headroom) : 0;
}

export function serviceCost(service: ServiceSizing, assumptions = DEFAULT_COST_ASSUMPTIONS): ServiceCost {
    const hour = instanceHour(service);
    const busyHours = busyHoursOf(service, assumptions);
    if ("unknown" in hour) return { service, unknown: hour.unknown, busyHours };
    if (!isSize(service.minInstances) || !isSize(service.maxInstances)) {
        return {
            service,
            instanceHour: hour,
            unknown: "unknown: the scaling is not in the recorded inputs",
            busyHours,
        };
    }
    return {
        service,
        instanceHour: hour,
        floorPerMonth: usd(service.minInstances * assumptions.hoursPerMonth * hour.total),
        busyHours,
        busyPerMonth: usd(busyHours * hour.total),
        ceilingPerMonth: usd(service.maxInstances * assumptions.hoursPerMonth * hour.total),
    };
}

/** The forwarding rules' hourly charge per region and scheme, around the clock. */
export function forwardingRuleCosts(
    rules: readonly ForwardingRuleUse[],
    assumptions = DEFAULT_COST_ASSUMPTIONS,
): ForwardingRuleCost[] {
    const groups = new Map<string, ForwardingRuleUse[]>();
    for (const rule of rules) {
        const key = `${rule.region} ${rule.scheme}`;
        groups.set(key, [...(groups.get(key) ?? []), rule]);
    }
    return [...groups.values()].map((group) => {
        const { region, scheme } = group[0];
        const names = group.map((r) => r.name);
        const prices = entry(entry(PRICES.loadBalancer, region), scheme);
        if (prices === undefined) {
            const unknown = entry(PRICES.loadBalancer, region)
                ? `unknown for ${scheme} in ${region}`
                : `unknown for ${region}`;
            return { region, scheme, rules: names, assumed: false, unknown };
        }
        const additional = Math.max(0, group.length - prices.minimumCovers);
        const hourly = prices.forwardingRuleMinimumHour.usd + additional * prices.forwardingRuleAdditionalHour.usd;
        return {
            region,
            scheme,
            rules: names,
            perMonth: usd(hourly * assumptions.hoursPerMonth),
            inboundPerGib: prices.inboundGib.usd,
            outboundPerGib: prices.outboundGib.usd,
            assumed: Boolean(prices.forwardingRuleMinimumHour.assumed || prices.forwardingRuleAdditionalHour.assumed),
        };
    });
}

/**
 * The GPU quota the services need, per region, GPU type and zonal redundancy (each a quota of its own): the sum of
 * their maxInstances x GPUs, in the quota's unit.
 */
export function gpuQuotaNeeds(services: readonly ServiceSizing[]): GpuQuotaNeed[] {
    const needs = new Map<string, GpuQuotaNeed>();
    for (const s of services) {
        const key = `${s.region} ${s.gpuType} ${s.zonalRedundancy}`;
        const quota = entry<GpuQuota>(GPU_QUOTAS, s.gpuType);
        const units = quota?.unitsPerGpu ?? 1;
        const before = needs.get(key);
        needs.set(key, {
            region: s.region,
            gpuType: s.gpuType,
            zonalRedundancy: s.zonalRedundancy,
            amount: (before?.amount ?? 0) + s.maxInstances * s.gpus * units,
            unit: quota?.unit ?? "GPU",
            quota:
                quota === undefined ? undefined : s.zonalRedundancy ? quota.zonalRedundancy : quota.noZonalRedundancy,
            services: [...(before?.services ?? []), s.name],
        });
    }
    return [...needs.values()];
}

/** A number as the arithmetic prints it: whole, or to two decimals; "?" when it was not recorded. */
export const formatCount = (n: number) =>
    !Number.isFinite(n) ? "?" : Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, "");

/**
 * The most Model Armor callouts a minute the services can cause: every instance busy with `concurrency` requests of
 * `secondsPerRequest` each, and as many callouts per request as the chain that makes the most (one per screened
 * body). Undefined without a chain.
 */
export function calloutWorstCase(
    services: readonly ServiceSizing[],
    chains: readonly ScreeningChain[],
    secondsPerRequest = DEFAULT_COST_ASSUMPTIONS.secondsPerRequest,
): CalloutEstimate | undefined {
    if (chains.length === 0) return undefined;
    const busiest = chains.reduce((a, b) => (calls(b) > calls(a) ? b : a));
    const calloutsPerRequest = calls(busiest);
    const inFlight = services.reduce((sum, s) => sum + s.maxInstances * s.concurrency, 0);
    const requestsPerMinute = (inFlight * 60) / secondsPerRequest;
    const calloutsPerMinute = requestsPerMinute * calloutsPerRequest;
    return {
        terms: services.map((s) => `${s.maxInstances} x ${s.concurrency} (${s.name})`).join(" + "),
        inFlight,
        secondsPerRequest,
        requestsPerMinute,
        calloutsPerRequest,
        sides: [busiest.prompts ? "prompt" : "", busiest.responses ? "response" : ""].filter(Boolean).join(" and "),
        calloutsPerMinute,
        quotaPerMinute: MODEL_ARMOR_CALLOUT_QUOTA.perMinute,
        exceeds: calloutsPerMinute > MODEL_ARMOR_CALLOUT_QUOTA.perMinute,
        failOpen: chains.some((c) => c.failOpen),
    };
}

const calls = (chain: ScreeningChain) => Number(chain.prompts) + Number(chain.responses);

/** The arithmetic of `estimate`, as the report and the warning print it. */
export function calloutArithmetic(estimate: CalloutEstimate): string {
    const { inFlight, secondsPerRequest: s } = estimate;
    return (
        `maxInstances x concurrency: ${estimate.terms} = ${inFlight} requests at once; at an assumed ${formatCount(s)} s ` +
        `per request, ${inFlight} x 60 / ${formatCount(s)} = ${formatCount(estimate.requestsPerMinute)} requests a minute, ` +
        `x ${estimate.calloutsPerRequest} callout${estimate.calloutsPerRequest === 1 ? "" : "s"} each ` +
        `(${estimate.sides || "none screened"}) = ${formatCount(estimate.calloutsPerMinute)} callouts a minute`
    );
}

/** The plan's warning when the worst case exceeds the callout quota. */
export function calloutWarning(estimate: CalloutEstimate): string | undefined {
    if (!estimate.exceeds) return undefined;
    const failure = estimate.failOpen
        ? "a fail-open chain lets its requests through unscreened, a fail-closed one answers 500"
        : "the fail-closed extension answers 500";
    return (
        `Model Armor callouts can exceed the load balancer callout quota of ${estimate.quotaPerMinute} a minute ` +
        `${MODEL_ARMOR_CALLOUT_QUOTA.scope}: ${calloutArithmetic(estimate)}. Past the quota callouts fail and ${failure}: ` +
        `lower maxInstances or concurrency, ask Google for more Model Armor quota, or throttle clients with ` +
        `guarded-llm:cloudArmor`
    );
}

/** The whole report: each service, the forwarding rules, Model Armor, the monthly figures, quotas and warnings. */
export function costReport(
    input: {
        readonly services: readonly ServiceSizing[];
        readonly forwardingRules: readonly ForwardingRuleUse[];
        readonly chains: readonly ScreeningChain[];
    },
    assumptions = DEFAULT_COST_ASSUMPTIONS,
): CostReport {
    const services = input.services.map((s) => serviceCost(s, assumptions));
    const forwardingRules = forwardingRuleCosts(input.forwardingRules, assumptions);
    const unknown = [
        ...new Set([...services, ...forwardingRules].flatMap((c) => (c.unknown === undefined ? [] : [c.unknown]))),
    ];
    const sum = (values: (number | undefined)[]) => usd(values.reduce<number>((a, b) => a + (b ?? 0), 0));
    const rules = sum(forwardingRules.map((r) => r.perMonth));
    const floor = sum(services.map((s) => s.floorPerMonth)) + rules;
    const known = services.every((s) => s.unknown === undefined);
    const callouts = calloutWorstCase(input.services, input.chains, assumptions.secondsPerRequest);
    const warning = callouts && calloutWarning(callouts);
    return {
        assumptions,
        services,
        forwardingRules,
        modelArmor: {
            freeTokensPerMonth: PRICES.modelArmor.freeTokensPerMonth,
            perMillionTokens: PRICES.modelArmor.millionTokens.usd,
        },
        monthly: {
            ...(known
                ? {
                      floor: usd(floor),
                      withBusyHours: usd(floor + sum(services.map((s) => s.busyPerMonth))),
                      ceiling: usd(sum(services.map((s) => s.ceilingPerMonth)) + rules),
                  }
                : {}),
            unknown,
        },
        gpuQuota: gpuQuotaNeeds(input.services),
        ...(callouts ? { callouts } : {}),
        warnings: warning ? [warning] : [],
        prices: pricesUsed(input.services, input.forwardingRules),
    };
}

/** The table entries the figures used, each once. */
function pricesUsed(
    services: readonly ServiceSizing[],
    rules: readonly ForwardingRuleUse[],
): (ListPrice & { item: string })[] {
    const used = new Map<string, ListPrice & { item: string }>();
    const add = (item: string, price: ListPrice) => used.set(item, { item, ...price });
    for (const s of services) {
        const prices = servicePrices(s);
        if ("unknown" in prices) continue;
        const redundancy = s.zonalRedundancy ? "with" : "without";
        add(`Cloud Run ${s.gpuType} ${redundancy} zonal redundancy, ${s.region}`, prices.gpu);
        add(`Cloud Run vCPU (instance-based), ${s.region}`, prices.cpu);
        add(`Cloud Run memory (instance-based), ${s.region}`, prices.memory);
    }
    for (const r of rules) {
        const prices = entry(entry(PRICES.loadBalancer, r.region), r.scheme);
        if (prices === undefined) continue;
        const where = `${r.scheme}, ${r.region}`;
        add(`forwarding rules, first ${prices.minimumCovers}, ${where}`, prices.forwardingRuleMinimumHour);
        add(`forwarding rule beyond ${prices.minimumCovers}, ${where}`, prices.forwardingRuleAdditionalHour);
        add(`data processed inbound, ${where}`, prices.inboundGib);
        add(`data processed outbound, ${where}`, prices.outboundGib);
    }
    add("Model Armor", PRICES.modelArmor.millionTokens);
    return [...used.values()];
}
