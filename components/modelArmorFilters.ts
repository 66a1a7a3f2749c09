/**
 * The filters of a Model Armor template or floor setting: their checks, and their rendering as the provider's
 * `filterConfig`. Shared by {@link ModelArmorTemplates} and {@link ModelArmorFloorSetting}.
 */
import type * as gcpInput from "@pulumi/gcp/types/input";
import {
    ADVANCED_SDP_KEYS,
    CONFIDENCE_LEVELS,
    ModelArmorFilterOverrides,
    PI_AND_JAILBREAK_KEYS,
    RAI_FILTER_KEYS,
    RAI_FILTER_TYPES,
} from "./modelArmorPresets";
import { isPlainObject } from "./pure/values";
import { Problems } from "./validation";

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
    problems.matches(
        "sdp.inspectTemplate",
        sdp.inspectTemplate,
        INSPECT_TEMPLATE_PATTERN,
        expected("inspect", "inspectTemplates", "pii"),
    );
    if (sdp.deidentifyTemplate !== undefined) {
        problems.matches(
            "sdp.deidentifyTemplate",
            sdp.deidentifyTemplate,
            DEIDENTIFY_TEMPLATE_PATTERN,
            expected("de-identify", "deidentifyTemplates", "redact"),
        );
    }
}

const filterEnforcementOf = (on: boolean | undefined) => (on === undefined ? undefined : on ? "ENABLED" : "DISABLED");

/** The provider's `filterConfig` for complete settings or for a floor setting's partial minimum. */
export function filterConfigOf(filters: ModelArmorFilterOverrides): gcpInput.modelarmor.TemplateFilterConfig {
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
            sdp === undefined
                ? undefined
                : typeof sdp === "boolean"
                  ? { basicConfig: { filterEnforcement: filterEnforcementOf(sdp) } }
                  : {
                        advancedConfig: {
                            inspectTemplate: sdp.inspectTemplate,
                            deidentifyTemplate: sdp.deidentifyTemplate,
                        },
                    },
    };
}
