/**
 * The offline plan: runs the stacks program under the recording mock runtime with one stack's configuration, and
 * returns what it would build, in the shape of a `pulumi stack export` (version 3) document too.
 */
import * as pulumi from "@pulumi/pulumi";
import type { CostReport } from "../components/pure/costs";
import { TYPES } from "../components/pure/resourceTypes";
import type { PolicyPackConfig } from "@pulumi/policy";
import { lbAccessControlled } from "../policy/access";
import { readStackConfig, StackConfig } from "../stacks/config";
import { buildStack } from "../stacks/program";
import { planCosts } from "./costReport";
import { RecordedResource, RecordingRuntime, settle } from "./mockRuntime";
import { runPolicies, Violation } from "./policyRunner";
import { StackFileConfig } from "./stackFile";

/** What the program would build. */
export interface Plan {
    stack: string;
    resources: RecordedResource[];
    /** The stack exports. */
    outputs: Record<string, unknown>;
    /** What the components logged, then the cost report's warnings. */
    warnings: string[];
    /** What the recorded resources cost to run and which quotas they need (tools/costReport.ts). */
    costs: CostReport;
    /** The policy pack's config the plan ran with (`--policy-pack-config`). */
    policyConfig: PolicyPackConfig;
    /** What the guarded-llm policy pack says of these resources. */
    violations: Violation[];
}

/**
 * Builds the plan of one stack. Throws the program's `ConfigurationError` before registering anything when the
 * configuration is invalid.
 */
export async function buildPlan(runtime: RecordingRuntime, stack: string, file: StackFileConfig): Promise<Plan> {
    runtime.reset(stack);
    pulumi.runtime.setAllConfig(file.config, file.secretKeys);
    const config = readStackConfig();
    await pulumi.runtime.runInPulumiStack(async () => buildStack(config));
    await settle();
    const resources = runtime.resources();
    const root = resources.find((r) => r.type === TYPES.stack);
    const warnings = (await runtime.warnings()).map((w) => w.message);
    const policyConfig = policyConfigOf(config);
    const costs = planCosts(resources);
    return {
        stack,
        resources,
        outputs: root?.outputs ?? {},
        warnings: [...warnings, ...costs.warnings],
        costs,
        policyConfig,
        violations: runPolicies(resources, policyConfig),
    };
}

/**
 * The pack's config as the stack's own choices call for it, as `--policy-pack-config` would give it: a stack that
 * declares itself public (`guarded-llm:access` mode public) lowers lb-access-controlled to advisory.
 */
function policyConfigOf(config: StackConfig): PolicyPackConfig {
    return config.access?.mode === "public" ? { [lbAccessControlled.name]: "advisory" } : {};
}

/**
 * The plan in the shape of `pulumi stack export` (version 3), with the cost report beside it under `costs` (the policy
 * CLI reads only `version` and `deployment`).
 */
export function toStackExport(plan: Plan) {
    return {
        version: 3,
        deployment: {
            manifest: {
                time: new Date().toISOString(),
                magic: "",
                version: `offline-plan (@pulumi/pulumi ${pulumiVersion()})`,
            },
            resources: plan.resources.map((r) => ({
                urn: r.urn,
                custom: r.custom,
                type: r.type,
                ...(r.parent ? { parent: r.parent } : {}),
                inputs: r.inputs,
                ...(r.type === TYPES.stack ? { outputs: r.outputs ?? {} } : {}),
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
                ...(r.protect ? { protect: true } : {}),
                ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
            })),
        },
        costs: plan.costs,
    };
}

function pulumiVersion(): string {
    return require("@pulumi/pulumi/package.json").version;
}
