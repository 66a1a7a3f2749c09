/**
 * The regional external Application Load Balancer: TLS, the path allowlist of its URL map, the HTTP redirect and
 * Cloud Armor. Facts: docs/platform-facts.md#regional-load-balancer and #ollama-api.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { OLLAMA_PATHS } from "../components/pure/ollamaPaths";
import { Route, routeRequest, UnsupportedUrlMapError } from "../components/pure/urlMapRouter";
import { StackResource, StackView } from "./stack";
import { TYPES } from "../components/pure/resourceTypes";
import { UNKNOWN, isKnown, listOf, quote, valueAt } from "../components/pure/values";
import { Props, forTypes } from "./values";

/** Where a URL map sends one request. */
interface Probe {
    readonly path: string;
    /** The Host header; undefined: a client that connects by IP address. */
    readonly host?: string;
    readonly route: Route;
}

/**
 * Hosts to route a request as: none, and one per host rule pattern (`*.example.com` as `probe.example.com`), so
 * that a path refused for one host but forwarded for another is found.
 */
function probeHosts(urlMap: Props): (string | undefined)[] {
    const patterns = listOf(urlMap.hostRules).flatMap((rule) => listOf(rule?.hosts));
    const hosts = patterns
        .filter((p): p is string => typeof p === "string" && p !== "*")
        .map((p) => p.replace(/^\*/, "probe"));
    return [undefined, ...new Set(hosts)];
}

/**
 * Where `urlMap` sends each of `paths`, for every host; `unverifiable` names the feature the router does not model.
 * Undefined when the map holds values unknown during preview that routing depends on: resource policies run again
 * during `pulumi up`, with every input known.
 */
function probe(urlMap: Props, paths: readonly string[]): { probes: Probe[] } | { unverifiable: string } | undefined {
    try {
        const probes = probeHosts(urlMap).flatMap((host) =>
            paths.map((path) => ({ path, host, route: routeRequest(urlMap, path, host) })),
        );
        return { probes };
    } catch (e) {
        if (!(e instanceof UnsupportedUrlMapError)) throw e;
        return JSON.stringify(urlMap).includes(UNKNOWN) ? undefined : { unverifiable: e.message };
    }
}

/** Each probe the map forwards to a backend service, described for a message. */
function forwarded(probes: Probe[]): string[] {
    return probes.flatMap(({ path, host, route }) =>
        route.kind === "backend"
            ? [
                  `routes ${path}${host === undefined ? "" : ` (Host: ${host})`} to backend service ${quote(route.service)}`,
              ]
            : [],
    );
}

/** Ollama's admin API (docs/platform-facts.md#ollama-api); `/api/blobs/:digest` probed with an example digest. */
const ADMIN_PROBES = [...OLLAMA_PATHS.admin, "/api/blobs/sha256-0"];

export const lbNoAdminPaths: ResourceValidationPolicy = {
    name: "lb-no-admin-paths",
    description:
        "No URL map routes an Ollama admin path (/api/pull, /api/push, /api/create, /api/copy, /api/delete, " +
        "/api/blobs/*, /api/me, /api/signout) to a backend, and every URL map can be verified.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([TYPES.urlMap], (props, report) => {
        const result = probe(props, ADMIN_PROBES);
        if (result === undefined) return;
        if ("unverifiable" in result) {
            report(
                `cannot be verified: ${result.unverifiable}. The policy pack routes host rules, path rules, route ` +
                    "rules with fullPathMatch or prefixMatch, redirects, single backend services and 100% " +
                    "fault-injection aborts (components/pure/urlMapRouter.ts). Fix: express the map with those, as " +
                    "RegionalHttpsLoadBalancer's allowlist does, so that no admin path can reach Ollama unnoticed.",
            );
            return;
        }
        for (const route of forwarded(result.probes)) {
            report(
                `${route}: Ollama's admin API has no authentication, so every client could pull, ` +
                    "push, create or delete models. Fix: remove the path from guarded-llm:loadBalancer.allowedPaths " +
                    "(RegionalHttpsLoadBalancer refuses admin paths), or answer it in the URL map with " +
                    "routeAction.faultInjectionPolicy.abort { httpStatus: 404, percentage: 100 }.",
            );
        }
    }),
};

