/**
 * The CEL match condition of the Model Armor extension chain, written by the extension component and read back by
 * the offline plan. CEL's `request.path` is the path without the query, undecoded
 * (docs/platform-facts.md#model-armor-extension); the query is matched too, defensively, in case a load balancer
 * passes it in the path.
 */

/** CEL matching exactly `paths`, with or without a query string. */
export function screenedPathsCel(paths: readonly string[]): string {
    return paths.map((p) => `request.path == "${p}" || request.path.startsWith("${p}?")`).join(" || ");
}

/** The paths a CEL expression written by {@link screenedPathsCel} matches. */
export function pathsOfScreeningCel(cel: string): string[] {
    return [...cel.matchAll(/request\.path == "([^"]*)"/g)].map((m) => m[1]);
}
