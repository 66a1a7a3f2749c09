import * as pulumi from "@pulumi/pulumi";
import {
    CLOUD_ARMOR_EDGE_PROTECTION_ARG_KEYS,
    CloudArmorEdgeProtection,
    CloudArmorEdgeProtectionArgs,
    validateCloudArmorEdgeProtectionArgs,
} from "./cloudArmorEdgeProtection";
import {
    ENDPOINT_MONITORING_ARG_KEYS,
    EndpointMonitoring,
    EndpointMonitoringConfig,
    monitoredService,
    monitorLoadBalancer,
    validateMonitoringConfig,
    validateSanitizeLogsKeepFindings,
} from "./endpointMonitoring";
import { DnsRecord } from "./loadBalancerTls";
import { dlpParentsOf, resolveModelArmorSettings, screensNothing } from "./modelArmorPresets";
import {
    MODEL_ARMOR_TEMPLATES_ARG_KEYS,
    modelArmorTemplateId,
    ModelArmorTemplates,
    ModelArmorTemplatesArgs,
    validateModelArmorTemplatesArgs,
} from "./modelArmorTemplates";
import {
    ModelArmorTrafficExtension,
    resolveScreeningOptions,
    SCREENING_OPTION_KEYS,
    ScreeningOptions,
    validateScreeningOptions,
} from "./modelArmorTrafficExtension";
import { ModelBucket } from "./modelBucket";
import { OllamaService } from "./ollamaService";
import {
    OLLAMA_SERVICE_ARG_KEYS,
    OLLAMA_SERVICE_NAME_LIMIT,
    OllamaServiceArgs,
    validateOllamaServiceArgs,
} from "./ollamaServiceArgs";
import { ENDPOINT_APIS, ProjectApis } from "./projectApis";
import { LONGEST_PROJECT_ID, settingsBudgetProblem, templatePath } from "./pure/modelArmorSettings";
import { componentType } from "./pure/resourceTypes";
import { RouteTableRow } from "./pure/routeTable";
import {
    REGIONAL_HTTPS_LOAD_BALANCER_ARG_KEYS,
    RegionalHttpsLoadBalancer,
    LoadBalancerServiceArgs,
    RegionalHttpsLoadBalancerArgs,
    validateRegionalHttpsLoadBalancerArgs,
} from "./regionalHttpsLoadBalancer";
import { bucketNameProblem } from "./naming";
import { checkComponentArgs, declareArgKeys, Problems } from "./validation";
import { AccessArgs } from "./access";

/** The Ollama part of {@link GuardedLlmEndpointArgs}: what the endpoint does not supply itself. */
export type EndpointOllamaArgs = Omit<OllamaServiceArgs, "region" | "project" | "modelBucketName">;
/** The load balancer part of {@link GuardedLlmEndpointArgs}. */
export type EndpointLoadBalancerArgs = Omit<
    RegionalHttpsLoadBalancerArgs,
    "region" | "project" | "cloudRunService" | "services" | "access"
>;
/** The Model Armor part of {@link GuardedLlmEndpointArgs}: the templates and how the callout screens. */
export type EndpointModelArmorArgs = Omit<ModelArmorTemplatesArgs, "region" | "project"> & ScreeningOptions;
/** The Cloud Armor part of {@link GuardedLlmEndpointArgs}. */
export type EndpointCloudArmorArgs = Omit<CloudArmorEdgeProtectionArgs, "region" | "project">;

