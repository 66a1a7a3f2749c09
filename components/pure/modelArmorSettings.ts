/**
 * How a load balancer's traffic extension calls Model Armor: the regional endpoint, the callout events of each
 * screening direction, and the `model_armor_settings` metadata, written by the extension component and read back by
 * the policy pack and the offline plan (docs/platform-facts.md#model-armor-extension).
 */
import { isKnown, isPlainObject, Json, parseJson, quote } from "./values";

/**
 * The regions with a Model Armor endpoint (cloud.google.com/model-armor/locations, read 2026-12); the multi-regions
 * `us` and `eu` cannot serve a regional load balancer's callout. Google adds regions: this list is the one to update.
 */
export const MODEL_ARMOR_REGIONS: readonly string[] = [
    "asia-northeast1",
    "asia-northeast3",
    "asia-south1",
    "asia-southeast1",
    "australia-southeast2",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west9",
    "northamerica-northeast2",
    "southamerica-east1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-west1",
];
export const MODEL_ARMOR_REGION_EXPECTED = `has no Model Armor endpoint; Model Armor serves ${MODEL_ARMOR_REGIONS.join(", ")}`;

/** Model Armor's callout endpoint in `region`; the templates must be in that region too. */
export const modelArmorEndpoint = (region: string) => `modelarmor.${region}.rep.googleapis.com`;
/** Does `service` name a Model Armor endpoint (of any region)? */
export const isModelArmorEndpoint = (service: unknown) =>
    typeof service === "string" && service.startsWith("modelarmor.");

/** What Model Armor screens: prompts and responses, or only one side as an explicit choice. */
export type ScreeningDirection = "both" | "prompts" | "responses";
export const SCREENING_DIRECTIONS: readonly ScreeningDirection[] = ["both", "prompts", "responses"];

export const REQUEST_BODY = "REQUEST_BODY";
export const RESPONSE_BODY = "RESPONSE_BODY";
/** The six events of Google's example: both directions, headers, body and trailers. */
const REQUEST_EVENTS = ["REQUEST_HEADERS", REQUEST_BODY, "REQUEST_TRAILERS"];
const RESPONSE_EVENTS = ["RESPONSE_HEADERS", RESPONSE_BODY, "RESPONSE_TRAILERS"];

/** Callout events per direction; request headers are always sent so Model Armor sees which API is called. */
export function screeningEvents(screen: ScreeningDirection): string[] {
    if (screen === "prompts") return [...REQUEST_EVENTS];
    if (screen === "responses") return ["REQUEST_HEADERS", ...RESPONSE_EVENTS];
    return [...REQUEST_EVENTS, ...RESPONSE_EVENTS];
}

/** The settings key of the template that screens prompts. */
export const PROMPT_TEMPLATE_KEY = "user_prompt_template_id";
/** The settings key of the template that screens responses. */
export const RESPONSE_TEMPLATE_KEY = "model_response_template_id";
/** Keys of Agent Gateway authorization extensions, ignored by a load balancer's Model Armor extension. */
export const AGENT_GATEWAY_KEYS = ["request_template_id", "response_template_id"];
/** The entry for every model without an entry of its own. */
export const DEFAULT_MODEL_ENTRY = "default";

/** A template's full path, as the provider's `id` of a template is (magic-modules modelarmor/Template.yaml). */
export const templatePath = (project: string, location: string, templateId: string) =>
    `projects/${project}/locations/${location}/templates/${templateId}`;
/** Stands for a project id not known yet when budgeting: project ids have at most 30 characters. */
export const LONGEST_PROJECT_ID = "p".repeat(30);

/** A template's full path: `projects/P/locations/L/templates/T`; group 1 is the location. */
export const TEMPLATE_PATH = /^projects\/[^/]+\/locations\/([^/]+)\/templates\/[^/]+$/;

/** The metadata key of the settings. */
export const MODEL_ARMOR_SETTINGS_KEY = "model_armor_settings";

/**
 * An extension's metadata must stay under 1 KiB in total (keys and values), each value under 1024 characters
 * (networkservices v1 `ExtensionChain.Extension.metadata`); whether Google-service extensions are exempt is
 * UNCONFIRMED (docs/open-questions.md#q-metadata-limit-exemption), so the settings are budgeted for it.
 */
export const EXTENSION_METADATA_LIMIT = 1024;

/**
 * The `model_armor_settings` metadata: ONE string holding a JSON array, compact (each entry costs its two template
 * paths, ~230 bytes): one entry per served model as declared, then `"model": "default"` for every other spelling and
 * model (what `default` matches is UNCONFIRMED: docs/open-questions.md#q-default-model-entry).
 */