export const lbUnscreenedInferencePaths: ResourceValidationPolicy = {
    name: "lb-unscreened-inference-paths",
    description:
        "No URL map routes Ollama's native or non-OpenAI inference paths (/api/generate, /api/chat, /api/embed, ...), " +
        "which Model Armor does not screen, to a backend.",
    enforcementLevel: "advisory",
    validateResource: forTypes([TYPES.urlMap], (props, report) => {
        const result = probe(props, OLLAMA_PATHS["unscreened-inference"]);
        // An unverifiable map is reported by lb-no-admin-paths.
        if (result === undefined || "unverifiable" in result) return;
        for (const route of forwarded(result.probes)) {
            report(
                `${route}: Model Armor screens only OpenAI-style bodies (/v1/chat/completions, ` +
                    "/v1/completions), so prompts and responses on this path pass unscreened. Fix: remove it from " +
                    "guarded-llm:loadBalancer.allowedPaths (and drop allowUnscreenedPaths) unless unscreened access " +
                    "is intended.",
            );
        }
    }),
};

/** GCP's minimum TLS version without an SSL policy, or with one that leaves `minTlsVersion` unset, is TLS 1.0. */
const MODERN_TLS = ["TLS_1_2", "TLS_1_3"];
const SSL_POLICY_FIX =
    'Fix: attach a RegionSslPolicy with minTlsVersion "TLS_1_2" (RegionalHttpsLoadBalancer creates one; ' +
    "guarded-llm:loadBalancer.sslPolicy.minTlsVersion).";

export const lbTlsMinimum12: StackValidationPolicy = {
    name: "lb-tls-minimum-1-2",
    description: "Every regional HTTPS proxy has an SSL policy of this stack with minTlsVersion TLS_1_2 or TLS_1_3.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const stack = new StackView(args.resources);
        for (const proxy of stack.ofType(TYPES.httpsProxy)) {
            const ref = stack.reference(proxy, "sslPolicy", [TYPES.sslPolicy]);
            if (ref.kind === "unset") {
                report(
                    `HTTPS proxy ${proxy.name} has no sslPolicy, so it accepts TLS 1.0 and 1.1. ${SSL_POLICY_FIX}`,
                    proxy.urn,
                );
            } else if (ref.kind === "outside") {
                report(
                    `HTTPS proxy ${proxy.name} uses SSL policy ${quote(ref.value)}, which this stack does not manage, so ` +
                        "its minimum TLS version cannot be verified. Fix: manage the SSL policy in this stack with " +
                        'minTlsVersion "TLS_1_2", or, having checked it yourself, set this policy\'s enforcementLevel ' +
                        "to advisory in the policy pack config.",
                    proxy.urn,
                );
            } else if (ref.kind === "resource") {
                const version = ref.resource.props.minTlsVersion;
                if (!isKnown(version) || MODERN_TLS.includes(version)) continue;
                report(
                    `SSL policy ${ref.resource.name} of HTTPS proxy ${proxy.name} has minTlsVersion ` +
                        `${quote(version)}${version === undefined ? " (GCP's default, TLS_1_0)" : ""}. ${SSL_POLICY_FIX}`,
                    ref.resource.urn,
                );
            }
        }
    },
};

/** The resource `key` of `from` refers to, when it is one of `types` in this stack. */
function follow(stack: StackView, from: StackResource, key: string, types: string[]): StackResource | undefined {
    const ref = stack.reference(from, key, types);
    return ref.kind === "resource" ? ref.resource : undefined;
}

