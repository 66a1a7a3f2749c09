/**
 * Model Armor: the traffic extension that calls it, and the templates it applies. Facts:
 * docs/platform-facts.md#model-armor-extension and #model-armor-templates.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    cloudRunServicesReachedBy,
    FORWARDING_RULES,
    hostNote,
    httpsForwardingRules,
    listForMessage,
    Probe,
    routedProbes,
    urlMapBehind,
} from "./routing";
import { onStackView, StackResource, StackView } from "./stack";
import { TYPES } from "../components/pure/resourceTypes";
import { conditionMatchesPath, parsePathCondition, PathCondition } from "../components/pure/screeningCel";
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
    "Fix: let ModelArmorTrafficExtension write it from ModelArmorTemplates's promptTemplateId and responseTemplateId, " +
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

/**
 * Each template of the stack that a traffic extension applies under `key` (prompts or responses), once, with the
 * path it is named by and the extension that names it. Templates outside the stack cannot be read and are skipped.
 */
function* appliedTemplates(
    stack: StackView,
    key: string,
): Generator<{ path: string; template: StackResource; by: StackResource }> {
    const templates = stack.ofType(TYPES.modelArmorTemplate);
    const seen = new Set<string>();
    for (const trafficExtension of stack.ofType(TYPES.trafficExtension)) {
        for (const { props: extension } of modelArmorExtensionsOf(trafficExtension.props)) {
            for (const entry of readSettings(extension, trafficExtension.props.location)?.entries ?? []) {
                const path = entry[key];
                const template = TEMPLATE_PATH.test(String(path)) ? templateAt(path, templates) : undefined;
                if (template === undefined || seen.has(template.urn)) continue;
                seen.add(template.urn);
                yield { path, template, by: trafficExtension };
            }
        }
    }
}

export const modelArmorPromptInjectionOn: StackValidationPolicy = {
    name: "model-armor-prompt-injection-on",
    description:
        "Every Model Armor template of this stack that a traffic extension applies to prompts " +
        "(user_prompt_template_id) has prompt injection and jailbreak detection enabled.",
    enforcementLevel: "mandatory",
    // Settings that are unknown during the first preview (template ids not created yet) are checked at the end of
    // `pulumi up`; templates outside the stack cannot be read and are not reported.
    validateStack: onStackView((stack, report) => {
        for (const { path, template, by } of appliedTemplates(stack, PROMPT_TEMPLATE_KEY)) {
            const enforcement = valueAt(template.props, "filterConfig.piAndJailbreakFilterSettings.filterEnforcement");
            if (!isKnown(enforcement) || enforcement === "ENABLED") continue;
            report(
                `template ${quote(path)} screens prompts (${PROMPT_TEMPLATE_KEY} of ${by.name}) but its ` +
                    `prompt injection and jailbreak filter is ${quote(enforcement)}. Fix: set ` +
                    "guarded-llm:modelArmor.prompt.piAndJailbreak.enabled to true (ModelArmorTemplates " +
                    'args.prompt.piAndJailbreak), i.e. filterConfig.piAndJailbreakFilterSettings.filterEnforcement: "ENABLED".',
                template.urn,
            );
        }
    }),
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
        "Every HTTPS forwarding rule of the stack, and every forwarding rule (regional or global, HTTP or HTTPS) " +
        "through which a Cloud Run service of the stack can be reached, is bound to a traffic extension that calls " +
        "Model Armor.",
    enforcementLevel: "mandatory",
    validateStack: onStackView((stack, report) => {
        const guarding = stack.ofType(TYPES.trafficExtension).filter((e) => modelArmorExtensionsOf(e.props).length > 0);
        const bound = guarding.map((e) => ({
            listed: e.props.forwardingRules,
            rules: stack.referenced(e, "forwardingRules", FORWARDING_RULES),
        }));
        // A rule list unknown during preview and not traceable to this stack's rules might name any rule: nothing
        // can be proven missing.
        const untraceable = ({ listed, rules }: (typeof bound)[number]) =>
            Array.isArray(listed) ? listed.some((v) => !isKnown(v)) && rules.length < listed.length : !isKnown(listed);
        if (bound.some(untraceable)) return;
        const guarded = new Set(bound.flatMap(({ rules }) => rules.map((r) => r.urn)));
        const https = new Set(httpsForwardingRules(stack).map((r) => r.urn));
        for (const rule of stack.ofType(...FORWARDING_RULES).filter((r) => !guarded.has(r.urn))) {
            const services = cloudRunServicesReachedBy(stack, rule);
            if (services.length === 0 && !https.has(rule.urn)) continue;
            const reach =
                services.length === 0
                    ? ""
                    : ` and reaches Cloud Run service ${listForMessage(services.map((s) => s.name))} of this stack`;
            report(
                `${https.has(rule.urn) ? "HTTPS " : ""}forwarding rule ${rule.name} is bound to no Model Armor ` +
                    `traffic extension${reach}, so prompts and responses reach Ollama unscreened. Fix: add a ` +
                    "ModelArmorTrafficExtension with forwardingRuleSelfLink set to this rule's selfLink " +
                    "(GuardedLlmEndpoint does), or remove this way in: the Cloud Run service must be reachable only " +
                    "through forwarding rules that Model Armor guards.",
                rule.urn,
            );
        }
    }),
};

