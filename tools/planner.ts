/**
 * The offline plan: runs the stacks program under the recording mock runtime with one stack's configuration, and
 * renders what it would build as a tree and as a `pulumi stack export` (version 3) document.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { isPlainObject } from "../components/validation";
import { PROJECT_NAMESPACE, readStackConfig } from "../stacks/config";
import { buildStack } from "../stacks/program";
import { RecordedResource, RecordingRuntime, SECRET, settle } from "./mockRuntime";
import { renderRoutes } from "./routeReport";
import { formatViolations, runPolicies, Violation } from "../policy/offline";

/** A stack file's configuration as Pulumi holds it: flat keys, objects and lists as JSON text. */
export interface StackFileConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

/** What the program would build. */
export interface Plan {
    stack: string;
    resources: RecordedResource[];
    /** The stack exports. */
    outputs: Record<string, unknown>;
    warnings: string[];
    /** What the guarded-llm policy pack says of these resources. */
    violations: Violation[];
}

const PROJECT_FILE = path.join(__dirname, "..", "Pulumi.yaml");

/**
 * Reads a `Pulumi.<stack>.yaml` file, with the defaults of the project's typed config keys (`Pulumi.yaml`)
 * applied as the Pulumi CLI would. Encrypted (`secure:`) values cannot be decrypted offline: they become the
 * placeholder `"[secret]"` and their keys are marked secret, as Pulumi would.
 */
export function readStackFile(file: string): StackFileConfig {
    const { config, secretKeys } = readConfigMap(file);
    for (const [key, declaration] of Object.entries(projectConfigDeclarations())) {
        const fullKey = key.includes(":") ? key : `${PROJECT_NAMESPACE}:${key}`;
        if (config[fullKey] === undefined && declaration.default !== undefined) config[fullKey] = String(declaration.default);
    }
    return { config, secretKeys };
}

function projectConfigDeclarations(): Record<string, { default?: unknown }> {
    const project = parseYaml(fs.readFileSync(PROJECT_FILE, "utf8"));
    return (project?.config ?? {}) as Record<string, { default?: unknown }>;
}

function readConfigMap(file: string): StackFileConfig {
    const document = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    if (!isPlainObject(document) || (document.config !== undefined && !isPlainObject(document.config))) {
        throw new Error(`${file}: expected a "config:" map`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries((document.config ?? {}) as Record<string, unknown>)) {
        let secret = false;
        const plain = replaceSecureValues(value, () => (secret = true));
        // Pulumi holds top-level scalars as their text and objects and lists as JSON.
        config[key] = typeof plain === "object" && plain !== null ? JSON.stringify(plain) : String(plain);
        if (secret) secretKeys.push(key);
    }
    return { config, secretKeys };
}

function replaceSecureValues(value: unknown, onSecret: () => void): unknown {
    if (Array.isArray(value)) return value.map((v) => replaceSecureValues(v, onSecret));
    if (isPlainObject(value)) {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === "secure") {
            onSecret();
            return SECRET;
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecureValues(v, onSecret)]));
    }
    return value;
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
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    return { stack, resources, outputs: root?.outputs ?? {}, warnings: config.warnings, violations: runPolicies(resources) };
}

/** The plan in the shape of `pulumi stack export` (version 3). */
export function toStackExport(plan: Plan) {
    return {
        version: 3,
        deployment: {
            manifest: { time: new Date().toISOString(), magic: "", version: `offline-plan (@pulumi/pulumi ${pulumiVersion()})` },
            resources: plan.resources.map((r) => ({
                urn: r.urn,
                custom: r.custom,
                type: r.type,
                ...(r.parent ? { parent: r.parent } : {}),
                inputs: r.inputs,
                ...(r.type === "pulumi:pulumi:Stack" ? { outputs: r.outputs ?? {} } : {}),
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
                ...(r.protect ? { protect: true } : {}),
                ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
            })),
        },
    };
}

function pulumiVersion(): string {
    return require("@pulumi/pulumi/package.json").version;
}

