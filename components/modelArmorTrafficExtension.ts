import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import {
    encodeModelArmorSettings,
    MODEL_ARMOR_REGION_EXPECTED,
    MODEL_ARMOR_REGIONS,
    settingsBudgetProblem,
    modelArmorEndpoint,
    SCREENING_DIRECTIONS,
    ScreeningDirection,
    screeningEvents,
} from "./pure/modelArmorSettings";
import { MODEL_NAME_EXPECTED, MODEL_NAME_PATTERN } from "./pure/ollamaModels";
import { componentType } from "./pure/resourceTypes";
import { screenedPathsCel } from "./pure/screeningCel";
import { checkComponentArgs, declareArgKeys, definedOnly, Problems } from "./validation";

/** How the callout screens; the `guarded-llm:modelArmor` keys `screen`, `failOpen` and `timeout`. */
export interface ScreeningOptions {
    /** Screen prompts and responses (`both`), or only `prompts` or only `responses`. @default "both" */
    readonly screen?: ScreeningDirection;
    /**
     * Let traffic through unscreened when the Model Armor callout fails or times out. Fail closed (a 500) is
     * the only safe default for a guard. @default false
     */
    readonly failOpen?: boolean;
    /** Per-message callout timeout, 10ms..1000ms, e.g. "500ms" or "1s"; Model Armor adds ~250 ms. @default "1s" */
    readonly timeout?: string;
}

export const SCREENING_OPTION_KEYS = declareArgKeys<ScreeningOptions>()({
    config: ["screen", "failOpen", "timeout"],
    codeOnly: [],
});
export const SCREENING_DEFAULTS: Required<ScreeningOptions> = { screen: "both", failOpen: false, timeout: "1s" };

/** Applies the defaults of the screening options: the one place they are written. */
export function resolveScreeningOptions(options: ScreeningOptions): Required<ScreeningOptions> {
    return { ...SCREENING_DEFAULTS, ...definedOnly(options) };
}

/** Arguments of {@link ModelArmorTrafficExtension}. */
export interface ModelArmorTrafficExtensionArgs extends ScreeningOptions {
    /** Region of the load balancer; Model Armor's callout endpoint and templates must be in the same region. */
    readonly region: string;
    /** Project of the load balancer. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /**
     * The load balancer's scheme (`RegionalHttpsLoadBalancer.loadBalancingScheme`): `INTERNAL_MANAGED` for an internal
     * one. @default "EXTERNAL_MANAGED"
     */
    readonly loadBalancingScheme?: "EXTERNAL_MANAGED" | "INTERNAL_MANAGED";
    /** Self link of the HTTPS forwarding rule (`RegionalHttpsLoadBalancer.httpsForwardingRule.selfLink`). */
    readonly forwardingRuleSelfLink: pulumi.Input<string>;
    /**
     * Full path of the prompt template (`ModelArmorTemplates.promptTemplateId`), never a hand-typed id. One chain:
     * give this, `responseTemplateId` and `screenedPaths`; several: give `chains` instead.
     */
    readonly promptTemplateId?: pulumi.Input<string>;
    /** Full path of the response template (`ModelArmorTemplates.responseTemplateId`). */
    readonly responseTemplateId?: pulumi.Input<string>;
    /**
     * Exact paths whose traffic the extension screens: the paths the URL map routes to Ollama
     * (`RegionalHttpsLoadBalancer.routedPaths`). Other paths never reach the backend.
     */
    readonly screenedPaths?: readonly string[];
    /**
     * Several chains, each with its own requests and templates (one per service of a gateway), at most
     * {@link MAX_EXTENSION_CHAINS}; the first whose condition matches a request screens it. Their screening options
     * default to this extension's.
     */
    readonly chains?: readonly ScreeningChainArgs[];
    /**
     * Model names clients send (`"model": "gemma:2b"`), each given its own `model_armor_settings` entry besides
     * `default`: what `default` matches is UNCONFIRMED (docs/open-questions.md; in Google's GKE tutorial it applied
     * to requests with no model field), so naming the served models keeps them screened either way. @default []
     */
    readonly models?: readonly string[];
    /** Project holding the templates, where the Service Extensions agent needs `roles/modelarmor.user`. @default `project` */
    readonly templateProject?: pulumi.Input<string>;
    /**
     * Grant the Service Extensions service agent the three roles the callout needs. The grants are per project and
     * non-authoritative: with several extensions in one project, let exactly one grant them (false on the others),
     * or destroying one would revoke the roles the others use. @default true
     */
    readonly grantServiceAgentRoles?: boolean;
}