/** One extension chain that calls Model Armor, with the position and match condition of every chain before it. */
interface ModelArmorChain {
    readonly index: number;
    readonly chain: Props;
    readonly earlier: readonly { readonly index: number; readonly chain: Props }[];
}

function modelArmorChainsOf(trafficExtension: Props): ModelArmorChain[] {
    const chains = listOf(trafficExtension.extensionChains);
    return chains.flatMap((chain, index) =>
        modelArmorExtensionsOf({ extensionChains: [chain] }).length === 0
            ? []
            : [{ index, chain, earlier: chains.slice(0, index).map((c, i) => ({ index: i, chain: c })) }],
    );
}

/**
 * The paths a chain's match condition selects: every path when it has none; undefined while unknown; the CEL text
 * when the pack cannot read it.
 */
function conditionOf(chain: Props): PathCondition | string | undefined {
    const cel = valueAt(chain, "matchCondition.celExpression");
    if (!isKnown(cel) || !isKnown(chain.matchCondition)) return undefined;
    if (cel === undefined || cel === null || cel === "") return { exact: [], prefixes: [], all: true };
    return (typeof cel === "string" && parsePathCondition(cel)) || String(cel);
}

const CEL_FIX =
    'write it as request.path == "/p" || request.path.startsWith("/p?") for each routed path, joined by ||, as ' +
    "ModelArmorTrafficExtension writes it from screenedPaths";

/** The requests each Model Armor chain of each extension must screen: every probe its load balancers forward. */
function routedThroughExtensions(stack: StackView) {
    return stack.ofType(TYPES.trafficExtension).flatMap((extension) => {
        const routed = stack.referenced(extension, "forwardingRules", FORWARDING_RULES).flatMap((rule) => {
            const urlMap = urlMapBehind(stack, rule);
            return urlMap === undefined ? [] : [{ urlMap, probes: routedProbes(urlMap.props) ?? [] }];
        });
        return modelArmorChainsOf(extension.props).map((chain) => ({ extension, chain, routed }));
    });
}

/** `path (Host: h)` for each probe, once each. */
const describeProbes = (probes: readonly Probe[]) => [...new Set(probes.map((p) => `${p.path}${hostNote(p.host)}`))];

export const modelArmorScreensRoutedPaths: StackValidationPolicy = {
    name: "model-armor-screens-routed-paths",
    description:
        "The match condition of the Model Armor chain selects every path that the URL maps of its forwarding rules " +
        "route to a backend service, and is a CEL expression the pack can read.",
    enforcementLevel: "mandatory",
    validateStack: onStackView((stack, report) => {
        for (const { extension, chain, routed } of routedThroughExtensions(stack)) {
            const where = `extensionChains[${chain.index}]`;
            const condition = conditionOf(chain.chain);
            if (condition === undefined) continue;
            if (typeof condition === "string") {
                report(
                    `${where}.matchCondition of ${extension.name} cannot be verified: the pack reads only ` +
                        `request.path comparisons joined by ||, not ${quote(condition)}, so a routed path may skip ` +
                        `Model Armor unnoticed. Fix: ${CEL_FIX}.`,
                    extension.urn,
                );
                continue;
            }
            for (const { urlMap, probes } of routed) {
                const skipped = probes.filter((p) => !conditionMatchesPath(condition, p.path));
                if (skipped.length === 0) continue;
                report(
                    `URL map ${urlMap.name} routes ${listForMessage(describeProbes(skipped))} to a backend, but the ` +
                        `Model Armor chain ${where} of ${extension.name} does not match ${skipped.length === 1 ? "it" : "them"}: ` +
                        "those requests reach Ollama without being screened. Fix: route exact paths only and screen " +
                        "each (ModelArmorTrafficExtension screenedPaths = RegionalHttpsLoadBalancer.routedPaths), or " +
                        `${CEL_FIX}.`,
                    extension.urn,
                );
            }
        }
    }),
};

