/**
 * Reads and checks a stack's configuration before anything is built. Every problem is reported at once, one line
 * each, under its full config key. The rules and the key lists are the components' own
 * (`validateGuardedLlmEndpointArgs`, `GUARDED_LLM_ENDPOINT_ARG_KEYS`); this file adds what only a stack file can get
 * wrong: missing provider keys, keys of the stack alone, and where secrets must live.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    EndpointCloudArmorArgs,
    EndpointLoadBalancerArgs,
    EndpointModelArmorArgs,
    EndpointOllamaArgs,
    GUARDED_LLM_ENDPOINT_ARG_KEYS,
    modelBucketName,
    validateGuardedLlmEndpointArgs,
} from "../components/guardedLlmEndpoint";
import { bucketNameProblem } from "../components/naming";
import {
    GatewayServiceArgs,
    GUARDED_LLM_GATEWAY_ARG_KEYS,
    GuardedLlmGatewayArgs,
    ModelBuckets,
    validateGuardedLlmGatewayArgs,
} from "../components/guardedLlmGatewayArgs";
import { AccessArgs } from "../components/access";
import { EndpointMonitoringConfig } from "../components/endpointMonitoring";
import { validateProvidedPems } from "../components/loadBalancerTls";
import { PEM_PRIVATE_KEY } from "../components/pure/pem";
import { eachString, isPlainObject } from "../components/pure/values";
import { definedOnly, didYouMean, pick, Problems } from "../components/validation";

export const PROJECT_NAMESPACE = "guarded-llm";

/** A stack's checked configuration. */
export interface StackConfig {
    project: string;
    region: string;
    /** Prefix of every resource name; lets several stacks share one project. */
    namePrefix: string;
    /** Enable the APIs the endpoint needs (`guarded-llm:enableApis`, whose default Pulumi.yaml declares). */
    enableApis?: boolean;
    ollama?: EndpointOllamaArgs;
    loadBalancer: EndpointLoadBalancerArgs;
    modelArmor?: EndpointModelArmorArgs;
    /** Who may call (`guarded-llm:access`). */
    access: AccessArgs;
    /** Opt-in Cloud Armor edge protection; absent when the key is not set. */
    cloudArmor?: EndpointCloudArmorArgs;
    /** Opt-in dashboard, block metric and alerts (`guarded-llm:monitoring`); absent when the key is not set. */
    monitoring?: EndpointMonitoringConfig;
    /** Several services behind one gateway (`guarded-llm:services`); then `ollama` is absent. */
    services?: Record<string, GatewayServiceArgs>;
    /** One model bucket or one per service (`guarded-llm:modelBuckets`, with `services`). */
    modelBuckets?: ModelBuckets;
    /** Path routing accepted although its screening is unconfirmed (`guarded-llm:allowUnconfirmedPathScreening`). */
    allowUnconfirmedPathScreening?: boolean;
}

/** Keys of the stack alone: the components never see them. */
const STACK_KEYS = ["namePrefix", "tlsCertificate", "tlsPrivateKey"] as const;
/** Every key a stack file may set under `guarded-llm:`: an endpoint's, a gateway's, and the stack's own. */
export const PROJECT_KEYS: readonly string[] = [
    ...new Set([...GUARDED_LLM_ENDPOINT_ARG_KEYS.config, ...GUARDED_LLM_GATEWAY_ARG_KEYS.config, ...STACK_KEYS]),
];

const key = (name: string) => `${PROJECT_NAMESPACE}:${name}`;

/**
 * Parses a flat config map as Pulumi holds it (`"guarded-llm:ollama"` -> JSON text) into a {@link StackConfig}.
 * `secretKeys` are the keys Pulumi holds as secrets. Throws a `ConfigurationError` listing every problem.
 */
