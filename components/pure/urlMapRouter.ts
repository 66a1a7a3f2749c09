/**
 * Where a regional URL map sends a request, computed from the map's inputs as plain JSON: the inputs of a
 * `gcp.compute.RegionUrlMap` exactly as the recording mock runtime records them and as the offline plan writes them
 * (SDK camelCase names). Pure, so the offline plan and a policy pack can run it over recorded URL maps.
 *
 * It models the subset of URL map routing this library relies on, with GCP's semantics (provider docs of
 * `RegionUrlMap`, @pulumi/gcp 9.x): host rules, route rules by ascending priority with the first match winning,
 * path rules by longest match with a `/*` suffix for prefixes, fault-injection aborts, redirects and single
 * backends. Anything else that could change where a request goes throws an {@link UnsupportedUrlMapError} instead of
 * being guessed at.
 */

/** Where one request goes. */
export type Route =
    /**
     * Forwarded to this backend service (as the URL map names it); `rewrittenPath` is the path the backend receives
     * when the rule rewrites it (`urlRewrite.pathPrefixRewrite`).
     */
    | { readonly kind: "backend"; readonly service: string; readonly rewrittenPath?: string }
    /** Answered by the load balancer itself with this status; no backend sees it. */
    | { readonly kind: "refused"; readonly status: number }
    /** Answered by the load balancer with a redirect; `redirect` is the map's `urlRedirect` object. */
    | { readonly kind: "redirect"; readonly status: number; readonly redirect: Readonly<Record<string, unknown>> };

/** Thrown for a URL map that uses a feature {@link routeRequest} does not model, or that GCP would not accept. */
export class UnsupportedUrlMapError extends Error {
    constructor(where: string, problem: string) {
        super(`${where}: ${problem}`);
        this.name = "UnsupportedUrlMapError";
    }
}

type Json = Record<string, unknown>;

// The keys each object may have: those that decide where a request goes, modelled here, and inert ones that cannot
// change it (headerAction, timeout, retryPolicy, maxStreamDuration, fault delays, URL map tests, resource metadata).
// Any other key (regexMatch, headerMatches, pathTemplateRewrite, requestMirrorPolicy, corsPolicy, ...) throws.
const URL_MAP_KEYS = [
    "defaultService",
    "defaultUrlRedirect",
    "defaultRouteAction",
    "hostRules",
    "pathMatchers",
    "name",
    "description",
    "project",
    "region",
    "headerAction",
    "tests",
    "deletionPolicy",
];
const HOST_RULE_KEYS = ["hosts", "pathMatcher", "description"];
const PATH_MATCHER_KEYS = [
    "name",
    "defaultService",
    "defaultUrlRedirect",
    "defaultRouteAction",
    "pathRules",
    "routeRules",
    "description",
    "headerAction",
];
const ROUTE_RULE_KEYS = ["priority", "matchRules", "service", "routeAction", "urlRedirect", "headerAction"];
const MATCH_RULE_KEYS = ["fullPathMatch", "prefixMatch", "ignoreCase"];
const PATH_RULE_KEYS = ["paths", "service", "routeAction", "urlRedirect"];
const ROUTE_ACTION_KEYS = [
    "faultInjectionPolicy",
    "urlRewrite",
    "weightedBackendServices",
    "timeout",
    "retryPolicy",
    "maxStreamDuration",
];
const FAULT_KEYS = ["abort", "delay"];
const ABORT_KEYS = ["httpStatus", "percentage"];
// hostRewrite changes the Host header the backend sees, not which backend sees the request.
const URL_REWRITE_KEYS = ["pathPrefixRewrite", "hostRewrite"];
const WEIGHTED_BACKEND_KEYS = ["backendService", "weight", "headerAction"];

/** `redirectResponseCode` values and their statuses (provider docs; the default is 301). */
const REDIRECT_STATUS: Record<string, number> = {
    MOVED_PERMANENTLY_DEFAULT: 301,
    FOUND: 302,
    SEE_OTHER: 303,
    TEMPORARY_REDIRECT: 307,
    PERMANENT_REDIRECT: 308,
};

/**
 * Where `urlMap` sends a request for `path`. The query string and fragment are ignored, as GCP ignores them when
 * matching. `host` is the request's Host header; omitted, the request matches only `*` host rules (a client that
 * connects by IP address).
 */