/** Arguments of {@link GuardedLlmEndpoint}. */
export interface GuardedLlmEndpointArgs {
    /**
     * The one region of every regional resource: Cloud Run, the load balancer, Model Armor's templates and its
     * callout endpoint (they must all be in the same region).
     */
    readonly region: string;
    /** Project of every resource. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /**
     * Who may call: `{ mode: "iap", accessors }` (Identity-Aware Proxy), `{ mode: "internal", subnet }` (the VPC only)
     * or `{ mode: "public" }`. No default: a public endpoint is an explicit choice.
     */
    readonly access: AccessArgs;
    /** The Ollama service. @default the {@link OllamaServiceArgs} defaults */
    readonly ollama?: EndpointOllamaArgs;
    /** The load balancer; its proxy-only subnet (a CIDR to create, or the existing one) and TLS have no default. */
    readonly loadBalancer: EndpointLoadBalancerArgs;
    /** The Model Armor templates and screening. @default the `recommended` preset, both directions, fail closed */
    readonly modelArmor?: EndpointModelArmorArgs;
    /**
     * Opt-in edge protection: a Cloud Armor policy on the backend service with a per-client rate limit and an
     * optional source allowlist ({@link CloudArmorEdgeProtection}; read its caveat). @default none
     */
    readonly cloudArmor?: EndpointCloudArmorArgs;
    /**
     * Opt-in observability: a dashboard, a log-based metric of Model Armor's blocks, alert policies and their
     * channels, and where Model Armor's sanitize entries are kept ({@link EndpointMonitoring}). @default none
     */
    readonly monitoring?: EndpointMonitoringConfig;
    /**
     * An existing bucket for the model files; the endpoint grants itself access to it but does not manage it.
     * @default a new, protected {@link ModelBucket}
     */
    readonly existingModelBucketName?: pulumi.Input<string>;
    /**
     * Enable the APIs the endpoint needs ({@link ENDPOINT_APIS}, plus Certificate Manager for managed TLS and DLP
     * for advanced SDP) and create everything after them. APIs are never disabled on destroy. @default false
     */
    readonly enableApis?: boolean;
}

export const GUARDED_LLM_ENDPOINT_ARG_KEYS = declareArgKeys<GuardedLlmEndpointArgs>()({
    config: ["access", "ollama", "loadBalancer", "modelArmor", "cloudArmor", "enableApis", "monitoring"],
    codeOnly: ["region", "project", "existingModelBucketName"],
});

/** The keys of each object part of the endpoint's args: the keys of the component each part configures. */
export const ENDPOINT_PART_KEYS: Readonly<
    Record<"ollama" | "loadBalancer" | "modelArmor" | "cloudArmor" | "monitoring", readonly string[]>
> = {
    ollama: OLLAMA_SERVICE_ARG_KEYS.config,
    loadBalancer: REGIONAL_HTTPS_LOAD_BALANCER_ARG_KEYS.config,
    modelArmor: [...MODEL_ARMOR_TEMPLATES_ARG_KEYS.config, ...SCREENING_OPTION_KEYS.config],
    cloudArmor: CLOUD_ARMOR_EDGE_PROTECTION_ARG_KEYS.config,
    monitoring: ENDPOINT_MONITORING_ARG_KEYS.config,
};

/** The name of the endpoint's model bucket component, from which the bucket's name derives. */
export const modelBucketName = (endpointName: string) => `${endpointName}-models`;

/** The name of the traffic extension of an endpoint or gateway. */
export const trafficExtensionName = (name: string) => `${name}-armor-ext`;

/** The name of the endpoint's Model Armor templates component, from which the template ids derive. */
export const templatesName = (endpointName: string) => `${endpointName}-armor`;

/**
 * Checks the whole endpoint's args, each part under its own key (`ollama.`, `loadBalancer.`, `modelArmor.`), the
 * region under `regionKey`; the stacks call it with config key names. Unknown keys of every part come first: a
 * misspelt key explains the problems that follow from it. `name` is the endpoint's (template ids derive from it).
 */