/** One extension chain of {@link ModelArmorTrafficExtensionArgs.chains}. */
export interface ScreeningChainArgs extends ScreeningOptions {
    /** The chain's name, logged with each request it screens: lowercase letters, digits and hyphens. */
    readonly name: string;
    /** CEL selecting the chain's requests (`serviceChainCel` writes one per gateway service). */
    readonly matchCondition: pulumi.Input<string>;
    /** Full path of the chain's prompt template. */
    readonly promptTemplateId: pulumi.Input<string>;
    /** Full path of the chain's response template. */
    readonly responseTemplateId: pulumi.Input<string>;
    /** Model names given their own `model_armor_settings` entry in this chain. @default [] */
    readonly models?: readonly string[];
}

/** A traffic extension holds at most five chains (networkservices v1 `LbTrafficExtension.extensionChains`). */
export const MAX_EXTENSION_CHAINS = 5;
/** A chain's name: RFC 1034, lowercase, at most 63 characters (provider docs of `extensionChains.name`). */
const CHAIN_NAME_PATTERN = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

const CHAIN_ARG_KEYS = declareArgKeys<ScreeningChainArgs>()({
    config: [],
    codeOnly: [
        "name",
        "matchCondition",
        "promptTemplateId",
        "responseTemplateId",
        "models",
        "screen",
        "failOpen",
        "timeout",
    ],
});

const TRAFFIC_EXTENSION_ARG_KEYS = declareArgKeys<ModelArmorTrafficExtensionArgs>()({
    config: [],
    codeOnly: [
        "screen",
        "failOpen",
        "timeout",
        "region",
        "project",
        "loadBalancingScheme",
        "forwardingRuleSelfLink",
        "promptTemplateId",
        "responseTemplateId",
        "screenedPaths",
        "chains",
        "models",
        "templateProject",
        "grantServiceAgentRoles",
    ],
});

/** Roles of the Service Extensions agent (`service-<number>@gcp-sa-dep`) on the load balancer's project. */
export const CALLOUT_ROLES = ["roles/modelarmor.calloutUser", "roles/serviceusage.serviceUsageConsumer"] as const;
/** Role of the agent on the project that holds the templates. */
export const TEMPLATE_USER_ROLE = "roles/modelarmor.user";

const TIMEOUT_PATTERN = /^(\d+)ms$|^(\d+(?:\.\d+)?)s$/;

/** Milliseconds of a timeout such as "500ms" or "1s"; undefined when malformed. */
export function timeoutInMs(timeout: string): number | undefined {
    const match = TIMEOUT_PATTERN.exec(timeout);
    if (!match) return undefined;
    return match[1] !== undefined ? Number(match[1]) : Math.round(Number(match[2]) * 1000);
}

export function validateScreeningOptions(options: ScreeningOptions, problems: Problems): void {
    if (options.screen !== undefined) problems.oneOf("screen", options.screen, SCREENING_DIRECTIONS);
    if (options.failOpen !== undefined) problems.boolean("failOpen", options.failOpen);
    if (options.timeout !== undefined) {
        const ms = typeof options.timeout === "string" ? timeoutInMs(options.timeout) : undefined;
        if (ms === undefined || ms < 10 || ms > 1000) {
            problems.add("timeout", options.timeout, 'must be from 10ms to 1000ms, written like "500ms" or "1s"');
        }
    }
}

