/**
 * The path allowlist as a regional URL map: each routed path matched EXACTLY (`fullPathMatch`, so
 * `/v1/chat/completions/x` cannot ride on an allowed path) and forwarded to the backend; every other path, and every
 * default, answered by the load balancer itself with a fault-injection abort of 100% that never reaches the backend.
 * Pure, so that the component, its route table and the tests build the same map.
 */
import { DEFAULT_ALLOWED_PATHS } from "./ollamaPaths";

const ALLOWLIST_MATCHER = "allowlist";
/** The catch-all refusal comes last whatever paths are added: the lowest precedence GCP accepts. */
const CATCH_ALL_PRIORITY = 2147483647;

/** Every path routed to Ollama: the defaults, then `allowedPaths` in order, each once. */
export function routedPaths(allowedPaths: readonly string[] = []): string[] {
    return [...new Set([...DEFAULT_ALLOWED_PATHS, ...allowedPaths])];
}

/**
 * The URL map's inputs. The provider docs ask each rule for one of service, weighted backend services or redirect,
 * so the refusals name the backend too; the abort answers before anything is forwarded.
 */
export function allowlistUrlMap<S>(backend: S, paths: readonly string[], refusedStatus: number) {
    const refuse = { faultInjectionPolicy: { abort: { httpStatus: refusedStatus, percentage: 100 } } };
    return {
        defaultService: backend,
        defaultRouteAction: refuse,
        hostRules: [{ hosts: ["*"], pathMatcher: ALLOWLIST_MATCHER }],
        pathMatchers: [
            {
                name: ALLOWLIST_MATCHER,
                defaultService: backend,
                defaultRouteAction: refuse,
                routeRules: [
                    ...paths.map((path, i) => ({
                        priority: i + 1,
                        matchRules: [{ fullPathMatch: path }],
                        service: backend,
                    })),
                    {
                        priority: CATCH_ALL_PRIORITY,
                        matchRules: [{ prefixMatch: "/" }],
                        service: backend,
                        routeAction: refuse,
                    },
                ],
            },
        ],
    };
}
