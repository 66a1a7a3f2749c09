/**
 * Model Armor: the traffic extension that calls it, and the templates it applies. Facts:
 * docs/platform-facts.md#model-armor-extension and #model-armor-templates.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    BACKEND_SERVICES,
    cloudRunServicesReachedBy,
    FORWARDING_RULES,
    hostNote,
    httpsForwardingRules,
    listForMessage,
    Probe,
    routedProbes,
    urlMapBehind,
} from "./routing";
import { nameOf, onStackView, StackResource, StackView } from "./stack";
import { TYPES } from "../components/pure/resourceTypes";
import {
    backendServicesNamed,
    ChainRequest,
    Condition,
    conditionMatches,
    parseCondition,
} from "../components/pure/screeningCel";
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

/** A chain of a traffic extension, as the pack reads its match condition. */
interface ChainView {
    readonly index: number;
    readonly where: string;
    readonly callsModelArmor: boolean;
    /** The parsed condition; the CEL text when the pack cannot read it; undefined while unknown. */
    readonly condition: Condition | string | undefined;
}

function chainsOf(trafficExtension: Props): ChainView[] {
    return listOf(trafficExtension.extensionChains).map((chain, index) => ({
        index,
        where: `extensionChains[${index}]`,
        callsModelArmor: modelArmorExtensionsOf({ extensionChains: [chain] }).length > 0,
        condition: conditionOf(chain),
    }));
}

/** A chain's match condition: every request when it has none; undefined while unknown; the CEL text when unreadable. */
function conditionOf(chain: Props): Condition | string | undefined {
    const cel = valueAt(chain, "matchCondition.celExpression");
    if (!isKnown(cel) || !isKnown(chain.matchCondition)) return undefined;
    if (cel === undefined || cel === null || cel === "") return { kind: "true" };
    return (typeof cel === "string" && parseCondition(cel)) || String(cel);
}

const CEL_FIX =
    'write it as request.path == "/p" || request.path.startsWith("/p?") for each routed path, joined by ||, as ' +
    "ModelArmorTrafficExtension writes it from screenedPaths";

/** A routed request as a chain sees it: the probe, and each path the chain may see (before and after a rewrite). */
interface RoutedRequest {
    readonly probe: Probe;
    readonly backend: string;
    readonly requests: readonly ChainRequest[];
}

