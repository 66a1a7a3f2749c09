/**
 * Runs the policy pack over recorded resources, without the Pulumi CLI and without starting the pack's gRPC server:
 * each policy gets the arguments CrossGuard's server would build (@pulumi/policy `server.js`, `makeAnalyzeRpcFun`
 * and `makeAnalyzeStackRpcFun`), from the recorded properties. The resources come from the offline plan (the
 * program's inputs) or from a `pulumi stack export` (inputs merged with outputs, tools/stackExport.ts).
 *
 * Differences from `pulumi preview --policy-pack`, all on the lenient side:
 * - over the offline plan, stack policies see the recorded inputs, not the provider's outputs (no `selfLink`,
 *   `id`, ...): references are resolved through the self links the mock runtime returned and the recorded property
 *   dependencies instead;
 * - values the program passed as secrets are recorded as "[secret]" (and an export's secrets are read as
 *   "[secret]"), so a private key passed as a secret is never seen, where CrossGuard, which unwraps secrets, would
 *   see it in a field the provider does not keep secret.
 */
import {
    EnforcementLevel,
    Policies,
    Policy,
    PolicyPackConfig,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    unknownCheckingProxy,
    UnknownValueError,
} from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { UNKNOWN as RECORDED_UNKNOWN } from "../components/pure/values";
import { policies as packPolicies } from "../policy/policies";
import { RecordedResource } from "./mockRuntime";

/** One policy violation. */
export interface Violation {
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The resource in violation; absent when a stack policy blames the whole stack. */
    readonly urn?: string;
    readonly message: string;
}

/** CrossGuard's default level for a policy that sets none (@pulumi/policy `policy.js`). */
const DEFAULT_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

/**
 * Runs every policy of the pack, in the pack's order (a resource policy on each resource, a stack policy on the
 * whole stack), and returns the violations. `config` is what `--policy-pack-config` would give: per policy name, an
 * enforcement level or `{ enforcementLevel?, ...properties }`.
 */
export function runPolicies(
    resources: readonly RecordedResource[],
    config: PolicyPackConfig = {},
    policies: Policies = packPolicies,
): Violation[] {
    const violations: Violation[] = [];
    const stack = policyResources(resources);
    // One view per resource for every policy: each view makes a deep copy of the inputs.
    const views = resources.map((r) => ({ ...resourceView(r), urn: r.urn, name: r.name }));
    for (const policy of policies) {
        const enforcementLevel = levelOf(policy, config);
        if (enforcementLevel === "disabled") continue;
        const reporter = (urn?: string) => (message: string) =>
            violations.push({ policyName: policy.name, enforcementLevel, urn, message });
        const run = (validate: () => void | Promise<void>, urn?: string) => {
            try {
                if (validate() instanceof Promise) throw new Error("runPolicies runs synchronous policies only");
            } catch (e) {
                if (e instanceof NotApplicable) return;
                if (!(e instanceof UnknownValueError))
                    throw new Error(`policy ${policy.name} failed on ${urn ?? "the stack"}: ${e}`);
                // As CrossGuard does with a policy that reads a value unknown during preview.
                const message = `can't run policy ${policy.name} during preview: ${(e as Error).message}`;
                violations.push({ policyName: policy.name, enforcementLevel: "advisory", urn, message });
            }
        };
        const common = {
            stackTags: new Map<string, string>(),
            getConfig: <T>() => propertiesOf(policy, config) as T,
            notApplicable,
        };
        if ("validateStack" in policy) {
            run(() => policy.validateStack({ ...common, resources: stack }, (message, urn) => reporter(urn)(message)));
            continue;
        }
        for (const view of views) {
            // A resource policy always blames the resource it validates, whatever urn it passes.
            const args: ResourceValidationArgs = { ...common, ...view };
            for (const validate of validationsOf(policy)) run(() => validate(args, reporter(view.urn)), view.urn);
        }
    }
    return violations;
}

