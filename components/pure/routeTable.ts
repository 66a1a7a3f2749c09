/**
 * The route table of a URL map: where each path it names, and each probe path, goes, and whether Model Armor can
 * screen it there. Pure, for the load balancer component, the offline plan and the policy pack.
 */
import { classifyOllamaPath, DEFAULT_ALLOWED_PATHS, isScreenedByModelArmor, OllamaPathKind } from "./ollamaPaths";
import { Route, routeRequest } from "./urlMapRouter";

/**
 * Paths that must never reach Ollama under the default allowlist: the root, admin paths, `/api/show` (leaks system
 * prompts), unscreened inference, a debug endpoint, and a suffix riding on an allowed path.
 */
export const PROBE_PATHS: readonly string[] = [
    "/",
    "/api/pull",
    "/api/delete",
    "/api/create",
    "/api/push",
    "/api/copy",
    "/api/blobs/x",
    "/api/show",
    "/api/generate",
    "/api/chat",
    "/debug/pprof/",
    "/v1/chat/completions/x",
];

/** One row of a route table. */
export interface RouteTableRow {
    /** The Host header the row was routed with; absent: a client that connects by IP address. */
    readonly host?: string;
    readonly path: string;
    /** What the path Ollama receives (after any rewrite) is in Ollama's API. */
    readonly ollamaKind: OllamaPathKind;
    /** Where the URL map sends it. */
    readonly route: Route;
    /** Forwarded to a backend service (the allowlist's URL map has one: Ollama's). */
    readonly reachesOllama: boolean;
    /** Reaches Ollama on a path whose bodies Model Armor screens (once the traffic extension is bound). */
    readonly screened: boolean;
}

/**
 * Routes every path the map names exactly (route rules' `fullPathMatch`, path rules without `*`), in the map's
 * order, then the default allowlist and each of `probes` not already listed, as a request for `host` (by default one without a name, which
 * only `*` host rules match).
 */
export function routeTable(
    urlMap: Record<string, unknown>,
    probes: readonly string[] = PROBE_PATHS,
    host?: string,
): RouteTableRow[] {
    // Read leniently: routeRequest below reports a malformed map with the exact location.
    const items = (value: unknown): any[] => (Array.isArray(value) ? value : []);
    const named: unknown[] = items(urlMap.pathMatchers).flatMap((matcher) => [
        ...items(matcher?.routeRules).flatMap((rule) => items(rule?.matchRules).map((m) => m?.fullPathMatch)),
        ...items(matcher?.pathRules).flatMap((rule) => items(rule?.paths)),
    ]);
    const exact = named.filter((p): p is string => typeof p === "string" && !p.endsWith("*"));
    // The default allowlist too: with path prefixes, its unprefixed spellings must be seen refused.
    return [...new Set([...exact, ...DEFAULT_ALLOWED_PATHS, ...probes])].map((path) => {
        const route = routeRequest(urlMap, path, host);
        const reachesOllama = route.kind === "backend";
        const received = (reachesOllama && route.rewrittenPath) || path;
        return {
            ...(host === undefined ? {} : { host }),
            path,
            ollamaKind: classifyOllamaPath(received),
            route,
            reachesOllama,
            screened: reachesOllama && isScreenedByModelArmor(received),
        };
    });
}

/** The hosts a URL map routes by name (each host rule's hosts); `[undefined]` when its only host rule is `*`. */
export function routedHosts(urlMap: Record<string, unknown>): (string | undefined)[] {
    const rules = Array.isArray(urlMap.hostRules) ? urlMap.hostRules : [];
    const hosts = rules.flatMap((rule) => (Array.isArray(rule?.hosts) ? rule.hosts : [])).filter((h) => h !== "*");
    return hosts.length === 0 ? [undefined] : [...new Set<string>(hosts)];
}

/** {@link routeTable} for each host the map routes by name, or once for every host. */
export function routeTableByHost(
    urlMap: Record<string, unknown>,
    probes: readonly string[] = PROBE_PATHS,
): RouteTableRow[] {
    return routedHosts(urlMap).flatMap((host) => routeTable(urlMap, probes, host));
}
