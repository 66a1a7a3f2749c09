/**
 * Model Armor: the traffic extension that calls it, and the templates it applies. Facts:
 * docs/platform-facts.md#model-armor-extension and #model-armor-templates.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { httpsForwardingRules } from "./loadBalancer";
import { StackResource, StackView } from "./stack";
import { TYPES } from "../components/pure/resourceTypes";
import {
    decodeModelArmorSettings,
    DecodedModelArmorSettings,
    isModelArmorEndpoint,
    modelArmorEndpoint,
    PROMPT_TEMPLATE_KEY,
    REQUEST_BODY,
    RESPONSE_BODY,
    RESPONSE_TEMPLATE_KEY,
    TEMPLATE_PATH,
} from "../components/pure/modelArmorSettings";
import { isKnown, listOf, quote, valueAt } from "../components/pure/values";
import { Props, forTypes } from "./values";

/** One extension of a traffic extension's chains, with its position (`extensionChains[0].extensions[0]`). */
interface Extension {
    readonly where: string;
    readonly props: Props;
}

function extensionsOf(trafficExtension: Props): Extension[] {
    return listOf(trafficExtension.extensionChains).flatMap((chain, i) =>
        listOf(chain?.extensions).map((props, j) => ({ where: `extensionChains[${i}].extensions[${j}]`, props })),
    );
}

/** Extensions that call Model Armor: by its service name, or by the settings only Model Armor reads. */
function modelArmorExtensionsOf(trafficExtension: Props): Extension[] {
    return extensionsOf(trafficExtension).filter(
        ({ props }) =>
            isModelArmorEndpoint(props.service) || valueAt(props, "metadata.model_armor_settings") !== undefined,
    );
}

/** The decoded `model_armor_settings` of one extension, in its traffic extension's location. */
const readSettings = (extension: Props, location: unknown) =>
    decodeModelArmorSettings(valueAt(extension, "metadata.model_armor_settings"), location);

const SETTINGS_FIX =
    "Fix: let ModelArmorTrafficExtension write it from ModelArmorPolicy's promptTemplateId and responseTemplateId, " +
    'or set it to JSON.stringify([{ model: "default", user_prompt_template_id: ' +
    '"projects/P/locations/REGION/templates/PROMPT", model_response_template_id: ' +
    '"projects/P/locations/REGION/templates/RESPONSE" }]) with REGION the extension\'s location.';

/** Does any entry name a template of `key`? */
const names = (settings: DecodedModelArmorSettings, key: string) =>
    settings.entries.some((e) => typeof e[key] === "string");

export const modelArmorFailClosed: ResourceValidationPolicy = {
    name: "model-armor-fail-closed",
    description:
        "No traffic extension fails open: when a callout fails or times out the request is refused (500), not " +
        "passed on unscreened.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([TYPES.trafficExtension], (props, report) => {
        for (const { where, props: extension } of extensionsOf(props)) {
            if (extension.failOpen !== true) continue;
            report(
                `${where}.failOpen is true: when the callout fails or times out, prompts and responses pass ` +
                    "unscreened. Fix: set guarded-llm:modelArmor.failOpen to false (ModelArmorTrafficExtension " +
                    "args.failOpen), or remove failOpen (the default is false).",
            );
        }
    }),
};

export const modelArmorRegionalEndpoint: ResourceValidationPolicy = {
    name: "model-armor-regional-endpoint",
    description:
        "Model Armor extensions call modelarmor.<location>.rep.googleapis.com in the extension's own location.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([TYPES.trafficExtension], (props, report) => {
        if (typeof props.location !== "string" || !isKnown(props.location)) return;
        const expected = modelArmorEndpoint(props.location);
        for (const { where, props: extension } of modelArmorExtensionsOf(props)) {
            if (!isKnown(extension.service) || extension.service === expected) continue;
            report(
                `${where}.service is ${quote(extension.service)}: a regional load balancer's callout goes to Model ` +
                    `Armor's endpoint in its own region. Fix: set service to "${expected}" (ModelArmorTrafficExtension ` +
                    "derives it from args.region).",
            );
        }
    }),
};

