import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { boundedSlug } from "./naming";
import { checkComponentArgs, isPlainObject, Problems } from "./validation";

// Enum values as the provider lists them (pulumi-gcp 9.x `types/input.d.ts`, namespace `modelarmor`).
export const RAI_FILTER_TYPES = ["SEXUALLY_EXPLICIT", "HATE_SPEECH", "HARASSMENT", "DANGEROUS"] as const;
export const CONFIDENCE_LEVELS = ["LOW_AND_ABOVE", "MEDIUM_AND_ABOVE", "HIGH"] as const;
export const ENFORCEMENT_TYPES = ["INSPECT_AND_BLOCK", "INSPECT_ONLY"] as const;
export const MODEL_ARMOR_PRESETS = ["recommended", "article", "strict"] as const;

export type RaiFilterType = (typeof RAI_FILTER_TYPES)[number];
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];
export type EnforcementType = (typeof ENFORCEMENT_TYPES)[number];
/**
 * - `recommended`: Google's initial deployment strategy (seed 003), blocking.
 * - `article`: the article's `gcloud model-armor templates create` command (seed 000), on both templates.
 * - `strict`: for endpoints where a missed attack costs more than a wrongly blocked request: lower thresholds
 *   and multi-language detection.
 */
export type ModelArmorPreset = (typeof MODEL_ARMOR_PRESETS)[number];

/** One Responsible AI filter. CSAM screening is always on and has no filter of its own. */
export interface RaiFilter {
    readonly filterType: RaiFilterType;
    readonly confidenceLevel: ConfidenceLevel;
}

/** Prompt injection and jailbreak detection. */
export interface PiAndJailbreakSetting {
    readonly enabled: boolean;
    readonly confidenceLevel: ConfidenceLevel;
}

/** Advanced Sensitive Data Protection: Sensitive Data Protection (DLP) templates, as full resource paths. */
export interface AdvancedSdp {
    /** e.g. `projects/P/locations/L/inspectTemplates/T`. */
    readonly inspectTemplate: string;
    /** e.g. `projects/P/locations/L/deidentifyTemplates/T`; its info types must all be in the inspect template. */
    readonly deidentifyTemplate?: string;
}

/** `true`/`false` switches basic Sensitive Data Protection on or off; an {@link AdvancedSdp} uses DLP templates. */
export type SdpSetting = boolean | AdvancedSdp;

/** Cloud Logging of a template. */
export interface LoggingSetting {
    /** Log creating, changing and deleting the template (`logTemplateOperations`). */
    readonly templateOperations: boolean;
    /** Log every screening and its findings (`logSanitizeOperations`); INSPECT_ONLY is useless without it. */
    readonly sanitizeOperations: boolean;
}

/** The filters a template runs; a floor setting requires a minimum of the same. */
export interface ModelArmorFilters {
    readonly raiFilters: readonly RaiFilter[];
    readonly piAndJailbreak: PiAndJailbreakSetting;
    readonly maliciousUri: boolean;
    readonly sdp: SdpSetting;
}

/** Everything one template does, after the preset and the overrides are applied. */
export interface ModelArmorTemplateSettings extends ModelArmorFilters {
    readonly enforcement: EnforcementType;
    /** HTTP status a client gets when this side is blocked; undefined: Model Armor's default (403). */
    readonly errorCode?: number;
    /** Message a client gets when this side is blocked; undefined: Model Armor's default. */
    readonly errorMessage?: string;
    /** Screen other languages than English; undefined: not set (Model Armor's default, off). */
    readonly multiLanguageDetection?: boolean;
    readonly logging: LoggingSetting;
    /** Return a verdict even when one detector fails, instead of failing the screening. */
    readonly ignorePartialInvocationFailures: boolean;
}

/** The resolved settings of both templates. */
export interface ModelArmorPolicySettings {
    readonly preset: ModelArmorPreset;
    /** The template that screens what clients send (`user_prompt_template_id`). */
    readonly prompt: ModelArmorTemplateSettings;
    /** The template that screens what the model answers (`model_response_template_id`). */
    readonly response: ModelArmorTemplateSettings;
}

/** Filter overrides: each field given replaces the preset's. */
export interface ModelArmorFilterOverrides {
    /**
     * The Responsible AI filters; the list replaces the preset's, and an empty list turns them off.
     * @default the preset's
     */
    readonly raiFilters?: readonly RaiFilter[];
    /** Prompt injection and jailbreak detection; fields given replace the preset's. @default the preset's */
    readonly piAndJailbreak?: Partial<PiAndJailbreakSetting>;
    /** Malicious URL detection. @default the preset's (on in every preset) */
    readonly maliciousUri?: boolean;
    /** Sensitive Data Protection: basic on/off, or advanced with DLP templates. @default the preset's (basic on) */
    readonly sdp?: SdpSetting;
}

