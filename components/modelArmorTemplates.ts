import * as gcp from "./gcp";
import type * as gcpInput from "@pulumi/gcp/types/input";
import * as pulumi from "@pulumi/pulumi";
import { filterConfigOf, validateModelArmorFilters } from "./modelArmorFilters";
import {
    dlpParentsOf,
    modelArmorTemplatesWarnings,
    ENFORCEMENT_TYPES,
    ERROR_CODE_RANGE,
    LOGGING_KEYS,
    MODEL_ARMOR_PRESETS,
    ModelArmorSettingsChoice,
    ModelArmorTemplateSettings,
    ModelArmorTemplatesSettings,
    resolveModelArmorSettings,
    TEMPLATE_OVERRIDE_KEYS,
} from "./modelArmorPresets";
import { boundedSlug } from "./naming";
import { MODEL_ARMOR_REGION_EXPECTED, MODEL_ARMOR_REGIONS } from "./pure/modelArmorSettings";
import { componentType } from "./pure/resourceTypes";
import { renamedFrom } from "./renamed";
import { checkComponentArgs, declareArgKeys, Problems } from "./validation";

/** Arguments of {@link ModelArmorTemplates}. Field names match the `guarded-llm:modelArmor` stack config keys. */
export interface ModelArmorTemplatesArgs extends ModelArmorSettingsChoice {
    /** The load balancer's region: the traffic extension calls Model Armor's endpoint in that region only. */
    readonly region: string;
    /** Project of the templates. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /**
     * When a template uses advanced SDP: create the Model Armor service agent and grant it `roles/dlp.user` and
     * `roles/dlp.reader` on each project holding the DLP templates, without which advanced SDP does not run.
     * The `dlp.googleapis.com` API must be enabled (GuardedLlmEndpoint's `enableApis` does it). @default true
     */
    readonly grantSdpRoles?: boolean;
}

export const MODEL_ARMOR_TEMPLATES_ARG_KEYS = declareArgKeys<ModelArmorTemplatesArgs>()({
    config: ["preset", "prompt", "response", "grantSdpRoles"],
    codeOnly: ["region", "project"],
});

export function validateModelArmorTemplatesArgs(args: ModelArmorTemplatesArgs, problems: Problems): void {
    const { config, codeOnly } = MODEL_ARMOR_TEMPLATES_ARG_KEYS;
    problems.knownKeys(args as object as Record<string, unknown>, [...config, ...codeOnly]);
    if (problems.region("region", args.region) && !MODEL_ARMOR_REGIONS.includes(args.region)) {
        problems.add("region", args.region, MODEL_ARMOR_REGION_EXPECTED);
    }
    if (args.grantSdpRoles !== undefined) problems.boolean("grantSdpRoles", args.grantSdpRoles);
    if (args.preset !== undefined) problems.oneOf("preset", args.preset, MODEL_ARMOR_PRESETS);
    for (const side of ["prompt", "response"] as const) {
        const overrides: unknown = args[side];
        if (overrides !== undefined && problems.object(side, overrides)) {
            validateTemplateOverrides(overrides, problems.under(`${side}.`));
        }
    }
}

function validateTemplateOverrides(overrides: Record<string, unknown>, problems: Problems): void {
    problems.knownKeys(overrides, TEMPLATE_OVERRIDE_KEYS);
    validateModelArmorFilters(overrides, problems);
    const { enforcement, errorCode, errorMessage, logging } = overrides;
    if (enforcement !== undefined) problems.oneOf("enforcement", enforcement, ENFORCEMENT_TYPES);
    if (errorCode !== undefined) problems.integer("errorCode", errorCode, ...ERROR_CODE_RANGE);
    if (errorMessage !== undefined) problems.nonEmptyString("errorMessage", errorMessage);
    for (const flag of ["multiLanguageDetection", "ignorePartialInvocationFailures"] as const) {
        if (overrides[flag] !== undefined) problems.boolean(flag, overrides[flag]);
    }
    if (logging !== undefined && problems.object("logging", logging)) {
        problems.knownKeys(logging, LOGGING_KEYS, "logging.");
        for (const flag of LOGGING_KEYS) {
            if (logging[flag] !== undefined) problems.boolean(`logging.${flag}`, logging[flag]);
        }
        // Every preset logs screenings; refuse the one explicit way to tune blind (Google's Model Armor best
        // practices: without Cloud Logging, inspect-only yields no useful information).
        if (enforcement === "INSPECT_ONLY" && logging.sanitizeOperations === false) {
            problems.add(
                "logging.sanitizeOperations",
                false,
                "must stay true while enforcement is INSPECT_ONLY: inspect-only findings are only recorded in Cloud Logging",
            );
        }
    }
}

/**
 * `templateMetadata` of one template. Model Armor picks the error fields by what it screens, not by template:
 * `customPromptSafetyError*` when a prompt is blocked, `customLlmResponseSafetyError*` when a response is. So
 * `prompt.errorCode/errorMessage` fill the former and `response.errorCode/errorMessage` the latter, on BOTH
 * templates: each template answers correctly whichever side it screens, and the article's single template (both
 * pairs set) is reproduced on each.
 */
