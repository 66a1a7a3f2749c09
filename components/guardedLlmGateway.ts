import * as pulumi from "@pulumi/pulumi";
import { CloudArmorEdgeProtection } from "./cloudArmorEdgeProtection";
import {
    EndpointMonitoring,
    EndpointMonitoringConfig,
    monitoredService,
    monitorLoadBalancer,
    validateSanitizeLogsKeepFindings,
} from "./endpointMonitoring";
import {
    endpointApis,
    frontDoor,
    trafficExtensionName,
    GUARDED_LLM_ENDPOINT_ARG_KEYS,
    GuardedLlmEndpointArgs,
    EndpointCloudArmorArgs,
    EndpointLoadBalancerArgs,
    EndpointModelArmorArgs,
    EndpointOllamaArgs,
    guardedLlmEndpointWarnings,
    modelBucketName,
    templatesName,
    validateGuardedLlmEndpointArgs,
} from "./guardedLlmEndpoint";
import { DnsRecord } from "./loadBalancerTls";
import { resolveModelArmorSettings } from "./modelArmorPresets";
import {
    MODEL_ARMOR_TEMPLATES_ARG_KEYS,
    modelArmorTemplateId,
    ModelArmorTemplates,
    validateModelArmorTemplatesArgs,
} from "./modelArmorTemplates";
import {
    ModelArmorTrafficExtension,
    resolveScreeningOptions,
    SCREENING_OPTION_KEYS,
    validateScreeningOptions,
    MAX_EXTENSION_CHAINS,
} from "./modelArmorTrafficExtension";
import { ModelBucket } from "./modelBucket";
import { bucketNameProblem } from "./naming";
import { OllamaService } from "./ollamaService";
import { OLLAMA_SERVICE_ARG_KEYS, OLLAMA_SERVICE_NAME_LIMIT, validateOllamaServiceArgs } from "./ollamaServiceArgs";
import { ProjectApis } from "./projectApis";
import { routedPaths } from "./pure/allowlistUrlMap";
import { LONGEST_PROJECT_ID, settingsBudgetProblem, templatePath } from "./pure/modelArmorSettings";
import { canonicalModelName } from "./pure/ollamaModels";
import { componentType } from "./pure/resourceTypes";
import { RouteTableRow } from "./pure/routeTable";
import { screenedPathsCel, serviceChainCel } from "./pure/screeningCel";
import { isPlainObject } from "./pure/values";
import {
    LoadBalancerServiceArgs,
    RegionalHttpsLoadBalancer,
    SERVICE_NAME_EXPECTED,
    SERVICE_NAME_PATTERN,
} from "./regionalHttpsLoadBalancer";
import { checkComponentArgs, declareArgKeys, pick, Problems } from "./validation";
import { AccessArgs } from "./access";

/** One service of a {@link GuardedLlmGateway}: an Ollama service, how it is reached, and how it is screened. */
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

