/** Cloud Run: reachable only through the load balancer, running as a dedicated service account. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../components/pure/resourceTypes";
import { isKnown, quote, valueAt } from "../components/pure/values";
import { Props, forTypes } from "./values";

/** Where a kind of Cloud Run service sets its ingress, the default, and the settings that keep the internet out. */
interface IngressSetting {
    readonly field: string;
    readonly read: (props: Props) => unknown;
    readonly unset: string;
    readonly private: readonly string[];
    readonly fix: string;
}

/**
 * `INTERNAL_LOAD_BALANCER` admits internal traffic and Cloud Load Balancing, `INTERNAL_ONLY` internal traffic only
 * (docs/platform-facts.md#cloud-run-gpu); unset means the API default, all traffic. The v1 API sets the same through an annotation.
 */
const INGRESS: Record<string, IngressSetting> = {
    [TYPES.cloudRunService]: {
        field: "ingress",
        read: (props) => props.ingress,
        unset: "INGRESS_TRAFFIC_ALL",
        private: ["INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", "INGRESS_TRAFFIC_INTERNAL_ONLY"],
        fix: 'set ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"',
    },
    [TYPES.cloudRunV1Service]: {
        field: "metadata.annotations",
        read: (props) => valueAt(props, "metadata.annotations")?.["run.googleapis.com/ingress"],
        unset: "all",
        private: ["internal-and-cloud-load-balancing", "internal"],
        fix: 'set the annotation "run.googleapis.com/ingress": "internal-and-cloud-load-balancing"',
    },
};

export const cloudRunIngressViaLoadBalancer: ResourceValidationPolicy = {
    name: "cloud-run-ingress-via-load-balancer",
    description:
        "Cloud Run services accept traffic only from the load balancer (INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER) or " +
        "internally, so nothing bypasses the path allowlist and Model Armor.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(Object.keys(INGRESS), (props, report, type) => {
        const setting = INGRESS[type];
        const ingress = setting.read(props);
        if (!isKnown(ingress) || setting.private.includes(ingress as string)) return;
        report(
            `${setting.field} lets in all traffic (${ingress === undefined ? `unset: ${setting.unset}` : quote(ingress)}): ` +
                "the service answers the internet directly, bypassing the load balancer's path allowlist and Model " +
                "Armor, and Ollama has no authentication. Fix: remove guarded-llm:ollama.insecureAllowAllIngress " +
                `(OllamaService args.insecureAllowAllIngress), or ${setting.fix}.`,
        );
    }),
};

/** Where each kind of Cloud Run workload names the service account it runs as. */
const SERVICE_ACCOUNT_FIELDS: Record<string, string> = {
    [TYPES.cloudRunService]: "template.serviceAccount",
    [TYPES.cloudRunJob]: "template.template.serviceAccount",
    [TYPES.cloudRunV1Service]: "template.spec.serviceAccountName",
};

/**
 * Google's default service accounts, granted the Editor role on their project unless an organization policy
 * prevents it (Google Cloud IAM docs, "Default service accounts"): Compute Engine's
 * (`PROJECT_NUMBER-compute@developer.gserviceaccount.com`, what Cloud Run runs as when none is set) and App Engine's.
 */
const DEFAULT_SERVICE_ACCOUNT = /(-compute@developer\.gserviceaccount\.com|@appspot\.gserviceaccount\.com)$/;

export const cloudRunDedicatedServiceAccount: ResourceValidationPolicy = {
    name: "cloud-run-dedicated-service-account",
    description: "Cloud Run services and jobs run as a dedicated service account, never a default one.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(Object.keys(SERVICE_ACCOUNT_FIELDS), (props, report, type) => {
        const field = SERVICE_ACCOUNT_FIELDS[type];
        const account = valueAt(props, field);
        if (!isKnown(account) || (account && !DEFAULT_SERVICE_ACCOUNT.test(account))) return;
        report(
            `${field} is ${account ? quote(account) : "unset, so it runs as the Compute Engine default service account"}, ` +
                "which holds the Editor role on the whole project by default. Fix: create a service account for this " +
                `workload alone, grant it only what it needs and set ${field} to its email (OllamaService does this ` +
                "for the service and for the model-pull job).",
        );
    }),
};

export const cloudRunPolicies = [cloudRunIngressViaLoadBalancer, cloudRunDedicatedServiceAccount];
