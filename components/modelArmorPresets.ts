/**
 * What a Model Armor template does: its settings, the named presets, and overrides applied over a preset
 * (docs/platform-facts.md#model-armor-templates). Pure data and functions, for the templates component, the floor
 * setting and the offline plan.
 */
import { definedOnly } from "./validation";

// Enum values as the provider lists them (pulumi-gcp 9.x `types/input.d.ts`, namespace `modelarmor`).
export const RAI_FILTER_TYPES = ["SEXUALLY_EXPLICIT", "HATE_SPEECH", "HARASSMENT", "DANGEROUS"] as const;
export const CONFIDENCE_LEVELS = ["LOW_AND_ABOVE", "MEDIUM_AND_ABOVE", "HIGH"] as const;
export const ENFORCEMENT_TYPES = ["INSPECT_AND_BLOCK", "INSPECT_ONLY"] as const;
export const MODEL_ARMOR_PRESETS = ["recommended", "article", "strict"] as const;

export type RaiFilterType = (typeof RAI_FILTER_TYPES)[number];
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];
export type EnforcementType = (typeof ENFORCEMENT_TYPES)[number];
/**
 * - `recommended`: Google's initial deployment strategy (Model Armor overview and best practices), blocking.
 * - `article`: the article's `gcloud model-armor templates create` command ("Running and Securing AI Applications on Cloud Run with Model Armor"), on both templates.
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
export interface ModelArmorTemplatesSettings {
    readonly preset: ModelArmorPreset;
    /** The template that screens what clients send (`user_prompt_template_id`). */
    readonly prompt: ModelArmorTemplateSettings;
    /** The template that screens what the model answers (`model_response_template_id`). */
    readonly response: ModelArmorTemplateSettings;
}

/** Which settings the two templates get: a preset and each side's overrides. */
export interface ModelArmorSettingsChoice {
    /** Named starting point of both templates. @default "recommended" */
    readonly preset?: ModelArmorPreset;
    /** Overrides of the prompt template. @default none */
    readonly prompt?: ModelArmorTemplateOverrides;
    /** Overrides of the response template. @default none */
    readonly response?: ModelArmorTemplateOverrides;
}

/** The preset of a choice that names none. */
export const DEFAULT_MODEL_ARMOR_PRESET: ModelArmorPreset = "recommended";

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
 * stack config keys documented in the README.
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

/** The keys of {@link ModelArmorFilterOverrides}. */
export const MODEL_ARMOR_FILTER_KEYS = ["raiFilters", "piAndJailbreak", "maliciousUri", "sdp"] as const;
export const TEMPLATE_OVERRIDE_KEYS = [
    ...MODEL_ARMOR_FILTER_KEYS,
    "enforcement",
    "errorCode",
    "errorMessage",
    "multiLanguageDetection",
    "logging",
    "ignorePartialInvocationFailures",
] as const;
export const RAI_FILTER_KEYS = ["filterType", "confidenceLevel"] as const;
export const PI_AND_JAILBREAK_KEYS = ["enabled", "confidenceLevel"] as const;
export const ADVANCED_SDP_KEYS = ["inspectTemplate", "deidentifyTemplate"] as const;
export const LOGGING_KEYS = ["templateOperations", "sanitizeOperations"] as const;

/**
 * The error code is the HTTP status the Service Extension answers a blocked request with (provider docs of
 * `customPromptSafetyErrorCode`: "returned to the end user by the service extension"). A status line carries three
 * digits (RFC 9110 section 15), and a block must not read as a success or a redirect, hence 400..999. The article's
 * 798/799 show that Model Armor accepts codes beyond 4xx/5xx; how clients and proxies treat them is UNCONFIRMED,
 * so 4xx (e.g. 403) is the safe choice.
 */
export const ERROR_CODE_RANGE = [400, 999] as const;

const all = (confidenceLevel: ConfidenceLevel): RaiFilter[] =>
    RAI_FILTER_TYPES.map((filterType) => ({ filterType, confidenceLevel }));
/**
 * What every preset logs: template changes, and every screening (a sanitize entry per prompt or response, with its
 * findings; the entries carry the screened text, as public samples show). They land in Cloud Logging in the templates'
 * project, in its `_Default` bucket unless `guarded-llm:monitoring.sanitizeLogs` keeps them elsewhere, readable by
 * whoever reads that bucket (README, "Observing it"). The block count of the dashboard is made from them; turning
 * `sanitizeOperations` off blinds it (a warning says so), and INSPECT_ONLY needs it on (validation refuses otherwise).
 */
