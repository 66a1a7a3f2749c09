/**
 * How requests travel through the load balancers of a stack, regional or global, however they were composed:
 * forwarding rule -> target proxy -> URL map -> backend service -> serverless NEG -> Cloud Run service, and where a
 * URL map sends each probe path. Facts: docs/platform-facts.md#regional-load-balancer and #ollama-api.
 */
import { TYPES } from "../components/pure/resourceTypes";
import { PROBE_PATHS } from "../components/pure/routeTable";
import { KNOWN_OLLAMA_PATHS, OLLAMA_PATHS } from "../components/pure/ollamaPaths";
import { Route, routeRequest, UnsupportedUrlMapError } from "../components/pure/urlMapRouter";
import { ADMIN_PROBES, encodedSpellings, forwardedServices, namedPaths } from "../components/pure/urlMapProbes";
import { UNKNOWN, isKnown, listOf, quote } from "../components/pure/values";
import { Reference, StackResource, StackView } from "./stack";
import { Props } from "./values";

export const FORWARDING_RULES = [TYPES.forwardingRule, TYPES.globalForwardingRule];
export const HTTPS_PROXIES = [TYPES.httpsProxy, TYPES.globalHttpsProxy];
export const HTTP_PROXIES = [TYPES.httpProxy, TYPES.globalHttpProxy];
export const URL_MAPS = [TYPES.urlMap, TYPES.globalUrlMap];
export const BACKEND_SERVICES = [TYPES.backendService, TYPES.globalBackendService];
export const NETWORK_ENDPOINT_GROUPS = [TYPES.networkEndpointGroup, TYPES.globalNetworkEndpointGroup];
export const CLOUD_RUN_SERVICES = [TYPES.cloudRunService, TYPES.cloudRunV1Service];
export const SSL_POLICIES = [TYPES.sslPolicy, TYPES.globalSslPolicy];
export const ADDRESSES = [TYPES.address, TYPES.globalAddress];

/** URL map properties the provider computes (outputs of a deployed map): they identify the map, never route. */
const URL_MAP_OUTPUTS = ["selfLink", "id", "urn", "mapId", "fingerprint", "creationTimestamp"];

/**
 * A URL map's properties as routing reads them, whether they are the program's inputs or a deployed map's outputs:
 * without the provider-computed keys, and without the null, empty-string and empty-list values that provider state
 * holds for every field left unset (`urlRedirect: null`, `regexMatch: ""`, `headerMatches: []`).
 */
export function routable(urlMap: Props): Props {
    const prune = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(prune);
        if (typeof value !== "object" || value === null) return value;
        const kept = Object.entries(value).filter(
            ([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0),
        );
        return Object.fromEntries(kept.map(([k, v]) => [k, prune(v)]));
    };
    const top = Object.fromEntries(Object.entries(urlMap).filter(([key]) => !URL_MAP_OUTPUTS.includes(key)));
    return prune(top) as Props;
}