export function validateGuardedLlmEndpointArgs(
    args: Omit<GuardedLlmEndpointArgs, "ollama"> & Pick<Partial<GuardedLlmEndpointArgs>, "ollama">,
    problems: Problems,
    name: string,
    regionKey = problems.key("region"),
    gateway?: GatewayRoutes,
): void {
    const { config, codeOnly } = GUARDED_LLM_ENDPOINT_ARG_KEYS;
    problems.knownKeys(args as object as Record<string, unknown>, [...config, ...codeOnly]);
    const parts = Object.fromEntries(
        Object.entries(ENDPOINT_PART_KEYS).map(([part, keys]) => {
            const value: unknown = args[part as keyof typeof ENDPOINT_PART_KEYS];
            if (value === undefined) return [part, {}];
            if (!problems.object(part, value)) return [part, undefined];
            problems.under(`${part}.`).knownKeys(value, keys);
            return [part, value];
        }),
    ) as {
        ollama?: EndpointOllamaArgs;
        loadBalancer?: EndpointLoadBalancerArgs;
        modelArmor?: EndpointModelArmorArgs;
        cloudArmor?: EndpointCloudArmorArgs;
        monitoring?: EndpointMonitoringConfig;
    };
    const region = { region: regionKey };
    const accessKey = problems.key("access");
    const { ollama, loadBalancer, modelArmor, cloudArmor, monitoring } = parts;
    if (ollama)
        validateOllamaServiceArgs(
            { ...ollama, region: args.region, modelBucketName: "" },
            problems.under("ollama.", region),
        );
    if (loadBalancer) {
        validateRegionalHttpsLoadBalancerArgs(
            {
                ...loadBalancer,
                access: args.access,
                region: args.region,
                // A gateway reports a missing or empty service map itself.
                ...(gateway && gateway.routes.length > 0 ? { services: gateway.routes } : { cloudRunService: "" }),
            },
            problems.under("loadBalancer.", { ...region, access: accessKey, ...gateway?.renames }),
        );
    }
    if (modelArmor) {
        const { screen, failOpen, timeout, ...templates } = modelArmor;
        validateModelArmorTemplatesArgs({ ...templates, region: args.region }, problems.under("modelArmor.", region));
        validateScreeningOptions({ screen, failOpen, timeout }, problems.under("modelArmor."));
    }
    if (args.cloudArmor !== undefined && args.access?.mode === "internal") {
        problems.add(
            "cloudArmor",
            undefined,
            "is not combined with access.mode internal here: whether Cloud Armor's throttle works on regional internal load balancers is UNCONFIRMED; the VPC already bounds who may call",
        );
    }
    if (args.cloudArmor !== undefined && cloudArmor) {
        validateCloudArmorEdgeProtectionArgs(
            { ...cloudArmor, region: args.region },
            problems.under("cloudArmor.", region),
        );
        if (loadBalancer?.securityPolicy !== undefined) {
            problems.add(
                "cloudArmor",
                undefined,
                "give either cloudArmor (a policy made here) or loadBalancer.securityPolicy (your own), not both",
            );
        }
    }
    if (args.enableApis !== undefined) problems.boolean("enableApis", args.enableApis);
    if (args.monitoring !== undefined && monitoring) {
        const at = problems.under("monitoring.");
        validateMonitoringConfig(monitoring, at);
        // A gateway checks this with every service's templates.
        if (problems.list.length === 0 && !gateway) {
            validateSanitizeLogsKeepFindings(monitoring, [resolveModelArmorSettings(args.modelArmor ?? {})], at);
        }
    }
    if (problems.list.length === 0 && !gateway) validateSettingsBudget(args, name, problems);
}

/** How a gateway's services are reached, checked with the load balancer, and the keys to report them under. */
export interface GatewayRoutes {
    readonly routes: readonly LoadBalancerServiceArgs[];
    /** `services[i]` (the load balancer's field) to the key the user wrote. */
    readonly renames: Record<string, string>;
}

/** The `model_armor_settings` of the declared models must fit the extension's metadata; checked on valid args only. */
function validateSettingsBudget(
    args: Parameters<typeof validateGuardedLlmEndpointArgs>[0],
    name: string,
    problems: Problems,
): void {
    const models = args.ollama?.models ?? [];
    const project = typeof args.project === "string" ? args.project : LONGEST_PROJECT_ID;
    const [prompt, response] = (["prompt", "response"] as const).map((side) =>
        templatePath(project, args.region, modelArmorTemplateId(templatesName(name), side)),
    );
    const { screen } = resolveScreeningOptions(args.modelArmor ?? {});
    const problem = settingsBudgetProblem(screen, prompt, response, models);
    if (problem) problems.add("ollama.models", models, problem);
}

/** The endpoint's own warnings: choices that weaken the guard without being mistakes (its parts warn of theirs). */
export function guardedLlmEndpointWarnings(args: GuardedLlmEndpointArgs): string[] {
    const warnings: string[] = [];
    const { screen, failOpen } = resolveScreeningOptions(args.modelArmor ?? {});
    if (screen !== "both") warnings.push(`modelArmor.screen is "${screen}": Model Armor screens ${screen} only`);
    const settings = resolveModelArmorSettings(args.modelArmor ?? {});
    for (const [side, direction] of [
        ["prompt", "prompts"],
        ["response", "responses"],
    ] as const) {
        if (screen !== (side === "prompt" ? "responses" : "prompts") && screensNothing(settings[side])) {
            warnings.push(
                `modelArmor.${side} has every filter off: ${direction} are sent to Model Armor and pass unscreened`,
            );
        }
    }
    if (failOpen)
        warnings.push(
            "modelArmor.failOpen is true: when a Model Armor callout fails or times out, traffic passes UNSCREENED",
        );
    if (args.monitoring !== undefined) {
        for (const [side, direction] of [
            ["prompt", "prompts"],
            ["response", "responses"],
        ] as const) {
            if (!settings[side].logging.sanitizeOperations) {
                warnings.push(
                    `modelArmor.${side}.logging.sanitizeOperations is false: Model Armor writes no sanitize entries for ${direction}, so the dashboard and the block-rate alert count none of them`,
                );
            }
        }
    }
    if (args.ollama?.insecureAllowAllIngress) {
        warnings.push(
            "ollama.insecureAllowAllIngress is true: the service is reachable from the internet without the load balancer, its path allowlist or Model Armor",
        );
    }
    return warnings;
}