/** Arguments of {@link GuardedLlmGateway}. */
export interface GuardedLlmGatewayArgs {
    /** The one region of every regional resource (as for {@link GuardedLlmEndpoint}). */
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
    /** An existing bucket shared by every service (with `modelBuckets` "shared"). @default a new {@link ModelBucket} */
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
export const GATEWAY_SERVICE_KEYS: readonly string[] = [
    ...OLLAMA_SERVICE_ARG_KEYS.config,
    "host",
    "pathPrefix",
    "modelArmor",
];
/** Template keys of `modelArmor`: a service that sets one has templates of its own. */
const TEMPLATE_KEYS = MODEL_ARMOR_TEMPLATES_ARG_KEYS.config;

/** A service's Ollama keys: what its {@link OllamaService} is given. */
const ollamaArgsOf = (service: GatewayServiceArgs): EndpointOllamaArgs => pick(service, OLLAMA_SERVICE_ARG_KEYS.config);

/** The name of a service's component: its Ollama service, bucket and templates derive their names from it. */
export const gatewayServiceName = (gatewayName: string, service: string) => `${gatewayName}-${service}`;

/** A service's `modelArmor`, key by key over the gateway's. */
export function serviceModelArmor(args: Pick<GuardedLlmGatewayArgs, "modelArmor">, service: GatewayServiceArgs) {
    return { ...args.modelArmor, ...service.modelArmor } as EndpointModelArmorArgs;
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
                `a gateway serves 1 to ${MAX_EXTENSION_CHAINS} services: its traffic extension holds one chain per service, and at most ${MAX_EXTENSION_CHAINS}`,
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
        at.knownKeys(value, GATEWAY_SERVICE_KEYS);
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
                    `is served by services.${earlier} too: a model name must route to exactly one service`,
                );
            }
            served.set(canonical, service);
        });
    }
    if (problems.list.length === 0) {
        const settings = [
            args.modelArmor ?? {},
            ...Object.values(args.services).map((s) => serviceModelArmor(args, s)),
        ];
        validateSanitizeLogsKeepFindings(
            args.monitoring,
            settings.map(resolveModelArmorSettings),
            problems.under("monitoring."),
        );
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

/** Each service's `model_armor_settings` must fit its chain's metadata; checked on valid args only. */
function validateChainBudgets(args: GuardedLlmGatewayArgs, name: string, problems: Problems): void {
    const project = typeof args.project === "string" ? args.project : LONGEST_PROJECT_ID;
    for (const [service, value] of Object.entries(args.services)) {
        const templates = serviceTemplatesName(name, service, value);
        const [prompt, response] = (["prompt", "response"] as const).map((side) =>
            templatePath(project, args.region, modelArmorTemplateId(templates, side)),
        );
        const { screen } = resolveScreeningOptions(serviceModelArmor(args, value));
        const models = value.models ?? [];
        const problem = settingsBudgetProblem(screen, prompt, response, models);
        if (problem) problems.add(`services.${service}.models`, models, problem);
    }
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

/** What one service of a gateway is, for the stack outputs and the plan. */
export interface GatewayServiceSummary {
    readonly url: pulumi.Output<string>;
    readonly host?: string;
    readonly pathPrefix?: string;
    readonly gpuType: string;
    readonly models: readonly string[];
    readonly serviceName: string;
    readonly promptTemplateId: pulumi.Output<string>;
    readonly responseTemplateId: pulumi.Output<string>;
}

/**
 * Up to five Ollama services, each on its own GPU with its own models and Model Armor templates, behind ONE regional
 * HTTPS load balancer (one address, one certificate for every host, one proxy-only subnet) and ONE traffic extension
 * holding one chain per service. Routing is by host, or by path prefix as an explicit choice.
 */
export class GuardedLlmGateway extends pulumi.ComponentResource {
    /** The model buckets by service (one shared bucket appears under every service), unless an existing one was given. */
    public readonly modelBuckets: Readonly<Record<string, ModelBucket>>;
    /** The Ollama services by name. */
    public readonly ollama: Readonly<Record<string, OllamaService>>;
    /** The templates by name: the gateway's shared ones under its own name, a service's under the service's. */
    public readonly modelArmor: Readonly<Record<string, ModelArmorTemplates>>;
    /** The shared load balancer. */
    public readonly loadBalancer: RegionalHttpsLoadBalancer;
    /** The traffic extension, one chain per service. */
    public readonly trafficExtension: ModelArmorTrafficExtension;
    /** The enabled APIs, when `enableApis` is set. */
    public readonly apis?: ProjectApis;
    /** The Cloud Armor edge protection, when `cloudArmor` is set. */
    public readonly cloudArmor?: CloudArmorEdgeProtection;
    /** The dashboard (a row per service), block metric and alerts, when `monitoring` is set. */
    public readonly monitoring?: EndpointMonitoring;
    /** Each service: its URL, host or prefix, GPU, models and templates. */
    public readonly services: Readonly<Record<string, GatewayServiceSummary>>;
    /** The static IP address every host points at. */
    public readonly ipAddress: pulumi.Output<string>;
    /** DNS records to create: each host's A record, and the certificate's authorisations. */
    public readonly dnsRecords: pulumi.Output<DnsRecord[]>;
    /** Per host (or once, with path routing): which paths reach which service, which Model Armor screens. */
    public readonly routeTable: pulumi.Output<RouteTableRow[]>;

    constructor(name: string, args: GuardedLlmGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs(
            "GuardedLlmGateway",
            name,
            args,
            validateGuardedLlmGatewayArgs,
            [
                OLLAMA_SERVICE_NAME_LIMIT[0] - 2,
                `its Ollama services are named <name>-<service>, and ${OLLAMA_SERVICE_NAME_LIMIT[1]}`,
            ],
            (n) =>
                args.existingModelBucketName === undefined ? bucketNameProblem(modelBucketName(n), true) : undefined,
        );
        super(componentType("GuardedLlmGateway"), name, {}, opts);
        const { region } = args;
        const entries = Object.entries(args.services);

        if (args.enableApis) {
            const settings = [args.modelArmor ?? {}, ...entries.map(([, s]) => serviceModelArmor(args, s))];
            this.apis = new ProjectApis(
                `${name}-apis`,
                { project: args.project, apis: endpointApis(args, settings.map(resolveModelArmorSettings)) },
                { parent: this },
            );
        }
        // As in GuardedLlmEndpoint: the project resolves once the APIs are enabled, so every child waits for them.
        const project = this.apis?.readyProject ?? args.project;

        const buckets = this.buckets(name, args, project);
        this.modelBuckets = buckets.managed;
        this.ollama = Object.fromEntries(
            entries.map(([service, value]) => [
                service,
                new OllamaService(
                    gatewayServiceName(name, service),
                    {
                        ...ollamaArgsOf(value),
                        region,
                        project,
                        modelBucketName: buckets.nameOf(service),
                        // In a shared bucket each service keeps to its own directory: its Ollama lists and loads only
                        // its own models, so a model name reaches exactly one service.
                        modelDirectory: buckets.shared ? service : undefined,
                    },
                    { parent: this },
                ),
            ]),
        );
        ({ cloudArmor: this.cloudArmor, loadBalancer: this.loadBalancer } = frontDoor(
            name,
            args,
            project,
            // Plain names, as in GuardedLlmEndpoint: the load balancer does not wait for the model pulls.
            {
                services: entries.map(([service, value]) => ({
                    name: service,
                    cloudRunService: this.ollama[service].serviceName,
                    host: value.host,
                    pathPrefix: value.pathPrefix,
                })),
            },
            this,
        ));
        this.modelArmor = this.templates(name, args, project);
        this.trafficExtension = this.extension(name, args, project);
        if (args.monitoring) {
            this.monitoring = monitorLoadBalancer(
                name,
                args.monitoring,
                this.loadBalancer,
                { region, project, refusedPathStatus: args.loadBalancer.refusedPathStatus },
                entries.map(([service, value]) =>
                    monitoredService(
                        service,
                        this.ollama[service].serviceName,
                        serviceTemplatesName(name, service, value),
                    ),
                ),
                this,
            );
        }
        for (const warning of guardedLlmGatewayWarnings(args)) pulumi.log.warn(warning, this);

        this.services = Object.fromEntries(
            entries.map(([service, value]) => {
                const templates = this.modelArmor[serviceTemplatesName(name, service, value)];
                return [
                    service,
                    {
                        url: this.loadBalancer.serviceUrls[service],
                        ...(value.host === undefined ? {} : { host: value.host }),
                        ...(value.pathPrefix === undefined ? {} : { pathPrefix: value.pathPrefix }),
                        gpuType: this.ollama[service].gpuType,
                        models: this.ollama[service].models,
                        serviceName: this.ollama[service].serviceName,
                        promptTemplateId: templates.promptTemplateId,
                        responseTemplateId: templates.responseTemplateId,
                    },
                ];
            }),
        );
        this.ipAddress = this.loadBalancer.ipAddress;
        this.dnsRecords = this.loadBalancer.dnsRecords;
        this.routeTable = this.loadBalancer.routeTable;
        this.registerOutputs({ ipAddress: this.ipAddress, services: this.services });
    }

    /** One shared bucket (a new one, or the existing one given), or one new bucket per service. */
    private buckets(name: string, args: GuardedLlmGatewayArgs, project: pulumi.Input<string> | undefined) {
        const bucket = (bucketName: string) =>
            new ModelBucket(bucketName, { location: args.region, project }, { parent: this });
        if (args.modelBuckets === "per-service") {
            const managed = Object.fromEntries(
                Object.keys(args.services).map((s) => [s, bucket(modelBucketName(gatewayServiceName(name, s)))]),
            );
            return { managed, shared: false, nameOf: (service: string) => managed[service].bucketName };
        }
        const shared = args.existingModelBucketName === undefined ? bucket(modelBucketName(name)) : undefined;
        const sharedName = shared?.bucketName ?? pulumi.output(args.existingModelBucketName!);
        const managed = shared ? Object.fromEntries(Object.keys(args.services).map((s) => [s, shared])) : {};
        return { managed, shared: true, nameOf: () => sharedName };
    }

    /** The gateway's shared templates, when a service uses them, and each service's own. */
    private templates(name: string, args: GuardedLlmGatewayArgs, project: pulumi.Input<string> | undefined) {
        const templates: Record<string, ModelArmorTemplates> = {};
        for (const [service, value] of Object.entries(args.services)) {
            const templatesOf = serviceTemplatesName(name, service, value);
            if (templates[templatesOf] !== undefined) continue;
            const templateArgs = pick(
                hasOwnTemplates(value) ? serviceModelArmor(args, value) : args.modelArmor,
                TEMPLATE_KEYS,
            );
            templates[templatesOf] = new ModelArmorTemplates(
                templatesOf,
                { ...templateArgs, region: args.region, project },
                { parent: this },
            );
        }
        return templates;
    }

    /**
     * One chain per service, in the order given. Each selects its service's requests by host (or prefixed path) or
     * by backend service; the last one selects every routed path of every service whatever the host or backend
     * attributes say, so that a request spelled in a way no earlier chain recognises is still screened (with the
     * last service's templates) rather than passed on.
     */
    private extension(name: string, args: GuardedLlmGatewayArgs, project: pulumi.Input<string> | undefined) {
        const entries = Object.entries(args.services);
        const paths = routedPaths(args.loadBalancer.allowedPaths);
        const everyRoutedPath = entries.flatMap(([, s]) => paths.map((p) => `${s.pathPrefix ?? ""}${p}`));
        const everyPath = [...new Set([...everyRoutedPath, ...paths])];
        const chains = entries.map(([service, value], i) => {
            const templates = this.modelArmor[serviceTemplatesName(name, service, value)];
            const backend = this.loadBalancer.backendServices[i];
            const { screen, failOpen, timeout } = serviceModelArmor(args, value);
            const last = i === entries.length - 1;
            return {
                name: service,
                matchCondition: last
                    ? screenedPathsCel(everyPath)
                    : backend.name.apply((backendService) =>
                          serviceChainCel({ backendService, host: value.host, pathPrefix: value.pathPrefix, paths }),
                      ),
                promptTemplateId: templates.promptTemplateId,
                responseTemplateId: templates.responseTemplateId,
                models: value.models,
                screen,
                failOpen,
                timeout,
            };
        });
        return new ModelArmorTrafficExtension(
            trafficExtensionName(name),
            {
                region: args.region,
                project,
                forwardingRuleSelfLink: this.loadBalancer.httpsForwardingRule.selfLink,
                loadBalancingScheme: this.loadBalancer.loadBalancingScheme,
                chains,
            },
            { parent: this },
        );
    }
}