/** Where a URL map sends one request. */
export interface Probe {
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
export function probe(
    urlMap: Props,
    paths: readonly string[],
): { probes: Probe[] } | { unverifiable: string } | undefined {
    const map = routable(urlMap);
    try {
        const probes = probeHosts(map).flatMap((host) =>
            paths.map((path) => ({ path, host, route: routeRequest(map, path, host) })),
        );
        return { probes };
    } catch (e) {
        if (!(e instanceof UnsupportedUrlMapError)) throw e;
        return JSON.stringify(map).includes(UNKNOWN) ? undefined : { unverifiable: e.message };
    }
}

/** ` (Host: h)` for a probe sent with a Host header. */
export const hostNote = (host: string | undefined) => (host === undefined ? "" : ` (Host: ${host})`);

/**
 * Every path worth asking a URL map about: the paths it names, Ollama's known paths, the route table's probes, the
 * admin probes and encoded spellings of the screened inference paths.
 */
export function allProbePaths(urlMap: Props): string[] {
    return [
        ...new Set([
            ...namedPaths(routable(urlMap)),
            ...KNOWN_OLLAMA_PATHS,
            ...PROBE_PATHS,
            ...ADMIN_PROBES,
            ...OLLAMA_PATHS["screened-inference"].flatMap(encodedSpellings),
        ]),
    ];
}

/** The probes of `urlMap` that reach a backend service; undefined when the map cannot be routed (or not yet). */
export function routedProbes(urlMap: Props): Probe[] | undefined {
    const result = probe(urlMap, allProbePaths(urlMap));
    return result === undefined || "unverifiable" in result
        ? undefined
        : result.probes.filter((p) => p.route.kind === "backend");
}

/** The resource `key` of `from` refers to, when it is one of `types` in this stack. */
export function follow(stack: StackView, from: StackResource, key: string, types: string[]): StackResource | undefined {
    const ref = stack.reference(from, key, types);
    return ref.kind === "resource" ? ref.resource : undefined;
}

/** The target proxy of a forwarding rule, when it is an HTTP(S) proxy of this stack. */
export function proxyOf(stack: StackView, rule: StackResource): StackResource | undefined {
    return follow(stack, rule, "target", [...HTTPS_PROXIES, ...HTTP_PROXIES]);
}

/** The URL map of a target proxy. */
export function urlMapOf(stack: StackView, proxy: StackResource): Reference {
    return stack.reference(proxy, "urlMap", URL_MAPS);
}

/** The URL map behind a forwarding rule, when the whole chain is in this stack. */
export function urlMapBehind(stack: StackView, rule: StackResource): StackResource | undefined {
    const proxy = proxyOf(stack, rule);
    const urlMap = proxy && urlMapOf(stack, proxy);
    return urlMap?.kind === "resource" ? urlMap.resource : undefined;
}

/** The forwarding rules (regional or global) whose target is an HTTPS proxy of this stack. */
export function httpsForwardingRules(stack: StackView): StackResource[] {
    return stack.ofType(...FORWARDING_RULES).filter((rule) => follow(stack, rule, "target", HTTPS_PROXIES));
}

/** The backend services of this stack that `urlMap` can forward a request to. */
export function backendServicesOf(stack: StackView, urlMap: StackResource): StackResource[] {
    const services = forwardedServices(routable(urlMap.props)).flatMap((value) =>
        // The service may sit in the top-level default or in the path matchers; either input records it.
        ["defaultService", "pathMatchers"].flatMap((key) => stack.resolve(urlMap, key, value, BACKEND_SERVICES)),
    );
    return [...new Set(services)];
}

/**
 * The Cloud Run services of this stack behind a backend service: through its serverless NEGs, by the service they
 * name (`cloudRun.service`). A NEG that picks the service from the request (`cloudRun.urlMask`) may reach any of them.
 */
export function cloudRunServicesBehind(stack: StackView, backendService: StackResource): StackResource[] {
    const negs = listOf(backendService.props.backends).flatMap((backend) =>
        stack.resolve(backendService, "backends", backend?.group, NETWORK_ENDPOINT_GROUPS),
    );
    const services = negs.flatMap((neg) => {
        const cloudRun = neg.props.cloudRun;
        if (cloudRun === undefined || cloudRun === null) return [];
        if (!isKnown(cloudRun) || (cloudRun.urlMask ?? "") !== "") return stack.ofType(...CLOUD_RUN_SERVICES);
        return stack.resolve(neg, "cloudRun", cloudRun.service, CLOUD_RUN_SERVICES);
    });
    return [...new Set(services)];
}

/** The Cloud Run services of this stack that requests to `rule` can reach. */
export function cloudRunServicesReachedBy(stack: StackView, rule: StackResource): StackResource[] {
    const urlMap = urlMapBehind(stack, rule);
    if (urlMap === undefined) return [];
    return [...new Set(backendServicesOf(stack, urlMap).flatMap((b) => cloudRunServicesBehind(stack, b)))];
}

/** `items` quoted and joined for a message, the first `max` of them. */
export function listForMessage(items: readonly unknown[], max = 8): string {
    const shown = items.slice(0, max).map((item) => (typeof item === "string" ? item : quote(item)));
    return items.length > max ? `${shown.join(", ")} and ${items.length - max} more` : shown.join(", ");
}
