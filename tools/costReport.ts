/**
 * The offline plan's costs and quotas: the Cloud Run services, forwarding rules and Model Armor chains read from the
 * RECORDED resources (not from the stack's config), priced and counted by `components/pure/costs.ts`, and printed.
 */
import {
    calloutArithmetic,
    costReport,
    CostReport,
    formatCount,
    ForwardingRuleUse,
    ScreeningChain,
    ServiceCost,
    ServiceSizing,
} from "../components/pure/costs";
import { memoryInMi } from "../components/pure/gpu";
import { isModelArmorEndpoint, REQUEST_BODY, RESPONSE_BODY } from "../components/pure/modelArmorSettings";
import { TYPES } from "../components/pure/resourceTypes";
import { listOf, valueAt } from "../components/pure/values";
import { RecordedResource } from "./mockRuntime";

/** A recorded number, or NaN when it is absent or not a number (`"8"` reads as 8). */
const asNumber = (value: unknown): number =>
    typeof value === "number" || (typeof value === "string" && value.trim() !== "") ? Number(value) : NaN;
const numberAt = (inputs: unknown, path: string) => asNumber(valueAt(inputs, path));

/** One recorded Cloud Run service's size and scaling. */
export function serviceSizing(service: RecordedResource): ServiceSizing {
    const inputs = service.inputs;
    const limits = valueAt(inputs, "template.containers.0.resources.limits") ?? {};
    const memory = typeof limits.memory === "string" ? memoryInMi(limits.memory) : undefined;
    return {
        name: typeof inputs.name === "string" ? inputs.name : service.name,
        region: String(inputs.location),
        gpuType: String(valueAt(inputs, "template.nodeSelector.accelerator")),
        gpus: asNumber(limits["nvidia.com/gpu"]),
        zonalRedundancy: valueAt(inputs, "template.gpuZonalRedundancyDisabled") !== true,
        cpu: asNumber(limits.cpu),
        memoryGiB: memory === undefined ? NaN : memory / 1024,
        minInstances: numberAt(inputs, "template.scaling.minInstanceCount"),
        maxInstances: numberAt(inputs, "template.scaling.maxInstanceCount"),
        concurrency: numberAt(inputs, "template.maxInstanceRequestConcurrency"),
    };
}

/** The Model Armor chains of the recorded traffic extensions: which bodies each sends to Model Armor. */
function screeningChains(resources: readonly RecordedResource[]): ScreeningChain[] {
    return resources
        .filter((r) => r.type === TYPES.trafficExtension)
        .flatMap((extension) =>
            listOf(extension.inputs.extensionChains).flatMap((chain: any) => {
                const callouts = listOf(chain?.extensions).filter((e: any) => isModelArmorEndpoint(e?.service));
                if (callouts.length === 0) return [];
                const events = callouts.flatMap((e: any) => listOf(e.supportedEvents));
                return [
                    {
                        name: String(chain?.name),
                        prompts: events.includes(REQUEST_BODY),
                        responses: events.includes(RESPONSE_BODY),
                        failOpen: callouts.some((e: any) => e.failOpen === true),
                    },
                ];
            }),
        );
}

/** What the cost report reads from the recorded resources. */
export function costInputsOf(resources: readonly RecordedResource[]) {
    return {
        services: resources.filter((r) => r.type === TYPES.cloudRunService).map(serviceSizing),
        forwardingRules: resources
            .filter((r) => r.type === TYPES.forwardingRule)
            .map((r): ForwardingRuleUse => ({
                name: typeof r.inputs.name === "string" ? r.inputs.name : r.name,
                region: String(r.inputs.region),
                scheme: String(r.inputs.loadBalancingScheme ?? "EXTERNAL"),
            })),
        chains: screeningChains(resources),
    };
}

/** The cost report of a plan's recorded resources, with the default assumptions. */
export function planCosts(resources: readonly RecordedResource[]): CostReport {
    return costReport(costInputsOf(resources));
}

/** `$1,037.27` */
const money = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** `$1.4209`, for hourly figures */
const rate = (n: number) => `$${n.toFixed(4)}`;
const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