/** Component names longer than this make the Ollama service's derived names too long. */
const ENDPOINT_NAME_LIMIT = [
    OLLAMA_SERVICE_NAME_LIMIT[0] - "-ollama".length,
    `its Ollama service is named <name>-ollama, and ${OLLAMA_SERVICE_NAME_LIMIT[1]}`,
] as const;

/**
 * The whole guarded endpoint from one args object: model bucket, Ollama on a Cloud Run GPU, the regional HTTPS load
 * balancer with its path allowlist, the Model Armor templates and the traffic extension that screens every prompt
 * and response on the HTTPS forwarding rule. What the stacks build.
 */
export class GuardedLlmEndpoint extends pulumi.ComponentResource {
    /** The model bucket, unless an existing one was given. */
    public readonly modelBucket?: ModelBucket;
    /** Name of the bucket holding the model files. */
    public readonly modelBucketName: pulumi.Output<string>;
    /** The Ollama service and its model-pull job. */
    public readonly ollama: OllamaService;
    /** The load balancer. */
    public readonly loadBalancer: RegionalHttpsLoadBalancer;
    /** The prompt and response templates. */
    public readonly modelArmor: ModelArmorTemplates;
    /** The traffic extension on the HTTPS forwarding rule. */
    public readonly trafficExtension: ModelArmorTrafficExtension;
    /** The enabled APIs, when `enableApis` is set. */
    public readonly apis?: ProjectApis;
    /** The Cloud Armor edge protection, when `cloudArmor` is set. */
    public readonly cloudArmor?: CloudArmorEdgeProtection;
    /** The dashboard, block metric and alerts, when `monitoring` is set. */
    public readonly monitoring?: EndpointMonitoring;
    /** `https://` and the first managed domain, else the IP address. */
    public readonly endpointUrl: pulumi.Output<string>;
    /** The static IP address clients (and DNS records) point at. */
    public readonly ipAddress: pulumi.Output<string>;
    /** DNS records to create for managed TLS; empty otherwise. */
    public readonly dnsRecords: pulumi.Output<DnsRecord[]>;
    /** Which paths reach Ollama, which Model Armor screens, which the load balancer refuses. */
    public readonly routeTable: pulumi.Output<RouteTableRow[]>;

