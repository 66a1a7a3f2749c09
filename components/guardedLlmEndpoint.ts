import * as pulumi from "@pulumi/pulumi";
import { EdgeSecurityPolicy, EdgeSecurityPolicyArgs, validateEdgeSecurityPolicyArgs } from "./edgeSecurityPolicy";
import {
    ModelArmorPolicy,
    ModelArmorPolicyArgs,
    resolveModelArmorSettings,
    usesAdvancedSdp,
    validateModelArmorPolicyArgs,
} from "./modelArmorPolicy";
import { ModelArmorTrafficExtension, ScreeningOptions, validateScreeningOptions } from "./modelArmorTrafficExtension";
import { ModelBucket } from "./modelBucket";
import { OLLAMA_SERVICE_NAME_LIMIT, OllamaService, OllamaServiceArgs, validateOllamaServiceArgs } from "./ollamaService";
import { ENDPOINT_APIS, ProjectApis } from "./projectApis";
import {
    DnsRecord,
    RegionalHttpsLoadBalancer,
    RegionalHttpsLoadBalancerArgs,
    regionalHttpsLoadBalancerWarnings,
    routedPaths,
    validateRegionalHttpsLoadBalancerArgs,
} from "./regionalHttpsLoadBalancer";
import { RouteTableRow } from "./routes";
import { checkComponentArgs, Problems } from "./validation";

/** The Ollama part of {@link GuardedLlmEndpointArgs}: what the endpoint does not supply itself. */
export type EndpointOllamaArgs = Omit<OllamaServiceArgs, "region" | "project" | "modelBucketName">;
/** The load balancer part of {@link GuardedLlmEndpointArgs}. */
export type EndpointLoadBalancerArgs = Omit<RegionalHttpsLoadBalancerArgs, "region" | "project" | "cloudRunService">;
/** The Model Armor part of {@link GuardedLlmEndpointArgs}: the templates and how the callout screens. */
export type EndpointModelArmorArgs = Omit<ModelArmorPolicyArgs, "region" | "project"> & ScreeningOptions;
/** The Cloud Armor part of {@link GuardedLlmEndpointArgs}. */
export type EndpointCloudArmorArgs = Omit<EdgeSecurityPolicyArgs, "region" | "project">;

/** Arguments of {@link GuardedLlmEndpoint}. */
export interface GuardedLlmEndpointArgs {
    /**
     * The one region of every regional resource: Cloud Run, the load balancer, Model Armor's templates and its
     * callout endpoint (they must all be in the same region).
     */
    readonly region: string;
    /** Project of every resource. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /** The Ollama service. @default the {@link OllamaServiceArgs} defaults */
    readonly ollama?: EndpointOllamaArgs;
    /** The load balancer; its proxy-only subnet (a CIDR to create, or the existing one) has no default. */
    readonly loadBalancer: EndpointLoadBalancerArgs;
    /** The Model Armor templates and screening. @default the `recommended` preset, both directions, fail closed */
    readonly modelArmor?: EndpointModelArmorArgs;
    /**
     * Opt-in edge protection: a Cloud Armor policy on the backend service with a per-client rate limit and an
     * optional source allowlist ({@link EdgeSecurityPolicy}; read its caveat). @default none
     */
    readonly cloudArmor?: EndpointCloudArmorArgs;
    /**
     * An existing bucket for the model files; the endpoint grants itself access to it but does not manage it.
     * @default a new, protected {@link ModelBucket}
     */
    readonly existingModelBucketName?: pulumi.Input<string>;
    /**
     * Enable the APIs the endpoint needs ({@link ENDPOINT_APIS}, plus Certificate Manager for managed TLS and DLP
     * for advanced SDP) and
     * create everything after them. APIs are never disabled on destroy. @default false
     */
    readonly enableApis?: boolean;
}

/**
 * Checks the whole endpoint's args, each part under its own key (`ollama.`, `loadBalancer.`, `modelArmor.`), the
 * region under `regionKey`; the stacks call it with config key names. Returns the warnings of valid args.
 */
export function validateGuardedLlmEndpointArgs(
    args: Omit<GuardedLlmEndpointArgs, "project">,
    problems: Problems,
    regionKey = problems.key("region"),
): string[] {
    const region = { region: regionKey };
    validateOllamaServiceArgs({ ...args.ollama, region: args.region, modelBucketName: "" }, problems.under("ollama.", region));
    const loadBalancer = args.loadBalancer ?? {};
    validateRegionalHttpsLoadBalancerArgs({ ...loadBalancer, region: args.region, cloudRunService: "" }, problems.under("loadBalancer.", region));
    const modelArmor = args.modelArmor ?? {};
    validateModelArmorPolicyArgs({ ...modelArmor, region: args.region }, problems.under("modelArmor.", region));
    validateScreeningOptions(modelArmor, problems.under("modelArmor."));
    if (args.cloudArmor !== undefined && problems.object("cloudArmor", args.cloudArmor)) {
        validateEdgeSecurityPolicyArgs({ ...args.cloudArmor, region: args.region }, problems.under("cloudArmor.", region));
        if (args.loadBalancer?.securityPolicy !== undefined) {
            problems.add("cloudArmor", undefined, "give either cloudArmor (a policy made here) or loadBalancer.securityPolicy (your own), not both");
        }
    }
    if (args.enableApis !== undefined) problems.boolean("enableApis", args.enableApis);
    return [...regionalHttpsLoadBalancerWarnings(loadBalancer), ...endpointWarnings(args)];
}