function renderService(cost: ServiceCost, hoursPerMonth: number): string[] {
    const s = cost.service;
    const redundancy = s.zonalRedundancy ? "with" : "without";
    const lines = [
        `  ${s.name} (${s.region}): ${formatCount(s.gpus)} x ${s.gpuType} ${redundancy} zonal redundancy, ` +
            `${formatCount(s.cpu)} vCPU, ${formatCount(s.memoryGiB)} GiB; ${formatCount(s.minInstances)} to ` +
            `${plural(s.maxInstances, "instance")} x ${formatCount(s.concurrency)} requests at once`,
    ];
    const hour = cost.instanceHour;
    if (hour === undefined) {
        lines.push(`    one busy instance-hour: ${cost.unknown} (no price in components/pure/prices.ts)`);
        return lines;
    }
    lines.push(
        `    one busy instance-hour (billed per instance, CPU always allocated): ${rate(hour.total)} = ` +
            `GPU ${rate(hour.gpu)} + ${formatCount(s.cpu)} vCPU ${rate(hour.cpu)} + ` +
            `${formatCount(s.memoryGiB)} GiB ${rate(hour.memory)}`,
    );
    if (cost.floorPerMonth === undefined) {
        lines.push(`    a month: ${cost.unknown}`);
        return lines;
    }
    lines.push(
        `    floor: ${plural(s.minInstances, "instance")} x ${hoursPerMonth} h = ${money(cost.floorPerMonth)} a month; ` +
            `busy: ${plural(cost.busyHours, "instance-hour")} above it = ${money(cost.busyPerMonth!)}; ` +
            `ceiling: ${plural(s.maxInstances, "instance")} x ${hoursPerMonth} h = ${money(cost.ceilingPerMonth!)}`,
    );
    return lines;
}

/** The "Costs and quotas" section of the plan. */
export function renderCosts(report: CostReport): string[] {
    const { assumptions, monthly, callouts } = report;
    const read = [...new Set(report.prices.map((p) => p.read))].join(", ");
    const lines = [
        `Costs and quotas (list prices in USD before free tiers, discounts and taxes, from components/pure/prices.ts, read ${read}):`,
    ];
    for (const service of report.services) lines.push(...renderService(service, assumptions.hoursPerMonth));
    for (const rules of report.forwardingRules) {
        const head = `  forwarding rules (${rules.scheme}, ${rules.region}): ${rules.rules.length}`;
        lines.push(
            rules.perMonth === undefined
                ? `${head}, ${rules.unknown}`
                : `${head}, ${money(rules.perMonth)} a month${rules.assumed ? " (hourly rate ASSUMED: see components/pure/prices.ts)" : ""}; ` +
                      `data processed $${rules.inboundPerGib}/GiB in and $${rules.outboundPerGib}/GiB out, not included`,
        );
    }
    lines.push(
        `  Model Armor: ${report.modelArmor.freeTokensPerMonth.toLocaleString("en-US")} tokens a month free, then ` +
            `$${report.modelArmor.perMillionTokens.toFixed(2)} per million tokens screened`,
    );
    if (monthly.floor === undefined) {
        lines.push(`  a month: ${monthly.unknown.join("; ")}`);
    } else {
        lines.push(
            `  a month: ${money(monthly.floor)} floor only (minInstances around the clock, ${assumptions.hoursPerMonth} h, ` +
                `and forwarding rules); ${money(monthly.withBusyHours!)} with ${assumptions.busyHoursPerMonth} busy ` +
                `instance-hours per service above the floor (an assumption: 8 h x 22 days); ` +
                `${money(monthly.ceiling!)} with every instance around the clock` +
                (monthly.unknown.length ? `; not counted: ${monthly.unknown.join("; ")}` : ""),
        );
    }
    lines.push(
        "  not included: data processed by the load balancer, Model Armor tokens, internet egress, the model " +
            "bucket's storage, the model-pull job's runs; nor the free tiers, which lower the total",
    );
    lines.push(`  GPU quota (Cloud Run Admin API, per project per region; the sum of maxInstances):`);
    for (const need of report.gpuQuota) {
        const name = need.quota?.name
            ? `"${need.quota.name}"`
            : `its quota name is not in our sources (look for ${need.gpuType} under Cloud Run Admin API)`;
        lines.push(
            `    ${need.region} ${need.gpuType} ${need.zonalRedundancy ? "with" : "without"} zonal redundancy: ` +
                `${need.unit === "GPU" ? plural(need.amount, "GPU") : `${formatCount(need.amount)} ${need.unit}`} ` +
                `(${need.services.join(", ")}), ${name}`,
        );
    }
    if (callouts === undefined) {
        lines.push("  Model Armor callouts: no Model Armor chain in the plan");
    } else {
        lines.push(
            `  Model Armor callouts at most (quota ${callouts.quotaPerMinute} a minute per project): ` +
                `${calloutArithmetic(callouts)}: ${callouts.exceeds ? "OVER THE QUOTA (see the warning)" : "within it"}`,
        );
    }
    return lines;
}