export function encodeModelArmorSettings(
    screen: ScreeningDirection,
    promptTemplateId: string,
    responseTemplateId: string,
    models: readonly string[] = [],
): string {
    const templates = {
        ...(screen !== "responses" ? { [PROMPT_TEMPLATE_KEY]: promptTemplateId } : {}),
        ...(screen !== "prompts" ? { [RESPONSE_TEMPLATE_KEY]: responseTemplateId } : {}),
    };
    return JSON.stringify([...new Set(models), DEFAULT_MODEL_ENTRY].map((model) => ({ model, ...templates })));
}

/** The bytes the settings take of the extension's metadata budget: the key and the value. */
export function modelArmorSettingsSize(...args: Parameters<typeof encodeModelArmorSettings>): number {
    return Buffer.byteLength(MODEL_ARMOR_SETTINGS_KEY) + Buffer.byteLength(encodeModelArmorSettings(...args));
}

/**
 * Checks that the settings for `models` fit the metadata budget; returns undefined when they do, else a sentence for
 * the error: how many bytes, the limit, and how many of these models would fit.
 */
export function settingsBudgetProblem(...args: Parameters<typeof encodeModelArmorSettings>): string | undefined {
    const [screen, prompt, response, models = []] = args;
    const size = modelArmorSettingsSize(screen, prompt, response, models);
    if (size < EXTENSION_METADATA_LIMIT) return undefined;
    let fitting = models.length;
    while (
        fitting > 0 &&
        modelArmorSettingsSize(screen, prompt, response, models.slice(0, fitting)) >= EXTENSION_METADATA_LIMIT
    )
        fitting--;
    return (
        `gives the Model Armor extension ${size} bytes of ${MODEL_ARMOR_SETTINGS_KEY} (an entry of ~${Math.round(size / (models.length + 1))} ` +
        `bytes per model, plus "default"); its metadata must stay under ${EXTENSION_METADATA_LIMIT} bytes: declare at most ${fitting} ` +
        "models here (the default entry covers the rest), or serve more models from another endpoint"
    );
}

/** The entries of a `model_armor_settings` value and what is wrong with it. */
export interface DecodedModelArmorSettings {
    readonly entries: readonly Json[];
    readonly problems: readonly string[];
}

/**
 * Reads a `model_armor_settings` value: ONE string holding a non-empty JSON array of `{model,
 * user_prompt_template_id?, model_response_template_id?}`, each template a full path in `location` (when known).
 * Undefined while the value is unknown.
 */
export function decodeModelArmorSettings(text: unknown, location?: unknown): DecodedModelArmorSettings | undefined {
    if (!isKnown(text)) return undefined;
    if (text === undefined) return { entries: [], problems: ["is missing, so Model Armor has no template to apply"] };
    if (typeof text !== "string")
        return { entries: [], problems: [`must be one string holding a JSON array, not ${quote(text)}`] };
    const parsed = parseJson(text);
    if (!Array.isArray(parsed) || parsed.length === 0) {
        return { entries: [], problems: [`must hold a non-empty JSON array, not ${quote(text)}`] };
    }
    const problems: string[] = [];
    const entries = parsed.filter((entry, i): entry is Json => {
        const at = `[${i}]`;
        if (!isPlainObject(entry)) {
            problems.push(`${at} must be an object, not ${quote(entry)}`);
            return false;
        }
        if (typeof entry.model !== "string" || entry.model === "") {
            problems.push(`${at} needs a "model" ("${DEFAULT_MODEL_ENTRY}" for every model)`);
        }
        for (const key of AGENT_GATEWAY_KEYS.filter((k) => k in entry)) {
            problems.push(
                `${at} sets ${key}, a key of Agent Gateway extensions that a load balancer's Model Armor extension ignores`,
            );
        }
        const templates = [PROMPT_TEMPLATE_KEY, RESPONSE_TEMPLATE_KEY].filter((k) => k in entry);
        if (templates.length === 0)
            problems.push(`${at} names no template: set ${PROMPT_TEMPLATE_KEY} and/or ${RESPONSE_TEMPLATE_KEY}`);
        for (const key of templates) {
            const region = TEMPLATE_PATH.exec(String(entry[key]))?.[1];
            if (region === undefined) {
                problems.push(
                    `${at}.${key} = ${quote(entry[key])} is not a template path projects/P/locations/L/templates/T`,
                );
            } else if (location !== undefined && isKnown(location) && region !== location) {
                problems.push(`${at}.${key} is a template in ${region}, but Model Armor is called in ${location}`);
            }
        }
        return true;
    });
    return { entries, problems };
}
