/**
 * The regional external Application Load Balancer: TLS, the path allowlist of its URL map, the HTTP redirect and
 * Cloud Armor. Facts: docs/platform-facts.md#regional-load-balancer and #ollama-api.
 */
import { MODEL_ARMOR_CALLOUT_QUOTA } from "../components/pure/quotas";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { classifyOllamaPath, OLLAMA_PATHS } from "../components/pure/ollamaPaths";
import {
    ADMIN_PROBES,
    encodedSpellings,
    forwardedServices,
    namedPaths,
    percentDecoded,
    reachesAdminRoute,
} from "../components/pure/urlMapProbes";
import { isKnown, listOf, quote, valueAt } from "../components/pure/values";
import {
    ADDRESSES,
    BACKEND_SERVICES,
    follow,
    FORWARDING_RULES,
    HTTP_PROXIES,
    HTTPS_PROXIES,
    hostNote,
    httpsForwardingRules,
    listForMessage,
    Probe,
    probe,
    routable,
    SSL_POLICIES,
    URL_MAPS,
    urlMapOf,
} from "./routing";
import { onStackView, StackResource, StackView } from "./stack";
import { forTypes } from "./values";

/** Each probe the map forwards to a backend service, described for a message. */
function forwarded(probes: Probe[]): string[] {
    return probes.flatMap(({ path, host, route }) =>
        route.kind === "backend" ? [`routes ${path}${hostNote(host)} to backend service ${quote(route.service)}`] : [],
    );
}

/** `path`, and what Ollama's router reads it as when that differs. */
const asOllamaReadsIt = (path: string) => {
    const decoded = percentDecoded(path);
    return decoded === path ? path : `${path} (Ollama reads ${decoded})`;
};

