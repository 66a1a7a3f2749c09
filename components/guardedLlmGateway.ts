import * as pulumi from "@pulumi/pulumi";
import { CloudArmorEdgeProtection } from "./cloudArmorEdgeProtection";
import { EndpointMonitoring, monitoredService, monitorLoadBalancer } from "./endpointMonitoring";
import { endpointApis, frontDoor, trafficExtensionName, modelBucketName } from "./guardedLlmEndpoint";
import { DnsRecord } from "./loadBalancerTls";
import { ModelArmorTemplates } from "./modelArmorTemplates";
import { ModelArmorTrafficExtension } from "./modelArmorTrafficExtension";
import { ModelBucket } from "./modelBucket";
import { bucketNameProblem } from "./naming";
import { OllamaService } from "./ollamaService";
import { OLLAMA_SERVICE_NAME_LIMIT } from "./ollamaServiceArgs";
import { ProjectApis } from "./projectApis";
import { componentType } from "./pure/resourceTypes";
import { RouteTableRow } from "./pure/routeTable";
import { screenedPathsCel, serviceChainCel } from "./pure/screeningCel";
import { RegionalHttpsLoadBalancer } from "./regionalHttpsLoadBalancer";
import { checkComponentArgs, pick } from "./validation";
import {
    catchAllModels,
    gatewayServiceName,
    gatewayTemplateSettings,
    GuardedLlmGatewayArgs,
    guardedLlmGatewayWarnings,
    hasOwnTemplates,
    ollamaArgsOf,
    serviceModelArmor,
    serviceTemplatesName,
    TEMPLATE_KEYS,
    validateGuardedLlmGatewayArgs,
} from "./guardedLlmGatewayArgs";

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
            this.apis = new ProjectApis(
                `${name}-apis`,
                { project: args.project, apis: endpointApis(args, gatewayTemplateSettings(args)) },
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
        this.monitoring = monitorLoadBalancer(
            name,
            args,
            project,
            this.loadBalancer,
            entries.map(([service, value]) =>
                monitoredService(service, this.ollama[service].serviceName, serviceTemplatesName(name, service, value)),
            ),
            this,
        );
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
     * last service's templates, and an entry for every service's model where the metadata allows) rather than passed
     * on.
     */
    private extension(name: string, args: GuardedLlmGatewayArgs, project: pulumi.Input<string> | undefined) {
        const entries = Object.entries(args.services);
        const paths = this.loadBalancer.routedPaths;
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
                models: last ? catchAllModels(args, name) : value.models,
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