/** The level a policy runs at: the config's, else its own, else the pack default; `remediate` counts as mandatory. */
function levelOf(policy: Policy, config: PolicyPackConfig): EnforcementLevel {
    const configured = config[policy.name];
    const level =
        (typeof configured === "string" ? configured : configured?.enforcementLevel) ?? policy.enforcementLevel;
    // CrossGuard reports a remediation that did not fix the resource as mandatory.
    return level === "remediate" ? "mandatory" : (level ?? DEFAULT_ENFORCEMENT_LEVEL);
}

/** What `getConfig()` returns to a policy: its config properties without the enforcement level. */
function propertiesOf(policy: Policy, config: PolicyPackConfig): Record<string, unknown> {
    const configured = config[policy.name];
    if (typeof configured !== "object") return {};
    return Object.fromEntries(Object.entries(configured).filter(([key]) => key !== "enforcementLevel"));
}

function validationsOf(policy: ResourceValidationPolicy) {
    const v = policy.validateResource;
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

class NotApplicable extends Error {}
function notApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

/** What a resource policy and a stack policy both see of one resource. */
function resourceView(r: RecordedResource) {
    const props = propsOf(r);
    const isType = (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType === r.type;
    return {
        type: r.type,
        props,
        opts: optionsOf(r),
        isType,
        asType: (resourceClass: unknown): any => (isType(resourceClass) ? props : undefined),
    };
}

/**
 * The recorded inputs as CrossGuard hands them over: unknowns as the engine's sentinel, behind the proxy that
 * throws `UnknownValueError` when one is read.
 */
function propsOf(r: RecordedResource): Record<string, any> {
    const withSentinels = (value: unknown): unknown => {
        if (value === RECORDED_UNKNOWN) return unknownValue;
        if (Array.isArray(value)) return value.map(withSentinels);
        if (value !== null && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSentinels(v)]));
        }
        return value;
    };
    return unknownCheckingProxy(withSentinels(r.inputs));
}

function optionsOf(r: RecordedResource): PolicyResourceOptions {
    return {
        protect: r.protect === true,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

/** The stack as a stack policy sees it: parents and dependencies as resource objects. */
function policyResources(resources: readonly RecordedResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    for (const r of resources) {
        byUrn.set(r.urn, { ...resourceView(r), urn: r.urn, name: r.name, dependencies: [], propertyDependencies: {} });
    }
    const known = (urns: readonly string[]) => urns.flatMap((urn) => byUrn.get(urn) ?? []);
    for (const r of resources) {
        const resource = byUrn.get(r.urn)!;
        resource.parent = r.parent ? byUrn.get(r.parent) : undefined;
        resource.dependencies = known(r.dependencies);
        resource.propertyDependencies = Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([key, urns]) => [key, known(urns)]),
        );
    }
    return [...byUrn.values()];
}

/** Are there violations that must fail the plan? */
export function hasMandatoryViolation(violations: readonly Violation[]): boolean {
    return violations.some((v) => v.enforcementLevel === "mandatory");
}

/**
 * The violations as the offline plan and `npm run policy` print them, mandatory first, each with the resource's type
 * and name.
 */
export function formatViolations(violations: readonly Violation[]): string {
    if (violations.length === 0) return "Policies: no violations.";
    const count = (level: EnforcementLevel) => violations.filter((v) => v.enforcementLevel === level).length;
    const ordered = [...violations].sort(
        (a, b) => Number(b.enforcementLevel === "mandatory") - Number(a.enforcementLevel === "mandatory"),
    );
    return [
        `Policy violations: ${count("mandatory")} mandatory, ${count("advisory")} advisory`,
        ...ordered.map(
            (v) =>
                `  [${v.enforcementLevel}] ${v.policyName}: ${v.urn ? resourceLabel(v.urn) : "the stack"}\n      ${v.message}`,
        ),
    ].join("\n");
}

/** `type name` of a URN (`urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME`). */
function resourceLabel(urn: string): string {
    const parts = urn.split("::");
    const type = parts[parts.length - 2]?.split("$").pop();
    return `${type} ${parts[parts.length - 1]}`;
}