export const modelArmorChainRunsFirst: StackValidationPolicy = {
    name: "model-armor-chain-runs-first",
    description:
        "No extension chain before the Model Armor chain matches a path Model Armor screens: only the first chain " +
        "whose condition matches runs, so an earlier overlapping chain means Model Armor never sees those requests.",
    enforcementLevel: "mandatory",
    validateStack: onStackView((stack, report) => {
        for (const { extension, chain, routed } of routedThroughExtensions(stack)) {
            const screening = conditionOf(chain.chain);
            // An unknown or unreadable Model Armor condition is judged by model-armor-screens-routed-paths.
            if (screening === undefined || typeof screening === "string") continue;
            const paths = [
                ...new Set([...screening.exact, ...routed.flatMap(({ probes }) => probes.map((p) => p.path))]),
            ].filter((p) => conditionMatchesPath(screening, p));
            for (const earlier of chain.earlier) {
                if (modelArmorExtensionsOf({ extensionChains: [earlier.chain] }).length > 0) continue;
                const condition = conditionOf(earlier.chain);
                if (condition === undefined) continue;
                const where = `extensionChains[${earlier.index}]`;
                const taken =
                    typeof condition === "string" ? [] : paths.filter((p) => conditionMatchesPath(condition, p));
                if (typeof condition !== "string" && taken.length === 0) continue;
                report(
                    `${where} of ${extension.name} comes before the Model Armor chain extensionChains[${chain.index}] ` +
                        (typeof condition === "string"
                            ? `and its matchCondition ${quote(condition)} cannot be read, so it may take any path `
                            : `and matches ${listForMessage(taken)} too `) +
                        "first: only the first matching chain runs, so Model Armor never screens those requests. Fix: " +
                        "move the Model Armor chain first in extensionChains, or narrow the earlier chain's " +
                        "matchCondition to paths Model Armor does not screen.",
                    extension.urn,
                );
            }
        }
    }),
};

export const modelArmorEveryModelScreened: ResourceValidationPolicy = {
    name: "model-armor-every-model-screened",
    description:
        "Every model_armor_settings entry names each template the other entries name: a model whose entry lacks the " +
        "prompt (or response) template is served unscreened in that direction.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([TYPES.trafficExtension], (props, report) => {
        for (const { where, props: extension } of modelArmorExtensionsOf(props)) {
            const entries = readSettings(extension, props.location)?.entries ?? [];
            const sides: [string, string][] = [
                [PROMPT_TEMPLATE_KEY, "prompts to"],
                [RESPONSE_TEMPLATE_KEY, "responses of"],
            ];
            for (const [key, direction] of sides) {
                if (!entries.some((e) => typeof e[key] === "string")) continue;
                entries.forEach((entry, i) => {
                    if (typeof entry[key] === "string") return;
                    report(
                        `${where}.metadata.model_armor_settings[${i}] (model ${quote(entry.model)}) has no ${key} ` +
                            `while other entries have one: ${direction} that model pass Model Armor unscreened. Fix: ` +
                            `give every entry the same ${key} (ModelArmorTrafficExtension writes one entry per ` +
                            "model, each with both templates).",
                    );
                });
            }
        }
    }),
};

/** The project a `projects/P/locations/L/templates/T` path names. */
const projectOfTemplate = (path: string) => path.split("/")[1];