export function parseStackConfig(
    raw: Record<string, string>,
    stackName: string,
    secretKeys: readonly string[] = [],
): StackConfig {
    const problems = new Problems();
    const project = raw["gcp:project"];
    const region = raw["gcp:region"];
    if (project === undefined)
        problems.add("gcp:project", undefined, "is required: the Google Cloud project to deploy into");
    else
        problems.matches(
            "gcp:project",
            project,
            /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
            "must be a project ID: 6-30 lowercase letters, digits and hyphens, starting with a letter",
        );
    if (region === undefined)
        problems.add("gcp:region", undefined, 'is required: the region of every resource, e.g. "us-central1"');

    const values: Record<string, unknown> = {};
    for (const [k, text] of Object.entries(raw)) {
        if (k.startsWith(key(""))) values[k.slice(key("").length)] = parseValue(text);
    }
    const ours = problems.under(key(""));
    checkNamespaces(raw, problems);
    ours.knownKeys(values, PROJECT_KEYS);

    const namePrefix = values.namePrefix ?? stackName;
    if (
        ours.matches(
            "namePrefix",
            namePrefix,
            /^[a-z][a-z0-9-]{0,11}$/,
            "must be 1-12 lowercase letters, digits and hyphens, starting with a letter (it prefixes service account ids)",
        )
    ) {
        const bucketProblem = bucketNameProblem(modelBucketName(namePrefix), true);
        if (bucketProblem) ours.add("namePrefix", namePrefix, bucketProblem);
    }
    // The keys only a gateway reads: the services, and how they share a bucket and may be routed.
    const gatewayKeys = GUARDED_LLM_GATEWAY_ARG_KEYS.config.filter(
        (k) => !(GUARDED_LLM_ENDPOINT_ARG_KEYS.config as readonly string[]).includes(k),
    );
    const gatewayOnly = definedOnly(pick(values, gatewayKeys)) as Partial<GuardedLlmGatewayArgs>;
    const { services } = gatewayOnly;
    const endpoint = {
        region: region ?? "",
        access: values.access as AccessArgs,
        ollama: values.ollama as EndpointOllamaArgs | undefined,
        loadBalancer: withProvidedTls(ours, values.loadBalancer, raw, secretKeys),
        modelArmor: values.modelArmor as EndpointModelArmorArgs | undefined,
        cloudArmor: values.cloudArmor as EndpointCloudArmorArgs | undefined,
        monitoring: values.monitoring as EndpointMonitoringConfig | undefined,
        enableApis: values.enableApis as boolean | undefined,
    };
    // After the TLS keys' own checks, whose advice is more precise for them.
    checkPlaintextKeys(raw, secretKeys, problems);
    const name = typeof namePrefix === "string" ? namePrefix : stackName;
    if (services === undefined) {
        for (const [key, value] of Object.entries(gatewayOnly)) {
            ours.add(key, value, "applies only with guarded-llm:services");
        }
        validateGuardedLlmEndpointArgs(endpoint, ours, name, "gcp:region");
    } else if (endpoint.ollama !== undefined) {
        ours.add(
            "ollama",
            undefined,
            "give either ollama (one service) or services (several behind one gateway), not both: move it under services.<name>",
        );
    } else {
        const gateway = { ...endpoint, ollama: undefined, ...gatewayOnly } as GuardedLlmGatewayArgs;
        validateGuardedLlmGatewayArgs(definedOnly(gateway) as GuardedLlmGatewayArgs, ours, name, "gcp:region");
    }
    problems.check();
    return {
        ...definedOnly({ ...endpoint, ...gatewayOnly }),
        project: project!,
        region: region!,
        namePrefix: namePrefix as string,
        loadBalancer: endpoint.loadBalancer,
        access: endpoint.access,
    };
}

/** Reads the running program's configuration (under `pulumi up`, or the offline plan's mock runtime). */
export function readStackConfig(): StackConfig {
    const raw = pulumi.runtime.allConfig();
    // isConfigSecret is exported by the SDK's runtime but missing from its type declarations.
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret;
    return parseStackConfig(
        raw,
        pulumi.getStack(),
        Object.keys(raw).filter((k) => isSecret(k)),
    );
}

/** Pulumi holds object and list values as JSON text and plain strings as they are. */
function parseValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/**
 * `tls.mode: provided` takes its PEMs from top-level keys, so the private key can be a secret of its own
 * (`pulumi config set --secret tlsPrivateKey < key.pem`) instead of turning the whole loadBalancer object secret.
 */
