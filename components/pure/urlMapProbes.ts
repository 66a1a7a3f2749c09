/**
 * What to ask a URL map, and how to read the answers against Ollama's router: the probe paths that must never reach
 * Ollama (admin routes, their sub-paths and percent-encoded spellings), the paths a map names itself, and the backend
 * services it can forward to at all. Pure, for the policy pack and the offline plan.
 *
 * Ollama's router (gin) matches the percent-DECODED path (docs/platform-facts.md#ollama-api), while a URL map's
 * `fullPathMatch` and `prefixMatch` compare strings; whether the load balancer decodes or normalises the path before
 * matching is UNCONFIRMED (docs/open-questions.md#q-path-normalisation). So an encoded spelling such as
 * `/api/%70ull` may pass a map that refuses `/api/pull` and still reach Ollama's pull handler: probes include
 * such spellings, and a forwarded path is judged by what it decodes to.
 */
import { ADMIN_PATH_PREFIXES, classifyOllamaPath, OLLAMA_PATHS } from "./ollamaPaths";

type Json = Record<string, any>;

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
const isObject = (value: unknown): value is Json =>
    typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * `path` percent-decoded until nothing is left to decode. Ollama decodes once; decoding again covers a load balancer
 * that decodes before forwarding (UNCONFIRMED either way), so the reading is the conservative one.
 */
export function percentDecoded(path: string): string {
    let current = path;
    for (let i = 0; i < 8; i++) {
        const next = current.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        if (next === current) break;
        current = next;
    }
    return current;
}

/**
 * Spellings of `path` that Ollama's router reads as `path` but that a URL map compares as other strings: the first
 * and the last character of the last segment encoded (lower- and upper-case hex), the first character of the first
 * segment encoded, and each inner `/` encoded as `%2F` (Go decodes it before gin matches).
 */
export function encodedSpellings(path: string): string[] {
    const segments = path.split("/");
    if (segments.length < 2 || segments.slice(1).some((s) => s === "")) return [];
    const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, "0");
    const encodeAt = (segment: string, at: number, upper = false) => {
        const code = hex(segment[at]);
        return `${segment.slice(0, at)}%${upper ? code.toUpperCase() : code}${segment.slice(at + 1)}`;
    };
    const last = segments.length - 1;
    const withSegment = (index: number, segment: string) =>
        segments.map((s, i) => (i === index ? segment : s)).join("/");
    const spellings = [
        withSegment(last, encodeAt(segments[last], 0)),
        withSegment(last, encodeAt(segments[last], segments[last].length - 1)),
        withSegment(last, encodeAt(segments[last], segments[last].length - 1, true)),
        withSegment(1, encodeAt(segments[1], 0)),
        ...(segments.length > 2 ? ["%2F", "%2f"].map((slash) => `/${segments.slice(1).join(slash)}`) : []),
    ];
    return [...new Set(spellings)].filter((s) => s !== path);
}

/**
 * Paths that must never reach Ollama: every admin route, with an example parameter where it takes one
 * (`/api/blobs/:digest`, `/api/user/keys/:encodedKey`), the sub-paths of each (a prefix route that refuses the
 * literal path can still forward what lies below it), and the encoded spellings of each.
 */
export const ADMIN_PROBES: readonly string[] = (() => {
    const routes = [...OLLAMA_PATHS.admin, "/api/blobs/sha256-0", "/api/user/keys/x"];
    const below = [
        ...OLLAMA_PATHS.admin.flatMap((p) => [`${p}/`, `${p}/x`]),
        ...ADMIN_PATH_PREFIXES.map((p) => `${p}x`),
    ];
    return [...new Set([...routes, ...below, ...routes.flatMap(encodedSpellings)])];
})();

/**
 * Does a request for `path` reach an Ollama admin route, or a path below one? Judged on the decoded path, as
 * Ollama's router sees it, case-insensitively and with repeated slashes merged (the safe reading for a refusal list).
 */
export function reachesAdminRoute(path: string): boolean {
    const decoded = percentDecoded(path.split(/[?#]/, 1)[0]);
    if (classifyOllamaPath(decoded) === "admin") return true;
    const normalised = decoded.toLowerCase().replace(/\/{2,}/g, "/");
    return OLLAMA_PATHS.admin.some((p) => normalised.startsWith(`${p}/`));
}

/**
 * Paths a URL map names itself: each `fullPathMatch` and path rule, and for each prefix (`prefixMatch`, `/a/*`) the
 * prefix and one path below it. Probing them finds what a map routes that no fixed probe list foresees
 * (`fullPathMatch: "/api/%70ull"`).
 */
export function namedPaths(urlMap: Json): string[] {
    const paths = list(urlMap.pathMatchers).flatMap((matcher) => [
        ...list(matcher?.routeRules).flatMap((rule) =>
            list(rule?.matchRules).flatMap((m) => [
                ...(typeof m?.fullPathMatch === "string" ? [m.fullPathMatch] : []),
                ...(typeof m?.prefixMatch === "string" ? [m.prefixMatch, `${m.prefixMatch}x`] : []),
            ]),
        ),
        ...list(matcher?.pathRules).flatMap((rule) =>
            list(rule?.paths).flatMap((p) =>
                typeof p !== "string" ? [] : p.endsWith("/*") ? [p.slice(0, -1), `${p.slice(0, -1)}x`] : [p],
            ),
        ),
    ]);
    return [...new Set(paths.filter((p) => p.startsWith("/")))];
}

/**
 * Every backend service value (`service`, `defaultService`, `weightedBackendServices[].backendService` with a
 * non-zero weight) of a rule or default that forwards: not a redirect, not a fault-injection abort of 100%. Read
 * from the map's structure, so it over-approximates (a path matcher no host rule selects still counts).
 */
export function forwardedServices(urlMap: Json): unknown[] {
    const services: unknown[] = [];
    const visit = (holder: unknown, service: string, routeAction: string, urlRedirect: string) => {
        if (!isObject(holder) || holder[urlRedirect] !== undefined) return;
        const action = holder[routeAction];
        if (isObject(action) && action.faultInjectionPolicy?.abort?.percentage === 100) return;
        if (holder[service] !== undefined && holder[service] !== null) services.push(holder[service]);
        const weighted = isObject(action) ? list(action.weightedBackendServices) : [];
        services.push(...weighted.filter((w) => w?.weight !== 0).map((w) => w?.backendService));
    };
    visit(urlMap, "defaultService", "defaultRouteAction", "defaultUrlRedirect");
    for (const matcher of list(urlMap.pathMatchers)) {
        visit(matcher, "defaultService", "defaultRouteAction", "defaultUrlRedirect");
        for (const rule of [...list(matcher?.routeRules), ...list(matcher?.pathRules)]) {
            visit(rule, "service", "routeAction", "urlRedirect");
        }
    }
    return services;
}