/** Cross-cutting warnings: choices that weaken the guard without being mistakes. */
function endpointWarnings(args: Omit<GuardedLlmEndpointArgs, "project">): string[] {
    const warnings: string[] = [];
    const screen = args.modelArmor?.screen ?? "both";
    if (screen !== "both") warnings.push(`modelArmor.screen is "${screen}": Model Armor screens ${screen} only`);
    if (args.modelArmor?.failOpen) warnings.push("modelArmor.failOpen is true: when a Model Armor callout fails or times out, traffic passes UNSCREENED");
    if (args.ollama?.insecureAllowAllIngress) {
        warnings.push("ollama.insecureAllowAllIngress is true: the service is reachable from the internet without the load balancer, its path allowlist or Model Armor");
    }
    return warnings;
}

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
    public readonly modelArmor: ModelArmorPolicy;
    /** The traffic extension on the HTTPS forwarding rule. */
    public readonly trafficExtension: ModelArmorTrafficExtension;
    /** The enabled APIs, when `enableApis` is set. */
    public readonly apis?: ProjectApis;
    /** The Cloud Armor policy, when `cloudArmor` is set. */
    public readonly edgeSecurityPolicy?: EdgeSecurityPolicy;
    /** `https://` and the first managed domain, else the IP address. */
    public readonly endpointUrl: pulumi.Output<string>;
    /** The static IP address clients (and DNS records) point at. */
    public readonly ipAddress: pulumi.Output<string>;
    /** DNS records to create for managed TLS; empty otherwise. */
    public readonly dnsRecords: pulumi.Output<DnsRecord[]>;
    /** Which paths reach Ollama, which Model Armor screens, which the load balancer refuses. */
    public readonly routeTable: pulumi.Output<RouteTableRow[]>;
    /** Choices that weaken the guard (unscreened paths, fail-open, a self-signed certificate...). */
    public readonly warnings: string[];

    constructor(name: string, args: GuardedLlmEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        const warnings = checkComponentArgs("GuardedLlmEndpoint", name, args, validateGuardedLlmEndpointArgs, [
            OLLAMA_SERVICE_NAME_LIMIT[0] - "-ollama".length,
            `its Ollama service is named <name>-ollama, and ${OLLAMA_SERVICE_NAME_LIMIT[1]}`,
        ]);
        super("guarded-llm:index:GuardedLlmEndpoint", name, {}, opts);
        this.warnings = warnings;
        const { region } = args;

        if (args.enableApis) {
            const advancedSdp = usesAdvancedSdp(resolveModelArmorSettings(args.modelArmor ?? {})).length > 0;
            const apis = [
                ...ENDPOINT_APIS,
                ...(args.loadBalancer.tls?.mode === "managed" ? ["certificatemanager.googleapis.com"] : []),
                ...(advancedSdp ? ["dlp.googleapis.com"] : []),
            ];
            this.apis = new ProjectApis(`${name}-apis`, { project: args.project, apis }, { parent: this });
        }
        // Every child takes its project from here: with APIs enabled, it resolves only once they are, which records
        // the dependency on every resource (a component's dependsOn would not reach its children).
        const project = this.apis?.readyProject ?? args.project;

        if (args.existingModelBucketName === undefined) {
            this.modelBucket = new ModelBucket(`${name}-models`, { location: region, project }, { parent: this });
        }
        this.modelBucketName = this.modelBucket?.bucketName ?? pulumi.output(args.existingModelBucketName!);
        this.ollama = new OllamaService(
            `${name}-ollama`,
            { ...args.ollama, region, project, modelBucketName: this.modelBucketName },
            { parent: this },
        );
        if (args.cloudArmor) {
            this.edgeSecurityPolicy = new EdgeSecurityPolicy(`${name}-edge`, { ...args.cloudArmor, region, project }, { parent: this });
        }
        this.loadBalancer = new RegionalHttpsLoadBalancer(
            `${name}-lb`,
            {
                ...args.loadBalancer,
                region,
                project,
                cloudRunService: this.ollama.serviceName,
                securityPolicy: this.edgeSecurityPolicy?.policy.selfLink ?? args.loadBalancer.securityPolicy,
            },
            { parent: this },
        );
        const { screen, failOpen, timeout, ...templates } = args.modelArmor ?? {};
        this.modelArmor = new ModelArmorPolicy(`${name}-armor`, { ...templates, region, project }, { parent: this });
        this.trafficExtension = new ModelArmorTrafficExtension(
            `${name}-armor-ext`,
            {
                region,
                project,
                forwardingRuleSelfLink: this.loadBalancer.httpsForwardingRule.selfLink,
                promptTemplateId: this.modelArmor.promptTemplateId,
                responseTemplateId: this.modelArmor.responseTemplateId,
                // Every path the URL map sends to Ollama; the rest never reaches the backend.
                screenedPaths: routedPaths(args.loadBalancer),
                models: args.ollama?.models,
                screen,
                failOpen,
                timeout,
            },
            { parent: this },
        );

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
