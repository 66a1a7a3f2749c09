/**
 * Who may call: an external load balancer in front of Cloud Run checks the caller (Identity-Aware Proxy, or a Cloud
 * Armor source allowlist) before Model Armor and the GPU. Facts: docs/platform-facts.md#iap-and-internal.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../components/pure/resourceTypes";
import { isKnown, listOf, quote, valueAt } from "../components/pure/values";
import { iamGrants } from "./iam";
import { BACKEND_SERVICES, NETWORK_ENDPOINT_GROUPS } from "./routing";
import { onStackView, StackResource, StackView } from "./stack";
import { Props } from "./values";

const EXTERNAL_SCHEMES = ["EXTERNAL_MANAGED", "EXTERNAL"];
/** Grants on one regional backend service; a policy document lists its bindings. */
const IAP_GRANTS = [
    TYPES.iapBackendServiceIamMember,
    TYPES.iapBackendServiceIamBinding,
    TYPES.iapBackendServiceIamPolicy,
];
const IAP_ACCESSOR_ROLE = "roles/iap.httpsResourceAccessor";

/** Does an IAM resource grant the accessor role (or might it, while its role is unknown)? */
function grantsAccessorRole(type: string, props: Props): boolean {
    return iamGrants(type, props).some((g) => g.role === IAP_ACCESSOR_ROLE || !isKnown(g.role));
}
/** The priority of every Cloud Armor policy's default rule. */
const DEFAULT_RULE_PRIORITY = 2147483647;

/** Does the backend service send traffic to a serverless NEG, i.e. to Cloud Run (as far as the stack shows)? */
function servesServerless(stack: StackView, backend: StackResource): boolean {
    return listOf(backend.props.backends).some((b) =>
        stack
            .resolve(backend, "backends", b?.group, NETWORK_ENDPOINT_GROUPS)
            .some((neg) => neg.props.networkEndpointType === "SERVERLESS" || neg.props.cloudRun !== undefined),
    );
}

/** Does the Cloud Armor policy refuse by default and let through only listed source ranges? */
function admitsListedSourcesOnly(policy: StackResource): boolean {
    const rules = listOf(policy.props.rules);
    const defaultRule = rules.find((r) => r?.priority === DEFAULT_RULE_PRIORITY);
    if (!String(defaultRule?.action ?? "").startsWith("deny")) return false;
    return rules
        .filter((r) => r !== defaultRule && !String(r?.action ?? "").startsWith("deny"))
        .every((r) => {
            const ranges = listOf(valueAt(r, "match.config.srcIpRanges"));
            return ranges.length > 0 && !ranges.includes("*") && valueAt(r, "match.expr") === undefined;
        });
}

export const lbAccessControlled: StackValidationPolicy = {
    name: "lb-access-controlled",
    description:
        "Every external backend service in front of Cloud Run checks who calls: Identity-Aware Proxy on it, or a " +
        "Cloud Armor policy of the stack that refuses every source but listed ranges. An endpoint public on purpose " +
        'is declared in the pack\'s config: {"lb-access-controlled": "advisory"}.',
    enforcementLevel: "mandatory",
    validateStack: onStackView((stack, report) => {
        for (const backend of stack.ofType(...BACKEND_SERVICES)) {
            if (!EXTERNAL_SCHEMES.includes(backend.props.loadBalancingScheme) || !servesServerless(stack, backend))
                continue;
            const iap = valueAt(backend.props, "iap.enabled");
            if (iap === true || !isKnown(iap)) continue;
            const policy = stack.reference(backend, "securityPolicy", [TYPES.cloudArmorPolicy]);
            if (policy.kind === "unknown" || (policy.kind === "resource" && admitsListedSourcesOnly(policy.resource)))
                continue;
            report(
                `backend service ${backend.name} serves Cloud Run to anyone on the internet: ${
                    policy.kind === "outside"
                        ? `its Cloud Armor policy ${quote(policy.value)} is not in this stack, so it cannot be read`
                        : "no Identity-Aware Proxy and no Cloud Armor source allowlist"
                }. Ollama has no authentication, and every call costs GPU time and Model Armor quota. Fix: set ` +
                    'guarded-llm:access to { mode: "iap", accessors: [...] } or { mode: "internal", subnet }, or ' +
                    "guarded-llm:cloudArmor.allowedSourceRanges; if the endpoint is public on purpose, declare it: " +
                    '--policy-pack-config {"lb-access-controlled": "advisory"}.',
                backend.urn,
            );
        }
    }),
};

export const lbIapHasAccessors: StackValidationPolicy = {
    name: "lb-iap-has-accessors",
    description:
        "Every regional backend service with Identity-Aware Proxy grants roles/iap.httpsResourceAccessor to someone " +
        "in this stack, on it or on the whole project: IAP with no accessor refuses everyone.",
    enforcementLevel: "mandatory",
    validateStack: onStackView((stack, report) => {
        const grants = stack.ofType(...IAP_GRANTS).filter((g) => grantsAccessorRole(g.type, g.props));
        // A project-wide grant of the role lets its members through every IAP resource of the project.
        const projectWide = stack.ofType(TYPES.projectIamMember, TYPES.projectIamBinding, TYPES.projectIamPolicy);
        if (projectWide.some((g) => grantsAccessorRole(g.type, g.props))) return;
        // Global backend services take their grants through other resources (WebBackendServiceIam*): not judged here.
        for (const backend of stack.ofType(TYPES.backendService)) {
            if (valueAt(backend.props, "iap.enabled") !== true) continue;
            const granted = grants.some((g) =>
                stack.referenced(g, "webRegionBackendService", [backend.type]).includes(backend),
            );
            if (granted) continue;
            report(
                `backend service ${backend.name} has Identity-Aware Proxy on but grants ${IAP_ACCESSOR_ROLE} to nobody ` +
                    "in this stack, so IAP refuses every caller. Fix: list the callers in guarded-llm:access.accessors " +
                    "(a gcp.iap.WebRegionBackendServiceIamMember per principal).",
                backend.urn,
            );
        }
    }),
};

export const accessPolicies = [lbAccessControlled, lbIapHasAccessors];
