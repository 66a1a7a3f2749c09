/**
 * The args of `GuardedLlmGateway`: its services, how each is reached and screened, their checks and warnings,
 * and the names each service's resources derive from.
 */
import * as pulumi from "@pulumi/pulumi";
import { EndpointMonitoringConfig, validateSanitizeLogsKeepFindings } from "./endpointMonitoring";
import {
    GUARDED_LLM_ENDPOINT_ARG_KEYS,
    GuardedLlmEndpointArgs,
    EndpointCloudArmorArgs,
    EndpointLoadBalancerArgs,
    EndpointModelArmorArgs,
    EndpointOllamaArgs,
    guardedLlmEndpointWarnings,
    templatesName,
    validateGuardedLlmEndpointArgs,
} from "./guardedLlmEndpoint";
import { resolveModelArmorSettings } from "./modelArmorPresets";
import {
    MODEL_ARMOR_TEMPLATES_ARG_KEYS,
    modelArmorTemplateId,
    validateModelArmorTemplatesArgs,
} from "./modelArmorTemplates";
import {
    resolveScreeningOptions,
    SCREENING_OPTION_KEYS,
    validateScreeningOptions,
    MAX_EXTENSION_CHAINS,
} from "./modelArmorTrafficExtension";
import { OLLAMA_SERVICE_ARG_KEYS, OLLAMA_SERVICE_NAME_LIMIT, validateOllamaServiceArgs } from "./ollamaServiceArgs";
import { LONGEST_PROJECT_ID, settingsBudgetProblem, templatePath } from "./pure/modelArmorSettings";
import { canonicalModelName } from "./pure/ollamaModels";
import { isPlainObject } from "./pure/values";
import { LoadBalancerServiceArgs, SERVICE_NAME_EXPECTED, SERVICE_NAME_PATTERN } from "./regionalHttpsLoadBalancer";
import { declareArgKeys, pick, Problems } from "./validation";
import { AccessArgs } from "./access";

/** One service of a `GuardedLlmGateway`: an Ollama service, how it is reached, and how it is screened. */
export interface GatewayServiceArgs extends EndpointOllamaArgs {
    /** Host routing (the default way): clients call `https://<host>/v1/...`; a name of the certificate. */
    readonly host?: string;
    /**
     * Path routing, an explicit choice: clients call `<endpoint>/<prefix>/v1/...`, rewritten to `/v1/...`. Whether
     * Model Armor recognises the rewritten OpenAI path is UNCONFIRMED: run `npm run verify` after deploying.
     */
    readonly pathPrefix?: string;
    /**
     * The service's Model Armor templates and screening, key by key over the gateway's `modelArmor`: a service that
     * sets a template key (`preset`, `prompt`, `response`, `grantSdpRoles`) gets templates of its own; otherwise it
     * shares the gateway's. @default the gateway's
     */
    readonly modelArmor?: EndpointModelArmorArgs;
}

/** Where the gateway's model files live. */
export type ModelBuckets = "shared" | "per-service";
export const MODEL_BUCKETS: readonly ModelBuckets[] = ["shared", "per-service"];

/** Arguments of `GuardedLlmGateway`. */
export interface GuardedLlmGatewayArgs {
    /** The one region of every regional resource (as for `GuardedLlmEndpoint`). */
    readonly region: string;
    /** Project of every resource. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /** Who may call, for every service (as for the endpoint; no default). */
    readonly access: AccessArgs;
    /**
     * The Ollama services by name (1-20 lowercase letters, digits and hyphens), at most five: the traffic extension
     * holds one chain per service. Every service sets `host`, or every service sets `pathPrefix`.
     */
    readonly services: Readonly<Record<string, GatewayServiceArgs>>;
    /** The shared load balancer: one address, one certificate (naming every host), one proxy-only subnet. */
    readonly loadBalancer: EndpointLoadBalancerArgs;
    /** Model Armor for every service that does not say otherwise. @default the `recommended` preset, both directions, fail closed */
    readonly modelArmor?: EndpointModelArmorArgs;
    /** Opt-in Cloud Armor edge protection on every backend service. @default none */
    readonly cloudArmor?: EndpointCloudArmorArgs;
    /** Opt-in observability, as the endpoint's: one dashboard with a row per service, one set of alerts. @default none */
    readonly monitoring?: EndpointMonitoringConfig;
    /** One model bucket for every service, or one per service (each service account reads only its own). @default "shared" */
    readonly modelBuckets?: ModelBuckets;
    /** An existing bucket shared by every service (with `modelBuckets` "shared"). @default a new `ModelBucket` */
    readonly existingModelBucketName?: pulumi.Input<string>;
    /** Enable the APIs the gateway needs, as the endpoint does. @default false */
    readonly enableApis?: boolean;
    /**
     * Accept path routing (`pathPrefix`) although whether Model Armor screens an OpenAI path behind a prefix is
     * UNCONFIRMED: the URL map's rewrite most likely happens after the extension, so Model Armor would see
     * `/coder/v1/chat/completions`, not recognise it, and let it pass unscreened. Set it only to run
     * `npm run verify`'s `prompt-blocked` through each prefix. @default false
     */
    readonly allowUnconfirmedPathScreening?: boolean;
}