function withProvidedTls(
    problems: Problems,
    loadBalancer: unknown,
    raw: Record<string, string>,
    secretKeys: readonly string[],
): EndpointLoadBalancerArgs {
    const tls: unknown = isPlainObject(loadBalancer) ? loadBalancer.tls : undefined;
    const provided = isPlainObject(tls) && tls.mode === "provided";
    for (const [field, configKey] of [
        ["certificate", "tlsCertificate"],
        ["privateKey", "tlsPrivateKey"],
    ] as const) {
        if (isPlainObject(tls) && tls[field] !== undefined) {
            problems.add(
                `loadBalancer.tls.${field}`,
                undefined,
                `set it as guarded-llm:${configKey} instead (a PEM; the key with --secret)`,
            );
        }
        if (!provided && raw[key(configKey)] !== undefined) {
            problems.add(configKey, undefined, 'applies only when loadBalancer.tls.mode is "provided"');
        }
    }
    if (!provided) return loadBalancer as EndpointLoadBalancerArgs;
    const certificate = raw[key("tlsCertificate")];
    const privateKey = raw[key("tlsPrivateKey")];
    if (certificate === undefined) {
        problems.add(
            "tlsCertificate",
            undefined,
            'is required when loadBalancer.tls.mode is "provided": pulumi config set tlsCertificate < cert.pem',
        );
    }
    if (privateKey === undefined) {
        problems.add(
            "tlsPrivateKey",
            undefined,
            'is required when loadBalancer.tls.mode is "provided": pulumi config set --secret tlsPrivateKey < key.pem',
        );
    } else if (!secretKeys.includes(key("tlsPrivateKey"))) {
        problems.add(
            "tlsPrivateKey",
            undefined,
            "must be a secret: pulumi config set --secret tlsPrivateKey < key.pem",
        );
    }
    validateProvidedPems(certificate, privateKey, problems.under("", PROVIDED_TLS_KEYS));
    // Checked above under the keys the user typed; as Outputs, the load balancer's own checks leave them alone.
    return {
        ...(loadBalancer as EndpointLoadBalancerArgs),
        tls: {
            mode: "provided",
            certificate: pulumi.output(certificate ?? ""),
            privateKey: pulumi.secret(privateKey ?? ""),
        },
    };
}

/** The stack keys of a provided certificate's two PEMs, where their problems are reported. */
const PROVIDED_TLS_KEYS = { certificate: key("tlsCertificate"), privateKey: key("tlsPrivateKey") };

/**
 * Keys in a namespace that is a near miss of `guarded-llm` (`guarded_llm:cloudArmor`) would be ignored by the
 * program: they are refused, as written, with the key they were probably meant to be.
 */
function checkNamespaces(raw: Record<string, string>, problems: Problems): void {
    for (const configKey of Object.keys(raw)) {
        const [namespace, ...rest] = configKey.split(":");
        if (rest.length === 0 || namespace === PROJECT_NAMESPACE || namespace === "gcp") continue;
        const nearMiss =
            didYouMean(namespace, [PROJECT_NAMESPACE]) !== "" ||
            namespace.toLowerCase().replace(/[^a-z]/g, "") === PROJECT_NAMESPACE.replace(/[^a-z]/g, "");
        if (nearMiss) {
            problems.add(
                configKey,
                undefined,
                `unknown namespace (did you mean "${key(rest.join(":"))}"?): the program reads only ${PROJECT_NAMESPACE}: keys`,
            );
        }
    }
}

/**
 * A private key belongs in a secret: a PEM private key in any plain value of the stack file is refused, under the key
 * (and the path inside it) where it was found, without printing it.
 */
function checkPlaintextKeys(raw: Record<string, string>, secretKeys: readonly string[], problems: Problems): void {
    for (const [configKey, text] of Object.entries(raw)) {
        if (secretKeys.includes(configKey) || !PEM_PRIVATE_KEY.test(text)) continue;
        const paths: string[] = [];
        eachString(parseValue(text), (path, value) => PEM_PRIVATE_KEY.test(value) && paths.push(path));
        for (const path of paths.length > 0 ? paths : [""]) {
            problems.add(
                path === "" ? configKey : `${configKey}.${path}`,
                undefined,
                "holds a PEM private key in plain text: anyone who can read the stack file can read the key; set it with `pulumi config set --secret`",
            );
        }
    }
}