export const modelArmorTemplatesInExtensionProject: StackValidationPolicy = {
    name: "model-armor-templates-in-extension-project",
    description:
        "Model Armor templates live in the traffic extension's project and in this stack, where the pack can read " +
        "their filters. Advisory: a template kept in another project may be fine, but cannot be judged.",
    enforcementLevel: "advisory",
    validateStack: onStackView((stack, report) => {
        const templates = stack.ofType(TYPES.modelArmorTemplate);
        for (const extension of stack.ofType(TYPES.trafficExtension)) {
            const project = extension.props.project;
            if (typeof project !== "string" || !isKnown(project) || project === "") continue;
            const paths = modelArmorExtensionsOf(extension.props).flatMap(({ props }) =>
                (readSettings(props, extension.props.location)?.entries ?? []).flatMap((e) =>
                    [e[PROMPT_TEMPLATE_KEY], e[RESPONSE_TEMPLATE_KEY]].filter((p) => TEMPLATE_PATH.test(String(p))),
                ),
            );
            for (const path of new Set<string>(paths)) {
                const other = projectOfTemplate(path);
                // A project number and a project id cannot be compared without the API.
                if (/^\d+$/.test(other) !== /^\d+$/.test(project) || other === project) continue;
                if (templateAt(path, templates) !== undefined) continue;
                report(
                    `${extension.name} applies template ${quote(path)} of project ${quote(other)}, not of its own ` +
                        `project ${quote(project)}: the policy pack cannot read that template's filters, and the ` +
                        "Service Extensions agent needs roles/modelarmor.user there. Fix: manage the templates in this " +
                        "stack (ModelArmorTemplates in the extension's project), or, having checked the template and " +
                        "set ModelArmorTrafficExtension args.templateProject, disable this policy in the pack's config.",
                    extension.urn,
                );
            }
        }
    }),
};

/** Is every filter of a template off? Undefined while any of them is unknown. */
function allFiltersOff(template: Props): boolean | undefined {
    const filters = [
        valueAt(template, "filterConfig.raiSettings.raiFilters"),
        valueAt(template, "filterConfig.piAndJailbreakFilterSettings.filterEnforcement"),
        valueAt(template, "filterConfig.maliciousUriFilterSettings.filterEnforcement"),
        valueAt(template, "filterConfig.sdpSettings.basicConfig.filterEnforcement"),
        valueAt(template, "filterConfig.sdpSettings.advancedConfig"),
    ];
    if (!filters.every(isKnown)) return undefined;
    const [rai, pi, uri, basicSdp, advancedSdp] = filters;
    return (
        listOf(rai).length === 0 &&
        pi !== "ENABLED" &&
        uri !== "ENABLED" &&
        basicSdp !== "ENABLED" &&
        (advancedSdp === undefined || advancedSdp === null)
    );
}

export const modelArmorResponseTemplateFiltersOn: StackValidationPolicy = {
    name: "model-armor-response-template-filters-on",
    description:
        "Every template of this stack that a traffic extension applies to responses (model_response_template_id) " +
        "turns on at least one filter (RAI, prompt injection and jailbreak, malicious URIs or SDP).",
    enforcementLevel: "advisory",
    validateStack: onStackView((stack, report) => {
        for (const { path, template, by } of appliedTemplates(stack, RESPONSE_TEMPLATE_KEY)) {
            if (allFiltersOff(template.props) !== true) continue;
            report(
                `template ${quote(path)} screens responses (${RESPONSE_TEMPLATE_KEY} of ${by.name}) but turns every ` +
                    "filter off: the callout costs latency and quota and blocks nothing. Fix: turn on the filters " +
                    "responses need (guarded-llm:modelArmor.response: raiFilters, maliciousUri, sdp), e.g. with the " +
                    "recommended preset.",
                template.urn,
            );
        }
    }),
};

export const modelArmorPolicies = [
    modelArmorFailClosed,
    modelArmorRegionalEndpoint,
    modelArmorSettingsWellFormed,
    modelArmorEventsMatchTemplates,
    modelArmorScreensBothDirections,
    modelArmorPromptInjectionOn,
    modelArmorTemplateBlocks,
    modelArmorEveryModelScreened,
    modelArmorTemplatesInExtensionProject,
    modelArmorResponseTemplateFiltersOn,
    modelArmorGuardsHttpsForwardingRules,
    modelArmorScreensRoutedPaths,
    modelArmorChainRunsFirst,
];