/** Input paths worth a glance, per resource type; other types show their first few plain inputs. */
const KEY_SETTINGS: Record<string, string[]> = {
    "gcp:cloudrunv2/service:Service": [
        "template.containers.0.image", "ingress", "invokerIamDisabled", "defaultUriDisabled",
        "template.nodeSelector.accelerator", "template.gpuZonalRedundancyDisabled",
        "template.containers.0.resources.limits", "template.maxInstanceRequestConcurrency", "template.timeout",
        "template.scaling", "template.containers.0.volumeMounts.0.mountPath", "template.volumes.0.gcs.readOnly",
    ],
    "gcp:cloudrunv2/job:Job": ["template.template.containers.0.args", "runExecutionToken", "template.template.volumes.0.gcs.readOnly"],
    "gcp:storage/bucket:Bucket": ["location", "uniformBucketLevelAccess", "publicAccessPrevention", "forceDestroy"],
    "gcp:storage/bucketIAMMember:BucketIAMMember": ["role", "member"],
    "gcp:serviceaccount/account:Account": ["accountId"],
    "gcp:projects/service:Service": ["service"],
    "gcp:projects/iAMMember:IAMMember": ["project", "role", "member"],
    "gcp:compute/subnetwork:Subnetwork": ["network", "ipCidrRange", "purpose", "role"],
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": ["networkEndpointType", "cloudRun.service"],
    "gcp:compute/regionBackendService:RegionBackendService": ["loadBalancingScheme", "protocol", "logConfig", "securityPolicy"],
    "gcp:compute/regionUrlMap:RegionUrlMap": ["defaultRouteAction.faultInjectionPolicy.abort", "defaultUrlRedirect"],
    "gcp:compute/regionSslCertificate:RegionSslCertificate": ["certificate", "privateKey"],
    "gcp:compute/regionSslPolicy:RegionSslPolicy": ["profile", "minTlsVersion"],
    "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy": ["sslPolicy", "sslCertificates", "certificateManagerCertificates"],
    "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy": ["urlMap"],
    "gcp:compute/address:Address": ["addressType", "networkTier"],
    "gcp:compute/forwardingRule:ForwardingRule": ["portRange", "loadBalancingScheme", "network", "networkTier", "target"],
    "tls:index/privateKey:PrivateKey": ["algorithm", "rsaBits"],
    "tls:index/selfSignedCert:SelfSignedCert": ["subject", "validityPeriodHours"],
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": ["domain", "type"],
    "gcp:certificatemanager/certificate:Certificate": ["managed.domains"],
    "gcp:modelarmor/template:Template": [
        "templateId", "filterConfig.raiSettings.raiFilters", "filterConfig.piAndJailbreakFilterSettings",
        "filterConfig.maliciousUriFilterSettings", "filterConfig.sdpSettings", "templateMetadata",
    ],
    "gcp:networkservices/lbTrafficExtension:LbTrafficExtension": [
        "forwardingRules", "extensionChains.0.matchCondition.celExpression", "extensionChains.0.extensions.0.service",
        "extensionChains.0.extensions.0.supportedEvents", "extensionChains.0.extensions.0.failOpen",
        "extensionChains.0.extensions.0.timeout", "extensionChains.0.extensions.0.metadata.model_armor_settings",
    ],
};

/** The resources as an indented tree, each with its key settings. */
export function renderTree(plan: Plan): string {
    const children = new Map<string | undefined, RecordedResource[]>();
    for (const r of plan.resources) {
        const siblings = children.get(r.parent) ?? [];
        siblings.push(r);
        children.set(r.parent, siblings);
    }
    const lines: string[] = [];
    const visit = (r: RecordedResource, depth: number) => {
        const flags = [r.protect ? "protected" : "", r.retainOnDelete ? "retained on delete" : ""].filter(Boolean);
        lines.push(`${"  ".repeat(depth)}${r.type} ${r.name}${flags.length ? ` [${flags.join(", ")}]` : ""}`);
        for (const [path, value] of keySettings(r)) lines.push(`${"  ".repeat(depth + 2)}${path}: ${formatValue(value)}`);
        for (const child of children.get(r.urn) ?? []) visit(child, depth + 1);
    };
    for (const r of children.get(undefined) ?? []) visit(r, 0);
    return lines.join("\n");
}

function keySettings(r: RecordedResource): [string, unknown][] {
    if (!r.custom) return [];
    const paths = KEY_SETTINGS[r.type];
    if (paths) {
        return paths.map((p): [string, unknown] => [p, valueAt(r.inputs, p)]).filter(([, v]) => v !== undefined);
    }
    return Object.entries(r.inputs)
        .filter(([k, v]) => typeof v !== "object" && !["name", "project"].includes(k))
        .slice(0, 6);
}

/** The value at a dotted path (`template.containers.0.image`). */
export function valueAt(value: unknown, path: string): unknown {
    return path.split(".").reduce<any>((v, key) => (v === undefined || v === null ? undefined : v[key]), value);
}

/** One line per value: compute self links shortened to their project-relative path, long values cut. */
function formatValue(value: unknown): string {
    const text = (typeof value === "string" ? value : JSON.stringify(value)).replace(/https:\/\/www\.googleapis\.com\/compute\/v1\//g, "");
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** The whole human-readable plan: the tree, the stack outputs and the warnings. */
export function renderPlan(plan: Plan): string {
    const sections = [
        `Plan for stack "${plan.stack}": ${plan.resources.filter((r) => r.custom).length} resources`,
        "",
        renderTree(plan),
        "",
        "Stack outputs:",
        // The route table gets a section of its own below.
        ...Object.entries(plan.outputs).filter(([k]) => k !== "routeTable").map(([k, v]) => `  ${k}: ${formatValue(v)}`),
    ];
    const routes = renderRoutes(plan.resources);
    if (routes.length > 0) sections.push("", ...routes);
    if (plan.warnings.length > 0) sections.push(...(routes.length ? [] : [""]), "Warnings:", ...plan.warnings.map((w) => `  - ${w}`), "");
    sections.push(formatViolations(plan.violations));
    return sections.join("\n");
}