const LOGGING_ON: LoggingSetting = { templateOperations: true, sanitizeOperations: true };
/** The block message of the article's template (its prompt and response block codes are 799 and 798). */
export const ARTICLE_MESSAGE =
    "Guardian, a critical flaw has been detected in the very incantation you are attempting to cast.";

/**
 * The article's single template, flag by flag. It leaves enforcement unset, which the API defines as
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
 * Google's initial deployment strategy (Model Armor overview): general RAI filters at HIGH (its table: "very low" false-positive risk, so all four
 * categories cost little), prompt injection and jailbreak at MEDIUM_AND_ABOVE, basic SDP (advanced needs DLP
 * templates of the user's own), malicious URLs, logging. Blocking from the start, unlike the guide's INSPECT_ONLY
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
 * For high-stakes endpoints. Google's guidance: LOW_AND_ABOVE is "potentially suitable for high-stakes categories like
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
 * Both templates of each preset. Google's advice to decouple them: the prompt template stops injections and jailbreaks, the
 * response template stops harmful content, leaks and malicious URLs; `recommended` therefore leaves injection
 * detection off on responses (an answer that discusses a jailbreak is not one), `strict` keeps it on at
 * MEDIUM_AND_ABOVE in case the answer feeds another agent.
 */
const PRESETS: Record<ModelArmorPreset, Omit<ModelArmorTemplatesSettings, "preset">> = {
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

function applyOverrides(
    base: ModelArmorTemplateSettings,
    overrides: ModelArmorTemplateOverrides | undefined,
): ModelArmorTemplateSettings {
    const o = definedOnly(overrides);
    // Whole values replace the preset's; in particular an sdp override replaces basic by advanced (or back),
    // so a template never carries both.
    return {
        ...base,
        ...o,
        piAndJailbreak: { ...base.piAndJailbreak, ...definedOnly(o.piAndJailbreak) },
        logging: { ...base.logging, ...definedOnly(o.logging) },
    };
}

/**
 * The final settings of both templates: the preset, then each side's overrides. Pure, for the component, the
 * tests and the offline plan (which template screens what). Expects args that passed
 * the templates validator.
 */
export function resolveModelArmorSettings(args: ModelArmorSettingsChoice): ModelArmorTemplatesSettings {
    const preset = args.preset ?? DEFAULT_MODEL_ARMOR_PRESET;
    return {
        preset,
        prompt: applyOverrides(PRESETS[preset].prompt, args.prompt),
        response: applyOverrides(PRESETS[preset].response, args.response),
    };
}

/** The projects of the DLP templates that advanced SDP uses, each once; empty when no template uses it. */
export function dlpParentsOf(settings: ModelArmorTemplatesSettings): DlpParent[] {
    const paths = [settings.prompt.sdp, settings.response.sdp].flatMap((sdp) =>
        typeof sdp === "object"
            ? [sdp.inspectTemplate, ...(sdp.deidentifyTemplate ? [sdp.deidentifyTemplate] : [])]
            : [],
    );
    const parents = new Map<string, DlpParent>();
    for (const path of paths) {
        const [collection, id] = path.split("/");
        parents.set(`${collection}/${id}`, { kind: collection === "organizations" ? "organization" : "project", id });
    }
    return [...parents.values()];
}

/** Does a template run no filter at all (every prompt or response it sees passes)? */
export function screensNothing(settings: ModelArmorFilters): boolean {
    return (
        settings.raiFilters.length === 0 &&
        !settings.piAndJailbreak.enabled &&
        !settings.maliciousUri &&
        settings.sdp === false
    );
}

/** The highest status that is a client error: clients treat 5xx, and anything HTTP does not define, as server errors. */
const LAST_CLIENT_ERROR = 499;

/**
 * Choices in the templates that surprise clients: a block answered with a code clients retry. The OpenAI SDKs retry
 * 5xx (twice by default): a blocked prompt is sent and screened again, a blocked answer generated again on the GPU.
 */
export function modelArmorTemplatesWarnings(settings: ModelArmorTemplatesSettings): string[] {
    return (["prompt", "response"] as const).flatMap((side) => {
        const code = settings[side].errorCode;
        if (code === undefined || code <= LAST_CLIENT_ERROR) return [];
        return [
            `${side}.errorCode ${code} is not a client error (HTTP defines statuses up to 599; clients treat 5xx and unknown codes as server errors): the OpenAI SDKs retry it, ${side === "prompt" ? "sending the blocked prompt to Model Armor again" : "generating the blocked answer again on the GPU"}; use a 4xx such as 403`,
        ];
    });
}

/** Where DLP templates live: a project (by id) or an organization (by number); the DLP API has both. */
export interface DlpParent {
    readonly kind: "project" | "organization";
    readonly id: string;
}