/** The regional forwarding rules whose target is an HTTPS proxy of this stack. */
export function httpsForwardingRules(stack: StackView): StackResource[] {
    return stack
        .ofType(TYPES.forwardingRule)
        .filter((rule) => follow(stack, rule, "target", [TYPES.httpsProxy]) !== undefined);
}

/** Do two forwarding rules listen on the same IP address? */
function sameAddress(stack: StackView, a: StackResource, b: StackResource): boolean {
    const [addressA, addressB] = [a, b].map((rule) => follow(stack, rule, "ipAddress", [TYPES.address]));
    if (addressA && addressB) return addressA === addressB;
    const ip = a.props.ipAddress;
    return typeof ip === "string" && isKnown(ip) && ip === b.props.ipAddress;
}

/**
 * Is `rule` a port-80 rule whose HTTP proxy's URL map redirects to HTTPS? Undefined when the
 * chain leads to something unknown or outside the stack; the advisory below gives such a rule the benefit of the doubt.
 */
function redirectsToHttps(stack: StackView, rule: StackResource): boolean | undefined {
    if (!["80", "80-80"].includes(rule.props.portRange)) return false;
    const proxy = stack.reference(rule, "target", [TYPES.httpProxy]);
    if (proxy.kind !== "resource") return proxy.kind === "unset" ? false : undefined;
    const urlMap = stack.reference(proxy.resource, "urlMap", [TYPES.urlMap]);
    if (urlMap.kind !== "resource") return urlMap.kind === "unset" ? false : undefined;
    const httpsRedirect = valueAt(urlMap.resource.props, "defaultUrlRedirect.httpsRedirect");
    return isKnown(httpsRedirect) ? httpsRedirect === true : undefined;
}

export const lbHttpToHttpsRedirect: StackValidationPolicy = {
    name: "lb-http-to-https-redirect",
    description: "Every HTTPS forwarding rule's address also answers on port 80 with a redirect to HTTPS.",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        const stack = new StackView(args.resources);
        for (const rule of httpsForwardingRules(stack)) {
            const redirected = stack
                .ofType(TYPES.forwardingRule)
                .some(
                    (other) =>
                        other !== rule && sameAddress(stack, rule, other) && redirectsToHttps(stack, other) !== false,
                );
            if (redirected) continue;
            report(
                `HTTPS forwarding rule ${rule.name} has no port-80 rule on its address that redirects to HTTPS: a ` +
                    "client that types http:// gets no answer. Fix: set guarded-llm:loadBalancer.httpRedirect to true " +
                    "(RegionalHttpsLoadBalancer args.httpRedirect).",
                rule.urn,
            );
        }
    },
};

/** Cloud Armor attaches to backend services of external load balancers only. */
const EXTERNAL_SCHEMES = ["EXTERNAL_MANAGED", "EXTERNAL"];

export const lbCloudArmor: ResourceValidationPolicy = {
    name: "lb-cloud-armor",
    description:
        "External backend services have a Cloud Armor security policy (rate limiting, IP allowlists). Advisory: " +
        "whether Cloud Armor and Model Armor combine on one backend service is UNCONFIRMED (docs/open-questions.md).",
    enforcementLevel: "advisory",
    validateResource: forTypes([TYPES.backendService], (props, report) => {
        if (!EXTERNAL_SCHEMES.includes(props.loadBalancingScheme) || (props.securityPolicy ?? "") !== "") return;
        report(
            "has no securityPolicy: nothing limits how fast one client can send prompts (each costs GPU time and " +
                "Model Armor quota, 600 callouts per minute per project). Fix: set guarded-llm:cloudArmor " +
                "(e.g. { requestsPerMinutePerClient: 60 }), or attach a regional Cloud Armor policy with a throttle or " +
                "rate_based_ban rule (RegionalHttpsLoadBalancer args.securityPolicy).",
        );
    }),
};

export const loadBalancerPolicies = [
    lbNoAdminPaths,
    lbUnscreenedInferencePaths,
    lbTlsMinimum12,
    lbHttpToHttpsRedirect,
    lbCloudArmor,
];