export function validateModelArmorTrafficExtensionArgs(args: ModelArmorTrafficExtensionArgs, problems: Problems): void {
    problems.knownKeys(args as object as Record<string, unknown>, TRAFFIC_EXTENSION_ARG_KEYS.codeOnly);
    if (problems.region("region", args.region) && !MODEL_ARMOR_REGIONS.includes(args.region)) {
        problems.add("region", args.region, MODEL_ARMOR_REGION_EXPECTED);
    }
    validateScreeningOptions(args, problems);
    if (args.loadBalancingScheme !== undefined) {
        problems.oneOf("loadBalancingScheme", args.loadBalancingScheme, ["EXTERNAL_MANAGED", "INTERNAL_MANAGED"]);
    }
    if (args.grantServiceAgentRoles !== undefined)
        problems.boolean("grantServiceAgentRoles", args.grantServiceAgentRoles);
    if (args.chains !== undefined) {
        for (const single of ["promptTemplateId", "responseTemplateId", "screenedPaths", "models"] as const) {
            if (args[single] !== undefined)
                problems.add(single, undefined, "give either chains or the one chain's fields, not both");
        }
        validateChains(args.chains, problems, resolveScreeningOptions(args).screen);
        return;
    }
    for (const required of ["promptTemplateId", "responseTemplateId"] as const) {
        if (args[required] === undefined) problems.add(required, undefined, "is required (or give chains)");
    }
    if (problems.array("screenedPaths", args.screenedPaths)) {
        if (args.screenedPaths.length === 0)
            problems.add("screenedPaths", args.screenedPaths, "must name at least one path");
        problems.eachMatches(
            "screenedPaths",
            args.screenedPaths,
            /^\/[^\s"\\?#]*$/,
            'must be a path starting with "/", e.g. "/v1/chat/completions"',
        );
    }
    validateModels(args, resolveScreeningOptions(args).screen, problems);
}

/** The models of one chain: names Ollama accepts, whose settings fit the metadata budget. */
function validateModels(
    chain: Partial<Pick<ScreeningChainArgs, "models" | "promptTemplateId" | "responseTemplateId">>,
    screen: ScreeningDirection,
    problems: Problems,
): void {
    if (chain.models === undefined || !problems.array("models", chain.models)) return;
    problems.eachMatches("models", chain.models, MODEL_NAME_PATTERN, MODEL_NAME_EXPECTED);
    const { promptTemplateId: prompt, responseTemplateId: response } = chain;
    if (problems.list.length === 0 && typeof prompt === "string" && typeof response === "string") {
        const problem = settingsBudgetProblem(screen, prompt, response, chain.models);
        if (problem) problems.add("models", chain.models, problem);
    }
}

function validateChains(chains: unknown, problems: Problems, screen: ScreeningDirection): void {
    if (!problems.array("chains", chains)) return;
    if (chains.length === 0 || chains.length > MAX_EXTENSION_CHAINS) {
        problems.add(
            "chains",
            `${chains.length} chains`,
            `a traffic extension holds 1 to ${MAX_EXTENSION_CHAINS} extension chains`,
        );
    }
    const names = new Set<unknown>();
    chains.forEach((chain, i) => {
        if (!problems.object(`chains[${i}]`, chain)) return;
        const at = problems.under(`chains[${i}].`);
        at.knownKeys(chain, CHAIN_ARG_KEYS.codeOnly);
        if (at.matches("name", chain.name, CHAIN_NAME_PATTERN, "must be 1-63 lowercase letters, digits and hyphens")) {
            if (names.has(chain.name)) at.add("name", chain.name, "is the name of an earlier chain");
            names.add(chain.name);
        }
        for (const required of ["matchCondition", "promptTemplateId", "responseTemplateId"] as const) {
            if (chain[required] === undefined) at.add(required, undefined, "is required");
        }
        validateScreeningOptions(chain, at);
        const chainScreen = SCREENING_DIRECTIONS.includes(chain.screen as ScreeningDirection)
            ? (chain.screen as ScreeningDirection)
            : screen;
        validateModels(chain as object as ScreeningChainArgs, chainScreen, at);
    });
}

/**
 * A Service Extensions traffic extension that sends every prompt and response of the routed paths through Model
 * Armor, on the HTTPS forwarding rule of a regional external Application Load Balancer; plus the IAM the Service
 * Extensions agent needs.
 */
export class ModelArmorTrafficExtension extends pulumi.ComponentResource {
    /** The traffic extension. At most one may exist per forwarding rule. */
    public readonly extension: gcp.networkservices.LbTrafficExtension;
    /** The agent's role grants (empty when `grantServiceAgentRoles` is false). */
    public readonly serviceAgentGrants: gcp.projects.IAMMember[];
    /** The `model_armor_settings` metadata as sent, one per chain. */
    public readonly settings: pulumi.Output<string>[];
    /** What is screened (by default: each chain may say otherwise). */
    public readonly screen: ScreeningDirection;

    constructor(name: string, args: ModelArmorTrafficExtensionArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs("ModelArmorTrafficExtension", name, args, validateModelArmorTrafficExtensionArgs);
        super(componentType("ModelArmorTrafficExtension"), name, {}, opts);

        const screening = resolveScreeningOptions(args);
        this.screen = screening.screen;
        // IAM members need an explicit project; fall back to the provider's, as the other resources do.
        const project = pulumi
            .output(args.project ?? gcp.organizations.getProjectOutput({}, { parent: this }).projectId)
            .apply((id) => id ?? "");
        const chains: ScreeningChainArgs[] = args.chains
            ? [...args.chains]
            : [
                  {
                      name: "model-armor",
                      matchCondition: screenedPathsCel(args.screenedPaths!),
                      promptTemplateId: args.promptTemplateId!,
                      responseTemplateId: args.responseTemplateId!,
                      models: args.models,
                  },
              ];
        const settled = chains.map((chain) => ({
            chain,
            ...resolveScreeningOptions({ ...screening, ...definedOnly(chain) }),
        }));
        // Template ids known only once the templates exist are budgeted here, failing the update rather than
        // sending metadata GCP refuses (GuardedLlmEndpoint checks its own before registering anything).
        this.settings = settled.map(({ chain, screen }) => {
            const models = [...(chain.models ?? [])];
            return pulumi.all([chain.promptTemplateId, chain.responseTemplateId]).apply(([prompt, response]) => {
                const problem = settingsBudgetProblem(screen, prompt, response, models);
                if (problem) {
                    const key = args.chains ? `chains "${chain.name}" models` : "models";
                    throw new pulumi.ResourceError(`ModelArmorTrafficExtension "${name}" args.${key} ${problem}`, this);
                }
                return encodeModelArmorSettings(screen, prompt, response, models);
            });
        });
        this.extension = new gcp.networkservices.LbTrafficExtension(
            name,
            {
                project: args.project,
                location: args.region,
                loadBalancingScheme: args.loadBalancingScheme ?? "EXTERNAL_MANAGED",
                forwardingRules: [args.forwardingRuleSelfLink],
                extensionChains: settled.map(({ chain, screen, failOpen, timeout }, i) => ({
                    name: chain.name,
                    matchCondition: { celExpression: chain.matchCondition },
                    extensions: [
                        {
                            name: "model-armor",
                            // Google services are called by host name, with no `authority`.
                            service: modelArmorEndpoint(args.region),
                            supportedEvents: screeningEvents(screen),
                            timeout: `${timeoutInMs(timeout)! / 1000}s`,
                            failOpen,
                            metadata: { model_armor_settings: this.settings[i] },
                        },
                    ],
                })),
            },
            {
                parent: this,
                // A replaced forwarding rule is deleted before its successor is created (one address and port):
                // the extension that references it goes first, then follows the new rule, rather than holding a
                // reference that may block the deletion. Meanwhile the rule that exists is unscreened: see the README.
                replaceOnChanges: ["forwardingRules"],
                deleteBeforeReplace: true,
            },
        );
        // The grants come after the extension: public notes disagree on whether the agent exists before the first
        // extension of the project does, and a grant to a missing account fails the deploy. Until the roles
        // propagate, callouts fail and the extension fails closed (500s), never open.
        this.serviceAgentGrants =
            args.grantServiceAgentRoles === false ? [] : this.grantServiceAgent(name, project, args);
        this.registerOutputs({ settings: this.settings });
    }

    private grantServiceAgent(
        name: string,
        project: pulumi.Output<string>,
        args: ModelArmorTrafficExtensionArgs,
    ): gcp.projects.IAMMember[] {
        const number = gcp.organizations.getProjectOutput({ projectId: project }, { parent: this }).number;
        const agent = pulumi.interpolate`serviceAccount:service-${number}@gcp-sa-dep.iam.gserviceaccount.com`;
        const grant = (role: string, onProject: pulumi.Input<string>) =>
            new gcp.projects.IAMMember(
                `${name}-${role.split(/[/.]/).pop()}`,
                { project: onProject, role, member: agent },
                { parent: this, dependsOn: [this.extension] },
            );
        return [
            ...CALLOUT_ROLES.map((role) => grant(role, project)),
            grant(TEMPLATE_USER_ROLE, args.templateProject ?? project),
        ];
    }
}