    constructor(name: string, args: GuardedLlmEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs(
            "GuardedLlmEndpoint",
            name,
            args,
            validateGuardedLlmEndpointArgs,
            ENDPOINT_NAME_LIMIT,
            (n) =>
                args.existingModelBucketName === undefined ? bucketNameProblem(modelBucketName(n), true) : undefined,
        );
        super(componentType("GuardedLlmEndpoint"), name, {}, opts);
        const { region } = args;
        const { screen, failOpen, timeout, ...templates } = args.modelArmor ?? {};

        this.apis = args.enableApis
            ? new ProjectApis(
                  `${name}-apis`,
                  {
                      project: args.project,
                      apis: endpointApis(args, [resolveModelArmorSettings(args.modelArmor ?? {})]),
                  },
                  { parent: this },
              )
            : undefined;
        // Every child takes its project from here: with APIs enabled, it resolves only once they are, which records
        // the dependency on every resource (a component's dependsOn would not reach its children).
        const project = this.apis?.readyProject ?? args.project;

        if (args.existingModelBucketName === undefined) {
            this.modelBucket = new ModelBucket(modelBucketName(name), { location: region, project }, { parent: this });
        }
        this.modelBucketName = this.modelBucket?.bucketName ?? pulumi.output(args.existingModelBucketName!);
        this.ollama = new OllamaService(
            `${name}-ollama`,
            { ...args.ollama, region, project, modelBucketName: this.modelBucketName },
            { parent: this },
        );
        ({ cloudArmor: this.cloudArmor, loadBalancer: this.loadBalancer } = frontDoor(
            name,
            args,
            project,
            // A plain name, not the service's output: the load balancer, the templates and the extension are
            // created while the model is pulled and the GPU revision starts, not after.
            { cloudRunService: this.ollama.serviceName },
            this,
        ));
        this.modelArmor = new ModelArmorTemplates(
            templatesName(name),
            { ...templates, region, project },
            { parent: this },
        );
        this.trafficExtension = new ModelArmorTrafficExtension(
            trafficExtensionName(name),
            {
                region,
                project,
                forwardingRuleSelfLink: this.loadBalancer.httpsForwardingRule.selfLink,
                loadBalancingScheme: this.loadBalancer.loadBalancingScheme,
                promptTemplateId: this.modelArmor.promptTemplateId,
                responseTemplateId: this.modelArmor.responseTemplateId,
                // Every path the URL map sends to Ollama; the rest never reaches the backend.
                screenedPaths: this.loadBalancer.routedPaths,
                models: args.ollama?.models,
                screen,
                failOpen,
                timeout,
            },
            { parent: this },
        );
        this.monitoring = monitorLoadBalancer(
            name,
            args,
            project,
            this.loadBalancer,
            [monitoredService(this.ollama.serviceName, this.ollama.serviceName, templatesName(name))],
            this,
        );
        for (const warning of guardedLlmEndpointWarnings(args)) pulumi.log.warn(warning, this);

        this.endpointUrl = this.loadBalancer.endpointUrl;
        this.ipAddress = this.loadBalancer.ipAddress;
        this.dnsRecords = this.loadBalancer.dnsRecords;
        this.routeTable = this.loadBalancer.routeTable;
        this.registerOutputs({
            endpointUrl: this.endpointUrl,
            ipAddress: this.ipAddress,
            modelBucketName: this.modelBucketName,
            serviceName: this.ollama.serviceName,
            promptTemplateId: this.modelArmor.promptTemplateId,
            responseTemplateId: this.modelArmor.responseTemplateId,
        });
    }
}

/**
 * The load balancer of an endpoint or gateway in front of `backends`, behind the opt-in Cloud Armor edge protection
 * (else the user's own `loadBalancer.securityPolicy`).
 */
export function frontDoor(
    name: string,
    args: Pick<GuardedLlmEndpointArgs, "region" | "access" | "loadBalancer" | "cloudArmor">,
    project: pulumi.Input<string> | undefined,
    backends: Pick<RegionalHttpsLoadBalancerArgs, "cloudRunService" | "services">,
    parent: pulumi.Resource,
): { cloudArmor?: CloudArmorEdgeProtection; loadBalancer: RegionalHttpsLoadBalancer } {
    const { region } = args;
    const cloudArmor = args.cloudArmor
        ? new CloudArmorEdgeProtection(`${name}-edge`, { ...args.cloudArmor, region, project }, { parent })
        : undefined;
    const loadBalancer = new RegionalHttpsLoadBalancer(
        `${name}-lb`,
        {
            ...args.loadBalancer,
            ...backends,
            access: args.access,
            region,
            project,
            securityPolicy: cloudArmor?.policy.selfLink ?? args.loadBalancer.securityPolicy,
        },
        { parent },
    );
    return { cloudArmor, loadBalancer };
}

/**
 * The APIs an endpoint or gateway needs: {@link ENDPOINT_APIS}, Certificate Manager for managed TLS, IAP or Cloud DNS
 * for the access mode that uses them, DLP when any of `settings` uses advanced SDP, and Cloud Monitoring and Cloud
 * Logging with `monitoring`.
 */
export function endpointApis(
    args: Pick<GuardedLlmEndpointArgs, "loadBalancer" | "access" | "monitoring">,
    settings: readonly ReturnType<typeof resolveModelArmorSettings>[],
): string[] {
    const advancedSdp = settings.some((s) => dlpParentsOf(s).length > 0);
    return [
        ...ENDPOINT_APIS,
        ...(args.loadBalancer.tls?.mode === "managed" ? ["certificatemanager.googleapis.com"] : []),
        ...(args.access.mode === "iap" ? ["iap.googleapis.com"] : []),
        ...(args.access.mode === "internal" && args.access.dns ? ["dns.googleapis.com"] : []),
        ...(advancedSdp ? ["dlp.googleapis.com"] : []),
        ...(args.monitoring ? ["monitoring.googleapis.com", "logging.googleapis.com"] : []),
    ];
}