/**
 * Overrides of one template, under `guarded-llm:modelArmor.prompt` / `.response` in a stack. Field names are the
 * stack config contract of DESIGN.md.
 */
export interface ModelArmorTemplateOverrides extends ModelArmorFilterOverrides {
    /**
     * `INSPECT_AND_BLOCK`, or `INSPECT_ONLY` to tune thresholds on live traffic (screening logs must stay on).
     * @default "INSPECT_AND_BLOCK"
     */
    readonly enforcement?: EnforcementType;
    /** HTTP status of a blocked request, 400..999. @default the preset's (Model Armor's 403 unless `article`) */
    readonly errorCode?: number;
    /** Body of a blocked request. @default the preset's (Model Armor's message unless `article`) */
    readonly errorMessage?: string;
    /** Screen prompts and responses in other languages than English. @default the preset's (on only in `strict`) */
    readonly multiLanguageDetection?: boolean;
    /** Cloud Logging; fields given replace the preset's. @default both on */
    readonly logging?: Partial<LoggingSetting>;
    /** Return a verdict even when one detector fails. @default the preset's (on only in `article`) */
    readonly ignorePartialInvocationFailures?: boolean;
}

/** Arguments of {@link ModelArmorPolicy}. Field names match the `guarded-llm:modelArmor` stack config keys. */
export interface ModelArmorPolicyArgs {
    /** The load balancer's region: the traffic extension calls Model Armor's endpoint in that region only. */
    readonly region: string;
    /** Project of the templates. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /** Named starting point of both templates. @default "recommended" */
    readonly preset?: ModelArmorPreset;
    /** Overrides of the prompt template. @default none */
    readonly prompt?: ModelArmorTemplateOverrides;
    /** Overrides of the response template. @default none */
    readonly response?: ModelArmorTemplateOverrides;
    /**
     * When a template uses advanced SDP: create the Model Armor service agent and grant it `roles/dlp.user` and
     * `roles/dlp.reader` on each project holding the DLP templates, without which advanced SDP does not run.
     * The `dlp.googleapis.com` API must be enabled (GuardedLlmEndpoint's `enableApis` does it). @default true
     */
    readonly grantSdpRoles?: boolean;
}

/** The keys of {@link ModelArmorFilterOverrides}. */
export const MODEL_ARMOR_FILTER_KEYS = ["raiFilters", "piAndJailbreak", "maliciousUri", "sdp"] as const;
const OVERRIDE_KEYS = [
    ...MODEL_ARMOR_FILTER_KEYS, "enforcement", "errorCode", "errorMessage", "multiLanguageDetection", "logging",
    "ignorePartialInvocationFailures",
] as const;
const RAI_FILTER_KEYS = ["filterType", "confidenceLevel"] as const;
const PI_AND_JAILBREAK_KEYS = ["enabled", "confidenceLevel"] as const;
const ADVANCED_SDP_KEYS = ["inspectTemplate", "deidentifyTemplate"] as const;
const LOGGING_KEYS = ["templateOperations", "sanitizeOperations"] as const;

/**
 * The error code is the HTTP status the Service Extension answers a blocked request with (provider docs of
 * `customPromptSafetyErrorCode`: "returned to the end user by the service extension"). A status line carries three
 * digits (RFC 9110 section 15), and a block must not read as a success or a redirect, hence 400..999. The article's
 * 798/799 show that Model Armor accepts codes beyond 4xx/5xx; how clients and proxies treat them is UNCONFIRMED,
 * so 4xx (e.g. 403) is the safe choice.
 */
const ERROR_CODE_RANGE = [400, 999] as const;

/** Full DLP template paths as the provider docs give them; the DLP API also has organization-level templates. */
const dlpTemplatePattern = (collection: string) =>
    new RegExp(`^(projects|organizations)/[^/\\s]+/locations/[^/\\s]+/${collection}/[^/\\s]+$`);
const INSPECT_TEMPLATE_PATTERN = dlpTemplatePattern("inspectTemplates");
const DEIDENTIFY_TEMPLATE_PATTERN = dlpTemplatePattern("deidentifyTemplates");
const SDP_EXPECTED =
    "must be true or false (basic Sensitive Data Protection) or {inspectTemplate, deidentifyTemplate} (advanced)";