export function routeRequest(urlMap: Json, path: string, host?: string): Route {
    if (!path.startsWith("/"))
        throw new Error(`routeRequest: the path must start with "/", got ${JSON.stringify(path)}`);
    const requestPath = path.split(/[?#]/, 1)[0];
    checkKeys(urlMap, "urlMap", URL_MAP_KEYS);
    const matcher = selectPathMatcher(urlMap, host);
    if (matcher === undefined) return defaultRoute(urlMap, "urlMap");
    const [where, pathMatcher] = matcher;
    checkKeys(pathMatcher, where, PATH_MATCHER_KEYS);
    const routeRules = list(pathMatcher.routeRules, `${where}.routeRules`);
    const pathRules = list(pathMatcher.pathRules, `${where}.pathRules`);
    if (routeRules.length > 0 && pathRules.length > 0) {
        throw new UnsupportedUrlMapError(where, "sets both routeRules and pathRules (GCP accepts only one)");
    }
    const matched =
        routeRules.length > 0
            ? matchRouteRules(routeRules, requestPath, `${where}.routeRules`)
            : matchPathRules(pathRules, requestPath, `${where}.pathRules`);
    return matched ?? defaultRoute(pathMatcher, where);
}

/** The path matcher the request's host selects, with its location for messages; undefined: the map's defaults. */
function selectPathMatcher(urlMap: Json, host: string | undefined): [string, Json] | undefined {
    const hostRules = list(urlMap.hostRules, "urlMap.hostRules");
    const requestHost = host?.toLowerCase().replace(/:\d+$/, "");
    let best: { score: number; rule: Json; where: string } | undefined;
    hostRules.forEach((rule, i) => {
        const where = `urlMap.hostRules[${i}]`;
        checkKeys(rule, where, HOST_RULE_KEYS);
        for (const pattern of strings(rule.hosts, `${where}.hosts`)) {
            const score = hostScore(pattern.toLowerCase(), requestHost);
            if (score < 0 || (best && score < best.score)) continue;
            if (best && score === best.score && best.rule !== rule) {
                throw new UnsupportedUrlMapError(
                    where,
                    `host ${JSON.stringify(pattern)} also matches in ${best.where}`,
                );
            }
            best = { score, rule, where };
        }
    });
    if (best === undefined) return undefined;
    const name = best.rule.pathMatcher;
    const pathMatchers = list(urlMap.pathMatchers, "urlMap.pathMatchers");
    const index = pathMatchers.findIndex((m) => m.name === name);
    if (index < 0)
        throw new UnsupportedUrlMapError(best.where, `names pathMatcher ${JSON.stringify(name)}, which does not exist`);
    return [`urlMap.pathMatchers[${index}]`, pathMatchers[index]];
}

/**
 * How well a host rule pattern matches: an exact host beats the longest `*.suffix` wildcard, which beats `*`; -1 is
 * no match. This is Envoy's virtual-host order, which GCP's Envoy-based load balancers are assumed to follow
 * (UNCONFIRMED for overlapping rules; this library writes none: one `*` rule, or one exact host per service).
 */
function hostScore(pattern: string, host: string | undefined): number {
    if (pattern === "*") return 0;
    if (host === undefined) return -1;
    if (pattern.startsWith("*")) return host.endsWith(pattern.slice(1)) ? pattern.length : -1;
    return pattern === host ? Number.MAX_SAFE_INTEGER : -1;
}

/** Route rules in ascending priority; the first whose any match rule matches wins. */
function matchRouteRules(rules: Json[], path: string, where: string): Route | undefined {
    const ordered = rules.map((rule, i) => ({ rule, where: `${where}[${i}]` }));
    for (const { rule, where: at } of ordered) {
        checkKeys(rule, at, ROUTE_RULE_KEYS);
        if (typeof rule.priority !== "number") throw new UnsupportedUrlMapError(at, "has no numeric priority");
    }
    ordered.sort((a, b) => (a.rule.priority as number) - (b.rule.priority as number));
    ordered.forEach(({ rule, where: at }, i) => {
        if (i > 0 && rule.priority === ordered[i - 1].rule.priority) {
            throw new UnsupportedUrlMapError(
                at,
                `repeats priority ${rule.priority} (GCP requires distinct priorities)`,
            );
        }
    });
    for (const { rule, where: at } of ordered) {
        const matchRules = list(rule.matchRules, `${at}.matchRules`);
        if (matchRules.length === 0) throw new UnsupportedUrlMapError(at, "has no matchRules");
        const matched = matchRules.find((m, j) => matchesRule(m, path, `${at}.matchRules[${j}]`));
        if (matched !== undefined) return action(rule, at, RULE_FIELDS, rewriter(matched, path));
    }
    return undefined;
}

/**
 * What `pathPrefixRewrite` does to `path` under `matchRule`: "the matching portion of the request's path is replaced"
 * (provider docs of `urlRewrite`), which is the whole path for a `fullPathMatch` and the prefix for a `prefixMatch`.
 */
function rewriter(matchRule: Json, path: string): (replacement: string) => string {
    return (replacement) =>
        matchRule.fullPathMatch !== undefined
            ? replacement
            : replacement + path.slice(String(matchRule.prefixMatch).length);
}

function matchesRule(matchRule: Json, path: string, where: string): boolean {
    checkKeys(matchRule, where, MATCH_RULE_KEYS);
    const { fullPathMatch, prefixMatch } = matchRule;
    if ((fullPathMatch === undefined) === (prefixMatch === undefined)) {
        throw new UnsupportedUrlMapError(where, "needs exactly one of fullPathMatch and prefixMatch");
    }
    const fold = (s: string) => (matchRule.ignoreCase === true ? s.toLowerCase() : s);
    return fullPathMatch !== undefined
        ? fold(path) === fold(String(fullPathMatch))
        : fold(path).startsWith(fold(String(prefixMatch)));
}

/** Path rules: the longest matching pattern wins whatever the order; `/a/*` matches `/a/` and below, not `/a`. */
function matchPathRules(rules: Json[], path: string, where: string): Route | undefined {
    let best: { length: number; rule: Json; where: string; matchRule: Json } | undefined;
    rules.forEach((rule, i) => {
        const at = `${where}[${i}]`;
        checkKeys(rule, at, PATH_RULE_KEYS);
        for (const pattern of strings(rule.paths, `${at}.paths`)) {
            const prefix = pattern.endsWith("/*") ? pattern.slice(0, -1) : undefined;
            const length = (prefix ?? pattern).length;
            if (!(prefix !== undefined ? path.startsWith(prefix) : path === pattern)) continue;
            if (best && length === best.length) {
                throw new UnsupportedUrlMapError(
                    at,
                    `path ${JSON.stringify(pattern)} ties with one in ${best.where}; GCP's order between them is not modelled`,
                );
            }
            if (!best || length > best.length)
                best = {
                    length,
                    rule,
                    where: at,
                    matchRule: prefix === undefined ? { fullPathMatch: pattern } : { prefixMatch: prefix },
                };
        }
    });
    return best && action(best.rule, best.where, RULE_FIELDS, rewriter(best.matchRule, path));
}

/** The fields that say what a rule does, and their names on the URL map and path matcher defaults. */
const RULE_FIELDS = { service: "service", urlRedirect: "urlRedirect", routeAction: "routeAction" } as const;
const DEFAULT_FIELDS = {
    service: "defaultService",
    urlRedirect: "defaultUrlRedirect",
    routeAction: "defaultRouteAction",
} as const;

/** The default of the URL map or of a path matcher. */
function defaultRoute(owner: Json, where: string): Route {
    return action(owner, where, DEFAULT_FIELDS);
}

/**
 * What a matched rule (or default) does: redirect, refuse (a fault-injection abort of 100% answers every request
 * before it is forwarded) or forward to one backend service.
 */
function action(
    rule: Json,
    where: string,
    fields: typeof RULE_FIELDS | typeof DEFAULT_FIELDS = RULE_FIELDS,
    rewrite?: (replacement: string) => string,
): Route {
    const service = rule[fields.service];
    const routeAction = rule[fields.routeAction];
    if (rule[fields.urlRedirect] !== undefined) {
        if (service !== undefined || routeAction !== undefined) {
            throw new UnsupportedUrlMapError(
                where,
                `sets ${fields.urlRedirect} with ${fields.service} or ${fields.routeAction} (GCP accepts only one)`,
            );
        }
        const redirect = object(rule[fields.urlRedirect], `${where}.${fields.urlRedirect}`);
        const code = String(redirect.redirectResponseCode ?? "MOVED_PERMANENTLY_DEFAULT");
        const status = REDIRECT_STATUS[code];
        if (status === undefined)
            throw new UnsupportedUrlMapError(where, `unknown redirectResponseCode ${JSON.stringify(code)}`);
        return { kind: "redirect", status, redirect };
    }
    const actionWhere = `${where}.${fields.routeAction}`;
    const routeActionJson = routeAction === undefined ? {} : object(routeAction, actionWhere);
    checkKeys(routeActionJson, actionWhere, ROUTE_ACTION_KEYS);
    const backend = singleBackend(service, routeActionJson.weightedBackendServices, where, fields.service, actionWhere);
    const refusal = abortStatus(routeActionJson.faultInjectionPolicy, `${actionWhere}.faultInjectionPolicy`);
    if (refusal !== undefined) return { kind: "refused", status: refusal };
    const rewrittenPath = rewrittenPathOf(routeActionJson.urlRewrite, `${actionWhere}.urlRewrite`, rewrite);
    return rewrittenPath === undefined
        ? { kind: "backend", service: backend }
        : { kind: "backend", service: backend, rewrittenPath };
}

/** The path after a rule's `urlRewrite`; undefined when it leaves the path alone. */
function rewrittenPathOf(
    urlRewrite: unknown,
    where: string,
    rewrite: ((replacement: string) => string) | undefined,
): string | undefined {
    if (urlRewrite === undefined) return undefined;
    const rewriteJson = object(urlRewrite, where);
    checkKeys(rewriteJson, where, URL_REWRITE_KEYS);
    const replacement = rewriteJson.pathPrefixRewrite;
    if (replacement === undefined) return undefined;
    if (rewrite === undefined)
        throw new UnsupportedUrlMapError(where, "rewrites the path of a default route, which is not modelled");
    return rewrite(String(replacement));
}

/** The status of an abort that answers every request; undefined when nothing is aborted. */
function abortStatus(policy: unknown, where: string): number | undefined {
    if (policy === undefined) return undefined;
    const faults = object(policy, where);
    checkKeys(faults, where, FAULT_KEYS);
    if (faults.abort === undefined) return undefined;
    const abort = object(faults.abort, `${where}.abort`);
    checkKeys(abort, `${where}.abort`, ABORT_KEYS);
    const percentage = abort.percentage ?? 0;
    if (percentage === 0) return undefined;
    if (percentage !== 100) {
        throw new UnsupportedUrlMapError(
            `${where}.abort`,
            `aborts ${JSON.stringify(percentage)}% of requests; only 0% and 100% are modelled`,
        );
    }
    if (typeof abort.httpStatus !== "number")
        throw new UnsupportedUrlMapError(`${where}.abort`, "has no numeric httpStatus");
    return abort.httpStatus;
}

/**
 * The one backend service a rule forwards to (and that an abort would have forwarded to), named by the rule's
 * service or by a single weighted backend service.
 */
function singleBackend(
    service: unknown,
    weighted: unknown,
    where: string,
    serviceField: string,
    actionWhere: string,
): string {
    const backendsWhere = `${actionWhere}.weightedBackendServices`;
    const backends = list(weighted, backendsWhere);
    if (service !== undefined && backends.length > 0) {
        throw new UnsupportedUrlMapError(
            where,
            `sets ${serviceField} and weightedBackendServices (GCP accepts only one)`,
        );
    }
    if (service !== undefined) return String(service);
    backends.forEach((b, i) => checkKeys(b, `${backendsWhere}[${i}]`, WEIGHTED_BACKEND_KEYS));
    const receiving = backends.filter((b) => b.weight !== 0);
    if (receiving.length === 1) return String(receiving[0].backendService);
    if (receiving.length > 1)
        throw new UnsupportedUrlMapError(backendsWhere, "splits traffic between backend services; not modelled");
    throw new UnsupportedUrlMapError(where, `has no ${serviceField}, redirect or weighted backend service`);
}

function checkKeys(value: Json, where: string, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
        if (!known.includes(key))
            throw new UnsupportedUrlMapError(where, `sets ${key}, which routeRequest does not model`);
    }
}

function object(value: unknown, where: string): Json {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Json;
    throw new UnsupportedUrlMapError(where, `expected an object, got ${JSON.stringify(value)}`);
}

function array(value: unknown, where: string): unknown[] {
    if (value === undefined) return [];
    if (Array.isArray(value)) return value;
    throw new UnsupportedUrlMapError(where, `expected a list, got ${JSON.stringify(value)}`);
}

function list(value: unknown, where: string): Json[] {
    return array(value, where).map((item, i) => object(item, `${where}[${i}]`));
}

function strings(value: unknown, where: string): string[] {
    return array(value, where).map((item, i) => {
        if (typeof item === "string") return item;
        throw new UnsupportedUrlMapError(`${where}[${i}]`, `expected a string, got ${JSON.stringify(item)}`);
    });
}