function templateMetadataOf(
    own: ModelArmorTemplateSettings,
    settings: ModelArmorTemplatesSettings,
): gcpInput.modelarmor.TemplateTemplateMetadata {
    return {
        enforcementType: own.enforcement,
        customPromptSafetyErrorCode: settings.prompt.errorCode,
        customPromptSafetyErrorMessage: settings.prompt.errorMessage,
        customLlmResponseSafetyErrorCode: settings.response.errorCode,
        customLlmResponseSafetyErrorMessage: settings.response.errorMessage,
        ignorePartialInvocationFailures: own.ignorePartialInvocationFailures,
        logTemplateOperations: own.logging.templateOperations,
        logSanitizeOperations: own.logging.sanitizeOperations,
        multiLanguageDetection:
            own.multiLanguageDetection === undefined
                ? undefined
                : { enableMultiLanguageDetection: own.multiLanguageDetection },
    };
}

/** What the Model Armor agent needs to run advanced SDP's DLP templates. */
const DLP_AGENT_ROLES = ["roles/dlp.user", "roles/dlp.reader"] as const;

/**
 * Template ids: letters, digits and hyphens, at most 63 characters, not starting with a hyphen (Google Cloud
 * console, "Create and manage Model Armor templates"). Derived from the component name plus the side; long names
 * are shortened with a hash so that two components never collide.
 */
export function modelArmorTemplateId(componentName: string, side: "prompt" | "response"): string {
    return `${boundedSlug(componentName, 63 - "-response".length)}-${side}`;
}

/**
 * The two Model Armor templates of a guarded endpoint, one screening prompts and one screening responses (Google's
 * advice), in the load balancer's region, from a preset plus per-template overrides. Called `ModelArmorPolicy` before
 * 0.2; an alias keeps existing stacks' resources.
 */
export class ModelArmorTemplates extends pulumi.ComponentResource {
    /** The template that screens prompts. */
    public readonly promptTemplate: gcp.modelarmor.Template;
    /** The template that screens responses. */
    public readonly responseTemplate: gcp.modelarmor.Template;
    /**
     * Full path `projects/P/locations/L/templates/T` of the prompt template, for the traffic extension. Taken from
     * the resource's `id`, whose format the provider fixes (magic-modules `Template.yaml` `id_format`); `name`
     * echoes the API, whose project form (ID or number) is UNCONFIRMED.
     */
    public readonly promptTemplateId: pulumi.Output<string>;
    /** Full path of the response template, from its `id` like {@link promptTemplateId}. */
    public readonly responseTemplateId: pulumi.Output<string>;
    /** What each template screens, after the preset and the overrides. */
    public readonly settings: ModelArmorTemplatesSettings;
    /** The Model Armor agent's DLP roles, when a template uses advanced SDP. */
    public readonly sdpGrants: pulumi.CustomResource[];

    constructor(name: string, args: ModelArmorTemplatesArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs("ModelArmorTemplates", name, args, validateModelArmorTemplatesArgs);
        super(componentType("ModelArmorTemplates"), name, {}, renamedFrom("ModelArmorPolicy", opts));

        this.settings = resolveModelArmorSettings(args);
        for (const warning of modelArmorTemplatesWarnings(this.settings)) pulumi.log.warn(warning, this);
        // Advanced SDP fails until the agent holds its DLP roles, so the templates come after the grants.
        this.sdpGrants = args.grantSdpRoles === false ? [] : this.grantSdpRoles(name, args.project);
        const template = (side: "prompt" | "response") =>
            new gcp.modelarmor.Template(
                `${name}-${side}`,
                {
                    project: args.project,
                    location: args.region,
                    templateId: modelArmorTemplateId(name, side),
                    filterConfig: filterConfigOf(this.settings[side]),
                    templateMetadata: templateMetadataOf(this.settings[side], this.settings),
                },
                { parent: this, dependsOn: this.sdpGrants },
            );
        this.promptTemplate = template("prompt");
        this.responseTemplate = template("response");
        this.promptTemplateId = this.promptTemplate.id;
        this.responseTemplateId = this.responseTemplate.id;
        this.registerOutputs({
            promptTemplateId: this.promptTemplateId,
            responseTemplateId: this.responseTemplateId,
            settings: this.settings,
        });
    }

    /**
     * Advanced SDP runs the DLP templates as the Model Armor service agent (`service-N@gcp-sa-modelarmor`), which
     * needs `roles/dlp.user` and `roles/dlp.reader` where the templates live (UNCONFIRMED: docs/open-questions.md):
     * on their project, or on their organization for organization-level templates. The agent is created explicitly,
     * as it may not exist before Model Armor is first used.
     */
    private grantSdpRoles(name: string, project: pulumi.Input<string> | undefined): pulumi.CustomResource[] {
        const parents = dlpParentsOf(this.settings);
        if (parents.length === 0) return [];
        const agent = new gcp.projects.ServiceIdentity(
            `${name}-agent`,
            { project, service: "modelarmor.googleapis.com" },
            { parent: this },
        );
        return parents.flatMap((parent) =>
            DLP_AGENT_ROLES.map((role) => {
                const grantName = `${name}-${role.split(".").pop()}-${parent.kind === "organization" ? "org-" : ""}${parent.id}`;
                const member = agent.member;
                return parent.kind === "organization"
                    ? new gcp.organizations.IAMMember(grantName, { orgId: parent.id, role, member }, { parent: this })
                    : new gcp.projects.IAMMember(grantName, { project: parent.id, role, member }, { parent: this });
            }),
        );
    }
}
