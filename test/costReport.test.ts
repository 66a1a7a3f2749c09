import * as assert from "assert";
import * as path from "path";
import { calloutWorstCase, DEFAULT_COST_ASSUMPTIONS, ServiceSizing } from "../components/pure/costs";
import { HOURS_PER_MONTH, PRICES } from "../components/pure/prices";
import { GPU_QUOTAS, MODEL_ARMOR_CALLOUT_QUOTA } from "../components/pure/quotas";
import { TYPES } from "../components/pure/resourceTypes";
import { planCosts, renderCosts } from "../tools/costReport";
import { RecordedResource } from "../tools/mockRuntime";
import { buildPlan, toStackExport } from "../tools/planner";
import { renderPlan } from "../tools/renderPlan";
import { readStackExport } from "../tools/stackExport";
import { readStackFile } from "../tools/stackFile";
import { runtime, shippedPlan, STACKS_DIR } from "./harness";

const usCentral = PRICES.cloudRun["us-central1"];
const l4 = usCentral.gpuSecond["nvidia-l4"]!;
const externalLb = PRICES.loadBalancer["us-central1"].EXTERNAL_MANAGED;
const { busyHoursPerMonth } = DEFAULT_COST_ASSUMPTIONS;

/** The stack file's `guarded-llm:ollama` object. */
const ollamaConfig = (stack: string) =>
    JSON.parse(readStackFile(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`)).config["guarded-llm:ollama"]);

/** What one busy instance-hour of an L4 service without zonal redundancy costs, from the table's entries. */
const l4Hour = (cpu: number, memoryGiB: number) =>
    3600 * (l4.noZonalRedundancy.usd + cpu * usCentral.vcpuSecond.usd + memoryGiB * usCentral.gibSecond.usd);

/** Equal to the millionth of a dollar, the report's precision. */
function assertUsd(actual: number | undefined, expected: number, what: string) {
    assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${what}: ${actual} != ${expected}`);
}

/** A copy of a plan's resources, with `edit` applied to each Cloud Run service and forwarding rule. */
function edited(resources: RecordedResource[], edit: (r: RecordedResource) => void): RecordedResource[] {
    const copy: RecordedResource[] = structuredClone(resources);
    copy.filter((r) => r.type === TYPES.cloudRunService || r.type === TYPES.forwardingRule).forEach(edit);
    return copy;
}