export const modelArmorSettingsWellFormed: ResourceValidationPolicy = {
    name: "model-armor-settings-well-formed",
    description:
        "metadata.model_armor_settings is one string holding a JSON array of {model, user_prompt_template_id and/or " +
        "model_response_template_id}, each a template path in the extension's location.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([TYPES.trafficExtension], (props, report) => {
        for (const { where, props: extension } of modelArmorExtensionsOf(props)) {
            for (const problem of readSettings(extension, props.location)?.problems ?? []) {
                report(`${where}.metadata.model_armor_settings ${problem}. ${SETTINGS_FIX}`);
            }
        }
    }),
};

/** The callout events of an extension; undefined while unknown. */
function eventsOf(extension: Props): string[] | undefined {
    return isKnown(extension.supportedEvents) ? listOf(extension.supportedEvents) : undefined;
}

export const modelArmorEventsMatchTemplates: ResourceValidationPolicy = {
    name: "model-armor-events-match-templates",
    description:
        "A Model Armor extension receives the body each of its templates screens: REQUEST_BODY for a prompt " +
        "template, RESPONSE_BODY for a response template.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([TYPES.trafficExtension], (props, report) => {
        for (const { where, props: extension } of modelArmorExtensionsOf(props)) {
            const settings = readSettings(extension, props.location);
            const events = eventsOf(extension);
            if (settings === undefined || events === undefined) continue;
            const needed: [string, string, string][] = [
                [PROMPT_TEMPLATE_KEY, REQUEST_BODY, "prompt"],
                [RESPONSE_TEMPLATE_KEY, RESPONSE_BODY, "response"],
            ];
            for (const [key, event, side] of needed) {
                if (!names(settings, key) || events.includes(event)) continue;
                report(
                    `${where} names a ${side} template (${key}) but its supportedEvents lack ${event}, so that ` +
                        `template is never applied. Fix: add ${event} (with the other ${event.split("_")[0]}_* events) ` +
                        "to supportedEvents, as ModelArmorTrafficExtension does.",
                );
            }
        }
    }),
};

/**
 * Mandatory: the guard's point is screening both directions. Screening one side only stays possible
 * (ModelArmorTrafficExtension `screen: "prompts" | "responses"`), but as a choice made twice: in the program and
 * in the policy pack's config (`{ "model-armor-screens-both-directions": "advisory" }`).
 */
export const modelArmorScreensBothDirections: ResourceValidationPolicy = {
    name: "model-armor-screens-both-directions",
    description: "Model Armor screens both the prompts (REQUEST_BODY) and the model's responses (RESPONSE_BODY).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([TYPES.trafficExtension], (props, report) => {
        for (const { where, props: extension } of modelArmorExtensionsOf(props)) {
            const settings = readSettings(extension, props.location);
            const events = eventsOf(extension);
            if (events === undefined) continue;
            const sides: [string, string, string, string][] = [
                ["prompts", REQUEST_BODY, PROMPT_TEMPLATE_KEY, "prompt injection and jailbreaks reach the model"],
                ["responses", RESPONSE_BODY, RESPONSE_TEMPLATE_KEY, "leaked data and unsafe output reach clients"],
            ];
            for (const [side, event, key, risk] of sides) {
                if (events.includes(event) && (settings === undefined || names(settings, key))) continue;
                report(
                    `${where} does not screen ${side} (needs ${event} in supportedEvents and a ${key}): ${risk} ` +
                        'unscreened. Fix: set guarded-llm:modelArmor.screen to "both" (ModelArmorTrafficExtension ' +
                        "args.screen; the default); if one side only is deliberate, lower this policy with " +
                        '--policy-pack-config ({"model-armor-screens-both-directions": "advisory"}).',
                );
            }
        }
    }),
};

/** The template a `projects/P/locations/L/templates/T` path names, among the stack's templates. */
function templateAt(path: string, templates: readonly StackResource[]): StackResource | undefined {
    const [, project, , location, , templateId] = path.split("/");
    const matches = templates.filter((t) => t.props.templateId === templateId && t.props.location === location);
    // The project is often left to the provider default (absent from inputs), so it only breaks ties.
    return matches.length === 1 ? matches[0] : matches.find((t) => t.props.project === project);
}