export const GUARDED_LLM_GATEWAY_ARG_KEYS = declareArgKeys<GuardedLlmGatewayArgs>()({
    config: [
        "access",
        "services",
        "loadBalancer",
        "modelArmor",
        "cloudArmor",
        "modelBuckets",
        "enableApis",
        "monitoring",
        "allowUnconfirmedPathScreening",
    ],
    codeOnly: ["region", "project", "existingModelBucketName"],
});

/** Keys of a service: the Ollama keys, plus how it is reached and screened. */
export const GATEWAY_SERVICE_ARG_KEYS = declareArgKeys<GatewayServiceArgs>()({
    config: [...OLLAMA_SERVICE_ARG_KEYS.config, "host", "pathPrefix", "modelArmor"],
    // Set by the gateway itself: a shared bucket's directory is the service's name.
    codeOnly: ["modelDirectory"],
});
/** Template keys of `modelArmor`: a service that sets one has templates of its own. */
export const TEMPLATE_KEYS = MODEL_ARMOR_TEMPLATES_ARG_KEYS.config;

/** A service's Ollama keys: what its `OllamaService` is given. */
export const ollamaArgsOf = (service: GatewayServiceArgs): EndpointOllamaArgs =>
    pick(service, OLLAMA_SERVICE_ARG_KEYS.config);

/** The name of a service's component: its Ollama service, bucket and templates derive their names from it. */
export const gatewayServiceName = (gatewayName: string, service: string) => `${gatewayName}-${service}`;

/** A service's `modelArmor`, key by key over the gateway's. */
export function serviceModelArmor(args: Pick<GuardedLlmGatewayArgs, "modelArmor">, service: GatewayServiceArgs) {
    return { ...args.modelArmor, ...service.modelArmor } as EndpointModelArmorArgs;
}

/** The template settings of a gateway: its own, and each service's with its keys laid over them. */
export function gatewayTemplateSettings(args: Pick<GuardedLlmGatewayArgs, "modelArmor" | "services">) {
    return [args.modelArmor ?? {}, ...Object.values(args.services).map((s) => serviceModelArmor(args, s))].map(
        resolveModelArmorSettings,
    );
}

/** Does the service have templates of its own (it sets a template key), or share the gateway's? */
export const hasOwnTemplates = (service: GatewayServiceArgs) =>
    TEMPLATE_KEYS.some((key) => (service.modelArmor as Record<string, unknown> | undefined)?.[key] !== undefined);

/** The name of the templates component that screens `service`: its own, or the gateway's shared one. */
export const serviceTemplatesName = (gatewayName: string, service: string, args: GatewayServiceArgs) =>
    hasOwnTemplates(args) ? templatesName(gatewayServiceName(gatewayName, service)) : templatesName(gatewayName);

/**
 * Checks the whole gateway: the shared parts as an endpoint's (`loadBalancer.`, `modelArmor.`, ...), then each
 * service under `services.<name>.`: its Ollama keys, how it is reached (hosts and prefixes distinct, hosts named by
 * the certificate), its Model Armor keys, models unique across services, and each chain's metadata budget.
 */