const SDP_CONFLICT =
    "basic and advanced Sensitive Data Protection cannot be combined: set sdp to true or false for basic, " +
    "or to {inspectTemplate, deidentifyTemplate} for advanced";

const all = (confidenceLevel: ConfidenceLevel): RaiFilter[] =>
    RAI_FILTER_TYPES.map((filterType) => ({ filterType, confidenceLevel }));
const LOGGING_ON: LoggingSetting = { templateOperations: true, sanitizeOperations: true };
const ARTICLE_MESSAGE = "Guardian, a critical flaw has been detected in the very incantation you are attempting to cast.";

/**
 * The article's single template (seed 000), flag by flag. It leaves enforcement unset, which the API defines as
 * INSPECT_AND_BLOCK (Model Armor API reference, `TemplateMetadata.EnforcementType`: ENFORCEMENT_TYPE_UNSPECIFIED
 * "Same as INSPECT_AND_BLOCK"); it is written out here so that the plan shows it and it cannot drift.
 */
const ARTICLE: ModelArmorTemplateSettings = {
    raiFilters: [
        { filterType: "HATE_SPEECH", confidenceLevel: "MEDIUM_AND_ABOVE" },
        { filterType: "HARASSMENT", confidenceLevel: "MEDIUM_AND_ABOVE" },
        { filterType: "SEXUALLY_EXPLICIT", confidenceLevel: "MEDIUM_AND_ABOVE" },
    ],
    piAndJailbreak: { enabled: true, confidenceLevel: "LOW_AND_ABOVE" },
    maliciousUri: true,
    sdp: true,
    enforcement: "INSPECT_AND_BLOCK",
    logging: LOGGING_ON,
    ignorePartialInvocationFailures: true,
};

/**
 * Seed 003's initial deployment: general RAI filters at HIGH (its table: "very low" false-positive risk, so all four
 * categories cost little), prompt injection and jailbreak at MEDIUM_AND_ABOVE, basic SDP (advanced needs DLP
 * templates of the user's own), malicious URLs, logging. Blocking from the start, unlike the seed's INSPECT_ONLY
 * phase: a guard that only watches is opt-in (`enforcement: INSPECT_ONLY`). Failed detectors fail the screening.
 */
const RECOMMENDED: ModelArmorTemplateSettings = {
    raiFilters: all("HIGH"),
    piAndJailbreak: { enabled: true, confidenceLevel: "MEDIUM_AND_ABOVE" },
    maliciousUri: true,
    sdp: true,
    enforcement: "INSPECT_AND_BLOCK",
    logging: LOGGING_ON,
    ignorePartialInvocationFailures: false,
};

/**
 * For high-stakes endpoints. Seed 003: LOW_AND_ABOVE is "potentially suitable for high-stakes categories like
 * prompt injection and jailbreak detection", MEDIUM_AND_ABOVE suits "general content safety". Multi-language
 * detection, so a prompt in another language is screened like an English one.
 */
const STRICT: ModelArmorTemplateSettings = {
    ...RECOMMENDED,
    raiFilters: all("MEDIUM_AND_ABOVE"),
    piAndJailbreak: { enabled: true, confidenceLevel: "LOW_AND_ABOVE" },
    multiLanguageDetection: true,
};

/**
 * Both templates of each preset. Seed 003's decoupling: the prompt template stops injections and jailbreaks, the
 * response template stops harmful content, leaks and malicious URLs; `recommended` therefore leaves injection
 * detection off on responses (an answer that discusses a jailbreak is not one), `strict` keeps it on at
 * MEDIUM_AND_ABOVE in case the answer feeds another agent.
 */
const PRESETS: Record<ModelArmorPreset, Omit<ModelArmorPolicySettings, "preset">> = {
    recommended: {
        prompt: RECOMMENDED,
        response: { ...RECOMMENDED, piAndJailbreak: { ...RECOMMENDED.piAndJailbreak, enabled: false } },
    },
    article: {
        prompt: { ...ARTICLE, errorCode: 799, errorMessage: ARTICLE_MESSAGE },
        response: { ...ARTICLE, errorCode: 798, errorMessage: ARTICLE_MESSAGE },
    },
    strict: {
        prompt: STRICT,
        response: { ...STRICT, piAndJailbreak: { enabled: true, confidenceLevel: "MEDIUM_AND_ABOVE" } },
    },
};