export const modelArmorPromptInjectionOn: StackValidationPolicy = {
    name: "model-armor-prompt-injection-on",
    description:
        "Every Model Armor template of this stack that a traffic extension applies to prompts " +
        "(user_prompt_template_id) has prompt injection and jailbreak detection enabled.",
    enforcementLevel: "mandatory",
    // Settings that are unknown during the first preview (template ids not created yet) are checked at the end of
    // `pulumi up`; templates outside the stack cannot be read and are not reported.
    validateStack: (args, report) => {
        const stack = new StackView(args.resources);
        const templates = stack.ofType(TYPES.modelArmorTemplate);
        const reported = new Set<string>();
        for (const trafficExtension of stack.ofType(TYPES.trafficExtension)) {
            for (const { props: extension } of modelArmorExtensionsOf(trafficExtension.props)) {
                for (const entry of readSettings(extension, trafficExtension.props.location)?.entries ?? []) {
                    const path = entry[PROMPT_TEMPLATE_KEY];
                    const template = TEMPLATE_PATH.test(String(path)) ? templateAt(path, templates) : undefined;
                    if (template === undefined || reported.has(template.urn)) continue;
                    const enforcement = valueAt(
                        template.props,
                        "filterConfig.piAndJailbreakFilterSettings.filterEnforcement",
                    );
                    if (!isKnown(enforcement) || enforcement === "ENABLED") continue;
                    reported.add(template.urn);
                    report(
                        `template ${quote(path)} screens prompts (${PROMPT_TEMPLATE_KEY} of ${trafficExtension.name}) but its ` +
                            `prompt injection and jailbreak filter is ${quote(enforcement)}. Fix: set ` +
                            "guarded-llm:modelArmor.prompt.piAndJailbreak.enabled to true (ModelArmorPolicy " +
                            'args.prompt.piAndJailbreak), i.e. filterConfig.piAndJailbreakFilterSettings.filterEnforcement: "ENABLED".',
                        template.urn,
                    );
                }
            }
        }
    },
};

export const modelArmorTemplateBlocks: ResourceValidationPolicy = {
    name: "model-armor-template-blocks",
    description:
        "Model Armor templates block what they find (INSPECT_AND_BLOCK) rather than only log it (INSPECT_ONLY).",
    enforcementLevel: "advisory",
    validateResource: forTypes([TYPES.modelArmorTemplate], (props, report) => {
        if (valueAt(props, "templateMetadata.enforcementType") !== "INSPECT_ONLY") return;
        report(
            "templateMetadata.enforcementType is INSPECT_ONLY: findings are logged and every prompt and response " +
                "still passes. Fix: once the thresholds are tuned on the logs, set " +
                "guarded-llm:modelArmor.prompt.enforcement (or .response.enforcement) to INSPECT_AND_BLOCK.",
        );
    }),
};

export const modelArmorGuardsHttpsForwardingRules: StackValidationPolicy = {
    name: "model-armor-guards-https-forwarding-rules",
    description:
        "Every regional HTTPS forwarding rule of the stack is bound to a traffic extension that calls Model Armor.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const stack = new StackView(args.resources);
        const guarding = stack.ofType(TYPES.trafficExtension).filter((e) => modelArmorExtensionsOf(e.props).length > 0);
        const bound = guarding.map((e) => ({
            listed: e.props.forwardingRules,
            rules: stack.referenced(e, "forwardingRules", [TYPES.forwardingRule]),
        }));
        // A rule list unknown during preview and not traceable to this stack's rules might name any rule: nothing
        // can be proven missing.
        const untraceable = ({ listed, rules }: (typeof bound)[number]) =>
            Array.isArray(listed) ? listed.some((v) => !isKnown(v)) && rules.length < listed.length : !isKnown(listed);
        if (bound.some(untraceable)) return;
        const guarded = new Set(bound.flatMap(({ rules }) => rules.map((r) => r.urn)));
        for (const rule of httpsForwardingRules(stack).filter((r) => !guarded.has(r.urn))) {
            report(
                `HTTPS forwarding rule ${rule.name} is bound to no Model Armor traffic extension, so prompts and ` +
                    "responses reach Ollama unscreened. Fix: add a ModelArmorTrafficExtension with " +
                    "forwardingRuleSelfLink set to this rule's selfLink (GuardedLlmEndpoint does).",
                rule.urn,
            );
        }
    },
};

export const modelArmorPolicies = [
    modelArmorFailClosed,
    modelArmorRegionalEndpoint,
    modelArmorSettingsWellFormed,
    modelArmorEventsMatchTemplates,
    modelArmorScreensBothDirections,
    modelArmorPromptInjectionOn,
    modelArmorTemplateBlocks,
    modelArmorGuardsHttpsForwardingRules,
];