/** The requests each extension's load balancers forward to a backend, with the backend's name where it is known. */
function routedThroughExtensions(stack: StackView) {
    return stack.ofType(TYPES.trafficExtension).map((extension) => {
        const routed = stack.referenced(extension, "forwardingRules", FORWARDING_RULES).flatMap((rule) => {
            const urlMap = urlMapBehind(stack, rule);
            if (urlMap === undefined) return [];
            const requests = (routedProbes(urlMap.props) ?? []).map((probe): RoutedRequest => {
                const service = probe.route.kind === "backend" ? probe.route.service : "";
                const backends = stack.resolve(urlMap, "pathMatchers", service, BACKEND_SERVICES);
                const backendService = backends.length === 1 ? nameOf(backends[0]) : undefined;
                const rewritten = probe.route.kind === "backend" ? probe.route.rewrittenPath : undefined;
                const paths = rewritten === undefined ? [probe.path] : [probe.path, rewritten];
                const pathOnly = (path: string) => path.split(/[?#]/, 1)[0];
                return {
                    probe,
                    backend: backendService ?? service,
                    requests: paths.map((path) => ({ path: pathOnly(path), host: probe.host, backendService })),
                };
            });
            return [{ urlMap, requests }];
        });
        return { extension, chains: chainsOf(extension.props), routed };
    });
}

/** `path (Host: h)` for each probe, once each. */
const describeProbes = (probes: readonly Probe[]) => [...new Set(probes.map((p) => `${p.path}${hostNote(p.host)}`))];

export const modelArmorScreensRoutedPaths: StackValidationPolicy = {
    name: "model-armor-screens-routed-paths",
    description:
        "Every request that the URL maps of an extension's forwarding rules route to a backend service is selected " +
        "by a Model Armor chain (before and after any path rewrite), all requests to one backend service by the " +
        "same chain, and every Model Armor chain's match condition is CEL the pack can read.",
    enforcementLevel: "mandatory",
    validateStack: onStackView((stack, report) => {
        for (const { extension, chains, routed } of routedThroughExtensions(stack)) {
            const screening = chains.filter((c) => c.callsModelArmor);
            if (screening.some((c) => c.condition === undefined)) continue;
            const unreadable = screening.filter((c) => typeof c.condition === "string");
            for (const chain of unreadable) {
                report(
                    `${chain.where}.matchCondition of ${extension.name} cannot be verified: the pack reads only ` +
                        "request.path, request.host and request.backend_service_name compared (==, startsWith, matches) and joined by || and &&, " +
                        `not ${quote(chain.condition)}, so a routed path may skip Model Armor unnoticed. Fix: ${CEL_FIX}.`,
                    extension.urn,
                );
            }
            if (unreadable.length > 0) continue;
            const readable = screening as (ChainView & { condition: Condition })[];
            for (const { urlMap, requests } of routed) {
                const skipped = requests.filter((r) =>
                    r.requests.some((request) => !readable.some((c) => conditionMatches(c.condition, request))),
                );
                if (skipped.length > 0) {
                    const chainsNamed =
                        readable.length === 1
                            ? `the Model Armor chain ${readable[0].where} of ${extension.name} does not match`
                            : `none of the Model Armor chains of ${extension.name} matches`;
                    report(
                        `URL map ${urlMap.name} routes ${listForMessage(describeProbes(skipped.map((r) => r.probe)))} to a ` +
                            `backend, but ${chainsNamed} ${skipped.length === 1 ? "it" : "them"}: those requests reach ` +
                            "Ollama without being screened. Fix: route exact paths only and screen each " +
                            "(ModelArmorTrafficExtension screenedPaths = RegionalHttpsLoadBalancer.routedPaths), or " +
                            `${CEL_FIX}.`,
                        extension.urn,
                    );
                }
                reportSplitBackends(extension, urlMap, requests, readable, report);
            }
        }
    }),
};

/**
 * Each service's requests are screened by its own chain: a chain that names backend services selects no request
 * for another one, and requests to one backend service are not split between chains (different templates).
 */
function reportSplitBackends(
    extension: StackResource,
    urlMap: StackResource,
    requests: readonly RoutedRequest[],
    chains: readonly (ChainView & { condition: Condition })[],
    report: (message: string, urn?: string) => void,
): void {
    const byBackend = new Map<string, Map<string, Probe[]>>();
    for (const routed of requests) {
        for (const request of routed.requests) {
            const chain = chains.find((c) => conditionMatches(c.condition, request));
            if (chain === undefined) continue;
            const seen = byBackend.get(routed.backend) ?? new Map<string, Probe[]>();
            seen.set(chain.where, [...(seen.get(chain.where) ?? []), routed.probe]);
            byBackend.set(routed.backend, seen);
        }
    }
    const owned = new Map(chains.flatMap((c) => backendServicesNamed(c.condition).map((b) => [b, c] as const)));
    for (const routed of requests) {
        const backend = routed.requests[0].backendService;
        const own = backend === undefined ? undefined : owned.get(backend);
        const chain = chains.find((c) => conditionMatches(c.condition, routed.requests[0]));
        if (own === undefined || chain === undefined || chain === own) continue;
        report(
            `URL map ${urlMap.name} routes ${routed.probe.path}${hostNote(routed.probe.host)} to backend service ` +
                `${backend}, whose chain is ${own.where}, but ${chain.where} of ${extension.name} selects it first: ` +
                "that request would be screened with another service's templates. Fix: narrow the earlier chain to " +
                "its own service's host, path prefix or backend service (GuardedLlmGateway writes one chain per service).",
            extension.urn,
        );
    }
    for (const [backend, seen] of byBackend) {
        if (seen.size < 2) continue;
        const which = [...seen].map(([where, probes]) => `${where} for ${listForMessage(describeProbes(probes), 3)}`);
        report(
            `URL map ${urlMap.name} sends requests to backend service ${backend} that different Model Armor chains of ` +
                `${extension.name} select first (${which.join("; ")}): one service's requests would be screened with ` +
                "different templates. Fix: give each service one chain that selects all of its routed requests " +
                "(GuardedLlmGateway writes them from its services).",
            extension.urn,
        );
    }
}

/**
 * The chains that do not call Model Armor but would run for a request before the first Model Armor chain that selects
 * it (an unreadable condition may take any request), each with that chain and the paths concerned.
 */
function chainsTakingFirst(chains: readonly ChainView[], requests: readonly ChainRequest[]) {
    const taken = new Map<string, { earlier: ChainView; screening: ChainView; paths: string[] }>();
    const selects = (chain: ChainView, request: ChainRequest) =>
        typeof chain.condition === "string" ||
        (chain.condition !== undefined && conditionMatches(chain.condition, request));
    for (const request of requests) {
        const screening = chains.find(
            (c) => c.callsModelArmor && typeof c.condition === "object" && selects(c, request),
        );
        if (screening === undefined) continue;
        for (const chain of chains.slice(0, screening.index).filter((c) => !c.callsModelArmor && selects(c, request))) {
            const key = `${chain.index}/${screening.index}`;
            const entry = taken.get(key) ?? { earlier: chain, screening, paths: [] };
            if (!entry.paths.includes(request.path)) entry.paths.push(request.path);
            taken.set(key, entry);
        }
    }
    return taken;
}

export const modelArmorChainRunsFirst: StackValidationPolicy = {
    name: "model-armor-chain-runs-first",
    description:
        "No extension chain that does not call Model Armor is selected before the Model Armor chain for a routed " +
        "request: only the first chain whose condition matches runs, so an earlier overlapping chain means Model " +
        "Armor never sees those requests.",
    enforcementLevel: "mandatory",
    validateStack: onStackView((stack, report) => {
        for (const { extension, chains, routed } of routedThroughExtensions(stack)) {
            const requests = routed.flatMap((r) => r.requests.flatMap((request) => request.requests));
            const taken = chainsTakingFirst(chains, requests);
            for (const { earlier, screening, paths } of taken.values()) {
                report(
                    `${earlier.where} of ${extension.name} comes before the Model Armor chain ${screening.where} ` +
                        (typeof earlier.condition === "string"
                            ? `and its matchCondition ${quote(earlier.condition)} cannot be read, so it may take any path `
                            : `and matches ${listForMessage(paths)} too `) +
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