export function validateModelArmorPolicyArgs(args: ModelArmorPolicyArgs, problems: Problems): void {
    problems.region("region", args.region);
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
    problems.knownKeys(overrides, OVERRIDE_KEYS);
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
        // Every preset logs screenings; refuse the one explicit way to tune blind (seed 003: "Without Cloud
        // Logging enabled, Inspect only won't yield any useful information").
        if (enforcement === "INSPECT_ONLY" && logging.sanitizeOperations === false) {
            problems.add("logging.sanitizeOperations", false,
                "must stay true while enforcement is INSPECT_ONLY: inspect-only findings are only recorded in Cloud Logging");
        }
    }
}

/**
 * Checks the filter fields of `filters` (a template's overrides or a floor setting's minimum). Unknown keys are
 * the caller's to check, as the caller knows which other keys belong beside the filters.
 */
export function validateModelArmorFilters(filters: Record<string, unknown>, problems: Problems): void {
    const { raiFilters, piAndJailbreak, maliciousUri, sdp } = filters;
    if (raiFilters !== undefined && problems.array("raiFilters", raiFilters)) {
        const seen = new Map<unknown, number>();
        raiFilters.forEach((filter, i) => {
            const field = `raiFilters[${i}]`;
            if (!problems.object(field, filter)) return;
            problems.knownKeys(filter, RAI_FILTER_KEYS, `${field}.`);
            if (problems.oneOf(`${field}.filterType`, filter.filterType, RAI_FILTER_TYPES)) {
                const first = seen.get(filter.filterType);
                if (first === undefined) seen.set(filter.filterType, i);
                else problems.add(`${field}.filterType`, filter.filterType, `duplicates raiFilters[${first}]`);
            }
            problems.oneOf(`${field}.confidenceLevel`, filter.confidenceLevel, CONFIDENCE_LEVELS);
        });
    }
    if (piAndJailbreak !== undefined && problems.object("piAndJailbreak", piAndJailbreak)) {
        problems.knownKeys(piAndJailbreak, PI_AND_JAILBREAK_KEYS, "piAndJailbreak.");
        if (piAndJailbreak.enabled !== undefined) problems.boolean("piAndJailbreak.enabled", piAndJailbreak.enabled);
        if (piAndJailbreak.confidenceLevel !== undefined) {
            problems.oneOf("piAndJailbreak.confidenceLevel", piAndJailbreak.confidenceLevel, CONFIDENCE_LEVELS);
        }
    }
    if (maliciousUri !== undefined) problems.boolean("maliciousUri", maliciousUri);
    if (sdp !== undefined) validateSdp(sdp, problems);
}

function validateSdp(sdp: unknown, problems: Problems): void {
    if (typeof sdp === "boolean") return;
    if (!isPlainObject(sdp) || "basic" in sdp) {
        const advanced = isPlainObject(sdp) && ADVANCED_SDP_KEYS.some((k) => k in sdp);
        // The provider marks basicConfig and advancedConfig as conflicting (magic-modules Template.yaml).
        problems.add("sdp", sdp, advanced ? SDP_CONFLICT : SDP_EXPECTED);
        return;
    }
    problems.knownKeys(sdp, ADVANCED_SDP_KEYS, "sdp.");
    const expected = (kind: string, collection: string, id: string) =>
        `must be the full path of a Sensitive Data Protection ${kind} template, ` +
        `e.g. "projects/my-project/locations/us-central1/${collection}/${id}"`;
    problems.matches("sdp.inspectTemplate", sdp.inspectTemplate, INSPECT_TEMPLATE_PATTERN,
        expected("inspect", "inspectTemplates", "pii"));
    if (sdp.deidentifyTemplate !== undefined) {
        problems.matches("sdp.deidentifyTemplate", sdp.deidentifyTemplate, DEIDENTIFY_TEMPLATE_PATTERN,
            expected("de-identify", "deidentifyTemplates", "redact"));
    }
}