export const lbNoAdminPaths: ResourceValidationPolicy = {
    name: "lb-no-admin-paths",
    description:
        "No URL map routes an Ollama admin path (/api/pull, /api/push, /api/create, /api/copy, /api/delete, " +
        "/api/blobs/*, /api/me, /api/signout, /api/user/*), a path below one or a percent-encoded spelling of one " +
        "to a backend, and every URL map can be verified.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(URL_MAPS, (props, report) => {
        // The map's own paths too: `fullPathMatch: "/api/%70ull"` is /api/pull to Ollama's router.
        const result = probe(props, [...new Set([...ADMIN_PROBES, ...namedPaths(routable(props))])]);
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
        // One violation per host and backend service, listing every admin path it lets through.
        const groups = new Map<string, string[]>();
        for (const { path, host, route } of result.probes) {
            if (route.kind !== "backend" || !reachesAdminRoute(path)) continue;
            const key = `${hostNote(host)} to backend service ${quote(route.service)}`;
            groups.set(key, [...(groups.get(key) ?? []), asOllamaReadsIt(path)]);
        }
        for (const [where, paths] of groups) {
            report(
                `routes ${paths.length} Ollama admin path${paths.length === 1 ? "" : "s"}${where}: ` +
                    `${listForMessage(paths)}. Ollama's admin API has no authentication, so every client could ` +
                    "pull, push, create or delete models, and Ollama's router matches the percent-decoded path. " +
                    "Fix: remove the path from guarded-llm:loadBalancer.allowedPaths (RegionalHttpsLoadBalancer " +
                    "refuses admin paths and routes exact paths only), and route no prefix to Ollama: answer " +
                    "everything but the exact allowed paths in the URL map with " +
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
    validateResource: forTypes(URL_MAPS, (props, report) => {
        const unscreened = OLLAMA_PATHS["unscreened-inference"];
        const paths = [...unscreened, ...unscreened.flatMap(encodedSpellings), ...namedPaths(routable(props))].filter(
            (p) => classifyOllamaPath(percentDecoded(p)) === "unscreened-inference",
        );
        const result = probe(props, [...new Set(paths)]);
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
    description: "Every HTTPS proxy has an SSL policy of this stack with minTlsVersion TLS_1_2 or TLS_1_3.",
    enforcementLevel: "mandatory",
    validateStack: onStackView((stack, report) => {
        for (const proxy of stack.ofType(...HTTPS_PROXIES)) {
            const ref = stack.reference(proxy, "sslPolicy", SSL_POLICIES);
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
    }),
};

/** Do two forwarding rules listen on the same IP address? */
function sameAddress(stack: StackView, a: StackResource, b: StackResource): boolean {
    const [addressA, addressB] = [a, b].map((rule) => follow(stack, rule, "ipAddress", ADDRESSES));
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
    const proxy = stack.reference(rule, "target", HTTP_PROXIES);
    if (proxy.kind !== "resource") return proxy.kind === "unset" ? false : undefined;
    const urlMap = urlMapOf(stack, proxy.resource);
    if (urlMap.kind !== "resource") return urlMap.kind === "unset" ? false : undefined;
    const httpsRedirect = valueAt(urlMap.resource.props, "defaultUrlRedirect.httpsRedirect");
    return isKnown(httpsRedirect) ? httpsRedirect === true : undefined;
}

export const lbHttpToHttpsRedirect: StackValidationPolicy = {
    name: "lb-http-to-https-redirect",
    description: "Every HTTPS forwarding rule's address also answers on port 80 with a redirect to HTTPS.",
    enforcementLevel: "advisory",
    validateStack: onStackView((stack, report) => {
        for (const rule of httpsForwardingRules(stack)) {
            const redirected = stack
                .ofType(...FORWARDING_RULES)
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
    }),
};

/** Cloud Armor attaches to backend services of external load balancers only. */
const EXTERNAL_SCHEMES = ["EXTERNAL_MANAGED", "EXTERNAL"];

export const lbCloudArmor: ResourceValidationPolicy = {
    name: "lb-cloud-armor",
    description:
        "External backend services have a Cloud Armor security policy (rate limiting, IP allowlists). Advisory: " +
        "whether Cloud Armor and Model Armor combine on one backend service is UNCONFIRMED (docs/open-questions.md).",
    enforcementLevel: "advisory",
    validateResource: forTypes(BACKEND_SERVICES, (props, report) => {
        if (!EXTERNAL_SCHEMES.includes(props.loadBalancingScheme) || (props.securityPolicy ?? "") !== "") return;
        report(
            "has no securityPolicy: nothing limits how fast one client can send prompts (each costs GPU time and " +
                `Model Armor quota, ${MODEL_ARMOR_CALLOUT_QUOTA.perMinute} callouts per minute per project). Fix: set guarded-llm:cloudArmor ` +
                "(e.g. { requestsPerMinutePerClient: 60 }), or attach a regional Cloud Armor policy with a throttle or " +
                "rate_based_ban rule (RegionalHttpsLoadBalancer args.securityPolicy).",
        );
    }),
};

export const lbNoPlaintextHttp: StackValidationPolicy = {
    name: "lb-no-plaintext-http",
    description:
        "No HTTP (plaintext) target proxy forwards to a backend service: on port 80 a load balancer may only " +
        "redirect to HTTPS.",
    enforcementLevel: "mandatory",
    validateStack: onStackView((stack, report) => {
        for (const proxy of stack.ofType(...HTTP_PROXIES)) {
            // A URL map outside the stack, or unknown during preview, cannot be read: not judged.
            const urlMap = urlMapOf(stack, proxy);
            if (urlMap.kind !== "resource") continue;
            const services = forwardedServices(routable(urlMap.resource.props));
            if (services.length === 0) continue;
            report(
                `HTTP proxy ${proxy.name} uses URL map ${urlMap.resource.name}, which forwards requests to backend ` +
                    `service ${listForMessage([...new Set(services)])} instead of only redirecting: prompts and ` +
                    "responses cross the network in plaintext, readable and changeable on the way. Fix: serve Ollama " +
                    "through an HTTPS proxy only; on port 80 use a URL map with defaultUrlRedirect { httpsRedirect: " +
                    "true } (guarded-llm:loadBalancer.httpRedirect, RegionalHttpsLoadBalancer args.httpRedirect).",
                proxy.urn,
            );
        }
    }),
};

/**
 * The cipher suites of the MODERN profile (RESTRICTED is a subset), as `customFeatures` names them (Cloud Load
 * Balancing, "SSL policies overview", profile feature table). Outside it are the RSA key exchange suites without
 * forward secrecy and 3DES (TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_256_GCM_SHA384,
 * TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA), which the CIS Google
 * Cloud Platform Foundations Benchmark ("Ensure no HTTPS or SSL proxy load balancers permit SSL policies with weak
 * cipher suites") rules out, and any suite Google adds later until it is reviewed here.
 */
const MODERN_CIPHERS = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
];

export const lbSslPolicyStrongCiphers: ResourceValidationPolicy = {
    name: "lb-ssl-policy-strong-ciphers",
    description: "A CUSTOM SSL policy enables only cipher suites of the MODERN profile: no RSA key exchange, no 3DES.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(SSL_POLICIES, (props, report) => {
        if (props.profile !== "CUSTOM" || !isKnown(props.customFeatures)) return;
        const weak = listOf(props.customFeatures).filter((f) => isKnown(f) && !MODERN_CIPHERS.includes(f));
        if (weak.length === 0) return;
        report(
            `profile CUSTOM enables ${listForMessage(weak)}, outside the MODERN profile's cipher suites: RSA key ` +
                "exchange has no forward secrecy (a stolen key decrypts recorded prompts) and 3DES has 64-bit blocks " +
                '(Sweet32). Fix: use profile "MODERN" or "RESTRICTED" (guarded-llm:loadBalancer.sslPolicy.' +
                "profile), or list only ECDHE suites in customFeatures.",
        );
    }),
};

export const loadBalancerPolicies = [
    lbNoAdminPaths,
    lbUnscreenedInferencePaths,
    lbNoPlaintextHttp,
    lbTlsMinimum12,
    lbSslPolicyStrongCiphers,
    lbHttpToHttpsRedirect,
    lbCloudArmor,
];