export function validateGuardedLlmGatewayArgs(
    args: GuardedLlmGatewayArgs,
    problems: Problems,
    name: string,
    regionKey = problems.key("region"),
): void {
    const { config, codeOnly } = GUARDED_LLM_GATEWAY_ARG_KEYS;
    problems.knownKeys(args as object as Record<string, unknown>, [...config, ...codeOnly]);
    const { services, modelBuckets } = args;
    // The parts a gateway shares with an endpoint, checked as an endpoint's.
    const shared = pick(args, [
        ...GUARDED_LLM_ENDPOINT_ARG_KEYS.config,
        ...GUARDED_LLM_ENDPOINT_ARG_KEYS.codeOnly,
    ]) as Omit<GuardedLlmEndpointArgs, "ollama">;
    if (modelBuckets !== undefined) problems.oneOf("modelBuckets", modelBuckets, MODEL_BUCKETS);
    if (args.existingModelBucketName !== undefined && modelBuckets === "per-service") {
        problems.add("existingModelBucketName", undefined, 'applies only when modelBuckets is "shared"');
    }
    const entries = isPlainObject(services) ? Object.entries(services as Record<string, unknown>) : [];
    if (services === undefined) {
        problems.add("services", undefined, "is required: a map of service name to its ollama keys and host");
    } else if (problems.object("services", services)) {
        if (entries.length === 0 || entries.length > MAX_EXTENSION_CHAINS) {
            problems.add(
                "services",
                `${entries.length} services`,
                `a gateway serves 1 to ${MAX_EXTENSION_CHAINS} services: its traffic extension holds one chain per service, and at most ${MAX_EXTENSION_CHAINS}; serve the others from a second gateway`,
            );
        }
    }
    // Names are checked here, under the key the user wrote; the load balancer checks how each service is reached.
    const named = entries.filter(([service]) => SERVICE_NAME_PATTERN.test(service));
    const routes: LoadBalancerServiceArgs[] = named.map(([service, value]) => ({
        name: service,
        cloudRunService: "",
        ...(isPlainObject(value) ? { host: value.host as string, pathPrefix: value.pathPrefix as string } : {}),
    }));
    const renames = Object.fromEntries([
        ["services", problems.key("services")],
        ...named.map(([service], i) => [`services[${i}]`, problems.key(`services.${service}`)]),
    ]);
    validateGuardedLlmEndpointArgs(shared, problems, name, regionKey, { routes, renames });
    const served = new Map<string, string>();
    for (const [service, value] of entries) {
        const at = problems.under(`services.${service}.`, { region: regionKey });
        if (!problems.object(`services.${service}`, value)) continue;
        at.knownKeys(value, GATEWAY_SERVICE_ARG_KEYS.config);
        const limit = OLLAMA_SERVICE_NAME_LIMIT[0] - name.length - 1;
        if (!SERVICE_NAME_PATTERN.test(service)) {
            problems.add(`services.${service}`, undefined, `the service name ${SERVICE_NAME_EXPECTED}`);
        } else if (service.length > limit) {
            problems.add(
                `services.${service}`,
                undefined,
                `the service name must be at most ${limit} characters here: its Ollama service is named ${name}-<service>, and ${OLLAMA_SERVICE_NAME_LIMIT[1]}`,
            );
        }
        const { modelArmor } = value as GatewayServiceArgs;
        const ollama = ollamaArgsOf(value as GatewayServiceArgs);
        validateOllamaServiceArgs({ ...ollama, region: args.region, modelBucketName: "" }, at);
        if (modelArmor !== undefined && at.object("modelArmor", modelArmor)) {
            const own = at.under("modelArmor.", { region: regionKey });
            own.knownKeys(modelArmor, [...TEMPLATE_KEYS, ...SCREENING_OPTION_KEYS.config]);
            validateModelArmorTemplatesArgs({ ...pick(modelArmor, TEMPLATE_KEYS), region: args.region }, own);
            validateScreeningOptions(modelArmor, own);
        }
        (Array.isArray(ollama.models) ? ollama.models : []).forEach((model, i) => {
            if (typeof model !== "string") return;
            const canonical = canonicalModelName(model);
            const earlier = served.get(canonical);
            if (earlier !== undefined && earlier !== service) {
                at.add(
                    `models[${i}]`,
                    model,
                    `is served by services.${earlier} too: a model name must route to exactly one service; declare it in one of them`,
                );
            }
            served.set(canonical, service);
        });
    }
    if (problems.list.length === 0) {
        validateSanitizeLogsKeepFindings(args.monitoring, gatewayTemplateSettings(args), problems.under("monitoring."));
    }
    validatePathRouting(args, entries, problems);
    if (problems.list.length === 0) validateChainBudgets(args, name, problems);
}

