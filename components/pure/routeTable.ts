/**
 * The route table of a URL map: where each path it names, and each probe path, goes, and whether Model Armor can
 * screen it there. Pure, for the load balancer component, the offline plan and the policy pack.
 */
import { classifyOllamaPath, isScreenedByModelArmor, OllamaPathKind } from "./ollamaPaths";
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
    readonly path: string;
    /** What the path is in Ollama's API. */
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
 * order, then each of `probes` not already listed, over the map's host-less (`*`) routing.
 */
export function routeTable(urlMap: Record<string, unknown>, probes: readonly string[] = PROBE_PATHS): RouteTableRow[] {
    // Read leniently: routeRequest below reports a malformed map with the exact location.
    const items = (value: unknown): any[] => (Array.isArray(value) ? value : []);
    const named: unknown[] = items(urlMap.pathMatchers).flatMap((matcher) => [
        ...items(matcher?.routeRules).flatMap((rule) => items(rule?.matchRules).map((m) => m?.fullPathMatch)),
        ...items(matcher?.pathRules).flatMap((rule) => items(rule?.paths)),
    ]);
    const exact = named.filter((p): p is string => typeof p === "string" && !p.endsWith("*"));
    return [...new Set([...exact, ...probes])].map((path) => {
        const route = routeRequest(urlMap, path);
        const reachesOllama = route.kind === "backend";
        return {
            path,
            ollamaKind: classifyOllamaPath(path),
            route,
            reachesOllama,
            screened: reachesOllama && isScreenedByModelArmor(path),
        };
    });
}