describe("cost and quota report", () => {
    it("prices prod from the table: one busy instance-hour, the floor, busy hours and the month", async () => {
        const { costs } = await shippedPlan("prod");
        // Worked out by hand from us-central1's list prices (read 2026-12-03): an L4 without zonal redundancy, 8 vCPU
        // and 32 GiB for 3,600 s is $0.6721 + $0.5184 + $0.2304; one warm instance for 730 h a month.
        const printed = renderCosts(costs).join("\n");
        assert.match(
            printed,
            /one busy instance-hour \(billed per instance, CPU always allocated\): \$1\.4209 = GPU \$0\.6721 \+ 8 vCPU \$0\.5184 \+ 32 GiB \$0\.2304/,
        );
        assert.match(printed, /floor: 1 instance x 730 h = \$1,037\.27 a month/);
        const ollama = ollamaConfig("prod");
        const [service] = costs.services;
        assert.deepStrictEqual(service.service, {
            name: "prod-ollama",
            region: "us-central1",
            gpuType: ollama.gpuType,
            gpus: 1,
            zonalRedundancy: false,
            cpu: ollama.cpu,
            memoryGiB: parseInt(ollama.memory, 10),
            minInstances: ollama.minInstances,
            maxInstances: ollama.maxInstances,
            concurrency: ollama.concurrency,
        });
        const hour = l4Hour(ollama.cpu, parseInt(ollama.memory, 10));
        assertUsd(service.instanceHour?.gpu, 3600 * l4.noZonalRedundancy.usd, "GPU");
        assertUsd(service.instanceHour?.total, hour, "instance-hour");
        const floor = ollama.minInstances * HOURS_PER_MONTH * hour;
        assertUsd(service.floorPerMonth, floor, "floor");
        assertUsd(service.busyPerMonth, busyHoursPerMonth * hour, "busy");
        assertUsd(service.ceilingPerMonth, ollama.maxInstances * HOURS_PER_MONTH * hour, "ceiling");

        // Two forwarding rules (HTTPS and the redirect): within the minimum charge's first five.
        assert.deepStrictEqual(
            costs.forwardingRules.map((r) => r.rules),
            [["prod-lb-http", "prod-lb-https"]],
        );
        const rules = HOURS_PER_MONTH * externalLb.forwardingRuleMinimumHour.usd;
        assertUsd(costs.forwardingRules[0].perMonth, rules, "forwarding rules");
        assert.strictEqual(costs.forwardingRules[0].assumed, true, "the regional hourly rate is an assumption");
        assertUsd(costs.monthly.floor, floor + rules, "a month, floor only");
        assertUsd(costs.monthly.withBusyHours, floor + rules + busyHoursPerMonth * hour, "a month with busy hours");
        assert.deepStrictEqual(costs.monthly.unknown, []);
        assert.deepStrictEqual(costs.warnings, [], "prod stays within the callout quota");
    });

    it("prices dev from the table: nothing warm, so the floor is the forwarding rule alone", async () => {
        const { costs } = await shippedPlan("dev");
        const ollama = ollamaConfig("dev");
        const hour = l4Hour(ollama.cpu, parseInt(ollama.memory, 10));
        const [service] = costs.services;
        assertUsd(service.instanceHour?.total, hour, "instance-hour");
        assertUsd(service.floorPerMonth, 0, "floor");
        assertUsd(service.busyPerMonth, busyHoursPerMonth * hour, "busy");
        const rules = HOURS_PER_MONTH * externalLb.forwardingRuleMinimumHour.usd;
        assert.deepStrictEqual(costs.forwardingRules[0].rules, ["dev-lb-https"], "no redirect rule");
        assertUsd(costs.monthly.floor, rules, "a month, floor only");
        assertUsd(costs.monthly.withBusyHours, rules + busyHoursPerMonth * hour, "a month with busy hours");
        assertUsd(costs.monthly.ceiling, rules + HOURS_PER_MONTH * hour, "a month, every instance");
        assert.deepStrictEqual(
            costs.gpuQuota.map((q) => [q.region, q.gpuType, q.zonalRedundancy, q.amount, q.quota?.name]),
            [["us-central1", "nvidia-l4", false, 1, GPU_QUOTAS["nvidia-l4"].noZonalRedundancy.name]],
        );
    });

    it("says unknown for a region the price table does not know, rather than guess", async () => {
        const resources = edited((await shippedPlan("prod")).resources, (r) => {
            if (r.type === TYPES.cloudRunService) r.inputs.location = "europe-west4";
            else r.inputs.region = "europe-west4";
        });
        const costs = planCosts(resources);
        assert.strictEqual(costs.services[0].unknown, "unknown for europe-west4");
        assert.strictEqual(costs.services[0].instanceHour, undefined);
        assert.strictEqual(costs.forwardingRules[0].unknown, "unknown for europe-west4");
        assert.strictEqual(costs.monthly.floor, undefined);
        assert.deepStrictEqual(costs.monthly.unknown, ["unknown for europe-west4"]);
        const text = renderCosts(costs).join("\n");
        assert.match(
            text,
            /\n {4}one busy instance-hour: unknown for europe-west4 \(no price in components\/pure\/prices\.ts\)\n/,
        );
        assert.match(text, /\n {2}a month: unknown for europe-west4\n/);
        // The quota does not depend on prices.
        assert.strictEqual(costs.gpuQuota[0].region, "europe-west4");
        assert.strictEqual(costs.gpuQuota[0].amount, 3);
    });

    it("counts GPUs with zonal redundancy against a quota of their own, priced at that rate", async () => {
        const { resources } = await shippedPlan("prod");
        const service = resources.find((r) => r.type === TYPES.cloudRunService)!;
        const redundant: RecordedResource = structuredClone(service);
        redundant.name = redundant.inputs.name = "prod-redundant";
        redundant.inputs.template.gpuZonalRedundancyDisabled = false;
        const costs = planCosts([...resources, redundant]);
        const quota = GPU_QUOTAS["nvidia-l4"];
        assert.deepStrictEqual(
            costs.gpuQuota.map((q) => [q.zonalRedundancy, q.amount, q.services, q.quota?.name, q.quota?.id]),
            [
                [
                    false,
                    3,
                    ["prod-ollama"],
                    quota.noZonalRedundancy.name,
                    "NvidiaL4GpuAllocNoZonalRedundancyPerProjectRegion",
                ],
                [true, 3, ["prod-redundant"], quota.zonalRedundancy.name, "NvidiaL4GpuAllocPerProjectRegion"],
            ],
        );
        assert.notStrictEqual(quota.zonalRedundancy.name, quota.noZonalRedundancy.name);
        assertUsd(costs.services[1].instanceHour?.gpu, 3600 * l4.zonalRedundancy.usd, "GPU with zonal redundancy");
        assert.match(
            renderCosts(costs).join("\n"),
            /\n {4}us-central1 nvidia-l4 with zonal redundancy: 3 GPUs \(prod-redundant\), "Total Nvidia L4 GPU allocation with zonal redundancy, per project per region"\n/,
        );
    });

    it("adds up the fleet's quota per GPU type, the RTX PRO 6000 in milli GPU", async () => {
        const { costs } = await shippedPlan("fleet");
        assert.deepStrictEqual(
            costs.gpuQuota.map((q) => [q.gpuType, q.amount, q.unit]),
            [
                ["nvidia-l4", 3, "GPU"],
                ["nvidia-rtx-pro-6000", 2000, "milli GPU"],
            ],
        );
        assert.strictEqual(costs.callouts?.inFlight, 3 * 8 + 2 * 4);
        assert.deepStrictEqual(costs.warnings, []);
    });

    it("warns, with the arithmetic, when maxInstances x concurrency can exceed the callout quota", async () => {
        const file = readStackFile(path.join(STACKS_DIR, "Pulumi.prod.yaml"));
        const ollama = JSON.parse(file.config["guarded-llm:ollama"]);
        const config = { ...file.config, "guarded-llm:ollama": JSON.stringify({ ...ollama, maxInstances: 20 }) };
        const plan = await buildPlan(runtime, "prod", { ...file, config });
        const warning =
            "Model Armor callouts can exceed the load balancer callout quota of 600 a minute per project: " +
            "maxInstances x concurrency: 20 x 8 (prod-ollama) = 160 requests at once; at an assumed 10 s per request, " +
            "160 x 60 / 10 = 960 requests a minute, x 2 callouts each (prompt and response) = 1920 callouts a minute. " +
            "Past the quota callouts fail and the fail-closed extension answers 500: lower maxInstances or concurrency, " +
            "ask Google for more Model Armor quota, or throttle clients with guarded-llm:cloudArmor";
        assert.deepStrictEqual(plan.costs.warnings, [warning]);
        assert.ok(plan.warnings.includes(warning), "among the plan's warnings");

        const text = renderPlan(plan);
        const costs = text.indexOf("\nCosts and quotas (");
        const warnings = text.indexOf("\nWarnings:\n");
        assert.ok(
            text.lastIndexOf("\nRoutes of ") < costs && costs < warnings,
            "after the routes, before the warnings",
        );
        assert.ok(text.includes(`\nWarnings:\n  - ${warning}\n`));
        assert.match(text, /= 1920 callouts a minute: OVER THE QUOTA \(see the warning\)\n/);

        // The JSON plan carries the report beside the stack export, which the policy CLI still reads.
        const exported = JSON.parse(JSON.stringify(toStackExport(plan)));
        assert.deepStrictEqual(exported.costs.warnings, [warning]);
        assert.strictEqual(exported.costs.callouts.calloutsPerMinute, 1920);
        const judged = exported.deployment.resources.filter(
            (r: RecordedResource) => r.type !== TYPES.stack && !r.type.startsWith("pulumi:providers:"),
        );
        assert.strictEqual(readStackExport(JSON.stringify(exported)).length, judged.length);
    });

    it("counts one callout a request when a chain screens one side only", () => {
        const service: ServiceSizing = {
            name: "s",
            region: "us-central1",
            gpuType: "nvidia-l4",
            gpus: 1,
            zonalRedundancy: false,
            cpu: 4,
            memoryGiB: 16,
            minInstances: 0,
            maxInstances: 26,
            concurrency: 4,
        };
        const promptsOnly = [{ name: "c", prompts: true, responses: false, failOpen: false }];
        const estimate = calloutWorstCase([service], promptsOnly, 10)!;
        assert.deepStrictEqual(
            [estimate.calloutsPerRequest, estimate.sides, estimate.calloutsPerMinute, estimate.exceeds],
            [1, "prompt", 26 * 4 * 6, true],
        );
        assert.strictEqual(estimate.quotaPerMinute, MODEL_ARMOR_CALLOUT_QUOTA.perMinute);
        assert.strictEqual(calloutWorstCase([service], [], 10), undefined, "no chain, no callouts");
    });
});
