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

/** A refusal answered by the load balancer itself: a fault-injection abort of every request. */
const refusal = (status: number) => ({ faultInjectionPolicy: { abort: { httpStatus: status, percentage: 100 } } });

/** One exact path forwarded to a backend, optionally rewritten to the path the backend serves. */
interface ExactRoute<S> {
    readonly path: string;
    readonly backend: S;
    readonly rewriteTo?: string;
}

/**
 * A path matcher that forwards each of `routes` (by priority, in order) and refuses every other path. The provider
 * docs ask each rule for one of service, weighted backend services or redirect, so the refusals name a backend too;
 * the abort answers before anything is forwarded.
 */
function allowlistMatcher<S>(name: string, routes: readonly ExactRoute<S>[], refusedStatus: number) {
    const backend = routes[0].backend;
    return {
        name,
        defaultService: backend,
        defaultRouteAction: refusal(refusedStatus),
        routeRules: [
            ...routes.map((route, i) => ({
                priority: i + 1,
                matchRules: [{ fullPathMatch: route.path }],
                service: route.backend,
                ...(route.rewriteTo === undefined
                    ? {}
                    : { routeAction: { urlRewrite: { pathPrefixRewrite: route.rewriteTo } } }),
            })),
            {
                priority: CATCH_ALL_PRIORITY,
                matchRules: [{ prefixMatch: "/" }],
                service: backend,
                routeAction: refusal(refusedStatus),
            },
        ],
    };
}

/** The URL map's inputs for one backend that serves `paths` on every host. */
export function allowlistUrlMap<S>(backend: S, paths: readonly string[], refusedStatus: number) {
    return {
        defaultService: backend,
        defaultRouteAction: refusal(refusedStatus),
        hostRules: [{ hosts: ["*"], pathMatcher: ALLOWLIST_MATCHER }],
        pathMatchers: [
            allowlistMatcher(
                ALLOWLIST_MATCHER,
                paths.map((path) => ({ path, backend })),
                refusedStatus,
            ),
        ],
    };
}

/** One service of a URL map that routes to several: reached by its host, or by its path prefix. */
export interface RoutedService<S> {
    readonly name: string;
    readonly backend: S;
    readonly host?: string;
    readonly pathPrefix?: string;
}

/**
 * The URL map's inputs for several backends, each serving `paths`. By host: a host rule and an allowlist matcher per
 * service, and every other host refused. By path prefix: one matcher for every host, where `/<prefix><path>` is
 * forwarded to its service rewritten to `<path>` (with `fullPathMatch` the matching portion that
 * `pathPrefixRewrite` replaces is the whole path), and everything else refused, unprefixed paths included.
 */
export function servicesUrlMap<S>(
    services: readonly RoutedService<S>[],
    paths: readonly string[],
    refusedStatus: number,
) {
    const byHost = services.every((s) => s.host !== undefined);
    return {
        defaultService: services[0].backend,
        defaultRouteAction: refusal(refusedStatus),
        hostRules: byHost
            ? services.map((s) => ({ hosts: [s.host!], pathMatcher: s.name }))
            : [{ hosts: ["*"], pathMatcher: ALLOWLIST_MATCHER }],
        pathMatchers: byHost
            ? services.map((s) =>
                  allowlistMatcher(
                      s.name,
                      paths.map((path) => ({ path, backend: s.backend })),
                      refusedStatus,
                  ),
              )
            : [
                  allowlistMatcher(
                      ALLOWLIST_MATCHER,
                      services.flatMap((s) =>
                          paths.map((path) => ({
                              path: `${s.pathPrefix}${path}`,
                              backend: s.backend,
                              rewriteTo: path,
                          })),
                      ),
                      refusedStatus,
                  ),
              ],
    };
}