/** Drops keys whose value is undefined, so that `{ errorCode: undefined }` keeps the preset's value. */
function given<T extends object>(value: T | undefined): Partial<T> {
    return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function applyOverrides(
    base: ModelArmorTemplateSettings,
    overrides: ModelArmorTemplateOverrides | undefined,
): ModelArmorTemplateSettings {
    const o = given(overrides);
    // Whole values replace the preset's; in particular an sdp override replaces basic by advanced (or back),
    // so a template never carries both.
    return {
        ...base,
        ...o,
        piAndJailbreak: { ...base.piAndJailbreak, ...given(o.piAndJailbreak) },
        logging: { ...base.logging, ...given(o.logging) },
    };
}

/**
 * The final settings of both templates: the preset, then each side's overrides. Pure, for the component, the
 * tests and the offline plan (which template screens what). Expects args that passed
 * {@link validateModelArmorPolicyArgs}.
 */
export function resolveModelArmorSettings(
    args: Pick<ModelArmorPolicyArgs, "preset" | "prompt" | "response">,
): ModelArmorPolicySettings {
    const preset = args.preset ?? "recommended";
    return {
        preset,
        prompt: applyOverrides(PRESETS[preset].prompt, args.prompt),
        response: applyOverrides(PRESETS[preset].response, args.response),
    };
}

const filterEnforcementOf = (on: boolean | undefined) => (on === undefined ? undefined : on ? "ENABLED" : "DISABLED");

/** The provider's `filterConfig` for complete settings or for a floor setting's partial minimum. */
export function filterConfigOf(filters: ModelArmorFilterOverrides): gcp.types.input.modelarmor.TemplateFilterConfig {
    const { raiFilters, piAndJailbreak, maliciousUri, sdp } = filters;
    return {
        raiSettings: raiFilters?.length ? { raiFilters: raiFilters.map((f) => ({ ...f })) } : undefined,
        piAndJailbreakFilterSettings: piAndJailbreak && {
            filterEnforcement: filterEnforcementOf(piAndJailbreak.enabled),
            confidenceLevel: piAndJailbreak.confidenceLevel,
        },
        maliciousUriFilterSettings:
            maliciousUri === undefined ? undefined : { filterEnforcement: filterEnforcementOf(maliciousUri) },
        sdpSettings:
            sdp === undefined ? undefined
            : typeof sdp === "boolean" ? { basicConfig: { filterEnforcement: filterEnforcementOf(sdp) } }
            : { advancedConfig: { inspectTemplate: sdp.inspectTemplate, deidentifyTemplate: sdp.deidentifyTemplate } },
    };
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
    settings: ModelArmorPolicySettings,
): gcp.types.input.modelarmor.TemplateTemplateMetadata {
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

/**
 * Template ids: letters, digits and hyphens, at most 63 characters, not starting with a hyphen (Google Cloud
 * console, "Create and manage Model Armor templates"). Derived from the component name plus the side; long names
 * are shortened with a hash so that two components never collide.
 */
export function modelArmorTemplateId(componentName: string, side: "prompt" | "response"): string {
    return `${boundedSlug(componentName, 63 - "-response".length)}-${side}`;
}

/**
 * The two Model Armor templates of a guarded endpoint, one screening prompts and one screening responses (seed
 * 003's advice), in the load balancer's region, from a preset plus per-template overrides.
 */
export class ModelArmorPolicy extends pulumi.ComponentResource {
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
    public readonly settings: ModelArmorPolicySettings;
    /** The Model Armor agent's DLP roles, when a template uses advanced SDP. */
    public readonly sdpGrants: gcp.projects.IAMMember[];

    constructor(name: string, args: ModelArmorPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs("ModelArmorPolicy", name, args, validateModelArmorPolicyArgs);
        super("guarded-llm:index:ModelArmorPolicy", name, {}, opts);

        this.settings = resolveModelArmorSettings(args);
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
     * needs `roles/dlp.user` and `roles/dlp.reader` on the templates' project (GCP-NOTES section 1, UNCONFIRMED).
     * The agent is created explicitly, as it may not exist before Model Armor is first used.
     */
    private grantSdpRoles(name: string, project: pulumi.Input<string> | undefined): gcp.projects.IAMMember[] {
        const dlpProjects = usesAdvancedSdp(this.settings);
        if (dlpProjects.length === 0) return [];
        const agent = new gcp.projects.ServiceIdentity(`${name}-agent`, { project, service: "modelarmor.googleapis.com" }, { parent: this });
        return dlpProjects.flatMap((dlpProject) =>
            ["roles/dlp.user", "roles/dlp.reader"].map(
                (role) =>
                    new gcp.projects.IAMMember(
                        `${name}-${role.split(".").pop()}-${dlpProject}`,
                        { project: dlpProject, role, member: agent.member },
                        { parent: this },
                    ),
            ),
        );
    }
}

/** The projects of the DLP templates that advanced SDP uses, each once; empty when no template uses it. */
export function usesAdvancedSdp(settings: ModelArmorPolicySettings): string[] {
    const paths = [settings.prompt.sdp, settings.response.sdp].flatMap((sdp) =>
        typeof sdp === "object" ? [sdp.inspectTemplate, ...(sdp.deidentifyTemplate ? [sdp.deidentifyTemplate] : [])] : [],
    );
    return [...new Set(paths.map((p) => p.split("/")[1]))];
}