/** Path routing may leave prompts unscreened: refused unless accepted explicitly, under the first prefix given. */
function validatePathRouting(args: GuardedLlmGatewayArgs, entries: [string, unknown][], problems: Problems): void {
    const accepted = args.allowUnconfirmedPathScreening;
    if (accepted !== undefined) problems.boolean("allowUnconfirmedPathScreening", accepted);
    const prefixed = entries.find(([, value]) => isPlainObject(value) && typeof value.pathPrefix === "string");
    if (prefixed === undefined || accepted === true) return;
    problems.add(
        `services.${prefixed[0]}.pathPrefix`,
        (prefixed[1] as GatewayServiceArgs).pathPrefix,
        "path routing may leave prompts unscreened: Model Armor most likely sees the prefixed path, which it does not recognise as OpenAI's, and lets it pass; use host routing, or set allowUnconfirmedPathScreening: true and run npm run verify (prompt-blocked through each prefix) before serving traffic",
    );
}

/**
 * What a service's chain budgets its `model_armor_settings` with: its screening direction and its templates' paths,
 * the project's id at its longest while it is not known.
 */
function chainBudget(args: GuardedLlmGatewayArgs, name: string, service: string, value: GatewayServiceArgs) {
    const project = typeof args.project === "string" ? args.project : LONGEST_PROJECT_ID;
    const templates = serviceTemplatesName(name, service, value);
    const [prompt, response] = (["prompt", "response"] as const).map((side) =>
        templatePath(project, args.region, modelArmorTemplateId(templates, side)),
    );
    const { screen } = resolveScreeningOptions(serviceModelArmor(args, value));
    return (models: readonly string[]) => settingsBudgetProblem(screen, prompt, response, models);
}

/** Each service's `model_armor_settings` must fit its chain's metadata; checked on valid args only. */
function validateChainBudgets(args: GuardedLlmGatewayArgs, name: string, problems: Problems): void {
    for (const [service, value] of Object.entries(args.services)) {
        const models = value.models ?? [];
        const problem = chainBudget(args, name, service, value)(models);
        if (problem) problems.add(`services.${service}.models`, models, problem);
    }
}

/**
 * The models the last chain names: every service's, when their entries fit its metadata with the last service's
 * templates, so that a request no earlier chain recognised still meets an entry for its model rather than only
 * `default` (whose reach is unconfirmed); else the last service's own.
 */
export function catchAllModels(args: GuardedLlmGatewayArgs, name: string): readonly string[] {
    const entries = Object.entries(args.services);
    const [service, value] = entries[entries.length - 1];
    const every = [...new Set(entries.flatMap(([, s]) => s.models ?? []))];
    return chainBudget(args, name, service, value)(every) === undefined ? every : (value.models ?? []);
}

/** The gateway's warnings: each service's as an endpoint's, under its key, and the caveat of path routing. */
export function guardedLlmGatewayWarnings(args: GuardedLlmGatewayArgs): string[] {
    const warnings = Object.entries(args.services).flatMap(([service, value]) =>
        guardedLlmEndpointWarnings({
            ...args,
            ollama: value,
            modelArmor: serviceModelArmor(args, value),
        }).map((warning) => `services.${service}: ${warning}`),
    );
    if (Object.values(args.services).some((s) => s.pathPrefix !== undefined)) {
        warnings.push(
            "services route by pathPrefix: whether Model Armor recognises an OpenAI path the URL map rewrote is UNCONFIRMED; run npm run verify -- --stack NAME after deploying (prompt-blocked must PASS for every service)",
        );
    }
    return warnings;
}
