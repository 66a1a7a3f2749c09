/**
 * `allowlist-refuses-admin-paths` and `allowlist-path-variants`: every path the URL map does not route is answered
 * by the load balancer with the refused status and never reaches Ollama, including spellings that Ollama's router
 * would treat as an allowed or an admin path (docs/open-questions.md#q-path-normalisation).
 */
import { DEFAULT_ALLOWED_PATHS, OLLAMA_PATHS } from "../../components/pure/ollamaPaths";
import { attempt, evidenceLine, mapLimit, ProbeRequest, ProbeResponse, Transport } from "./http";
import { CheckName, CheckResult } from "./types";

/** Ollama's read-only routes answer GET; every other route is a POST or DELETE (docs/platform-facts.md#ollama-api). */
const GET_PATHS = new Set(["/", "/api/tags", "/api/ps", "/api/version", "/v1/models"]);
const DELETE_PATHS = new Set(["/api/delete"]);

/**
 * Each path is sent with the method Ollama routes it by, so that a path that did reach Ollama answers something
 * other than a 404, and with an empty JSON object, which every mutating handler rejects (400: no model named),
 * so that a probe changes nothing even where the allowlist is broken.
 */
function probe(path: string, method = methodOf(path)): ProbeRequest {
    return method === "GET" ? { method, path } : { method, path, body: {} };
}

function methodOf(path: string): string {
    const bare = path.split("?")[0];
    return GET_PATHS.has(bare) ? "GET" : DELETE_PATHS.has(bare) ? "DELETE" : "POST";
}

/** Every Ollama route that is not routed, the routes with a parameter, and paths Ollama does not have. */
export function adminProbes(allowedPaths: readonly string[], model: string | undefined): ProbeRequest[] {
    const known = Object.values(OLLAMA_PATHS)
        .flat()
        .filter((path) => !allowedPaths.includes(path))
        .map((path) => probe(path));
    return [
        ...known,
        probe("/api/blobs/sha256:0000", "POST"),
        probe("/api/user/keys/verify", "DELETE"),
        probe(`/v1/models/${model ?? "gemma"}`, "GET"),
        probe("/nonexistent", "GET"),
        probe("/v2/models", "GET"),
        probe("/v1", "GET"),
        probe("/v1/chat", "POST"),
        probe("/v1/chat/completions/extra", "POST"),
    ];
}

/**
 * With path routing, the routed paths without any prefix: the URL map forwards only prefixed paths, so these must be
 * refused too (an unprefixed path reaching a service would bypass its chain's prefixed condition).
 */
export function unprefixedProbes(allowedPaths: readonly string[]): ProbeRequest[] {
    return allowedPaths.map((path) => ({ ...probe(path), unprefixed: true }));
}

/**
 * Spellings that an exact match refuses but a normalising proxy or Ollama's router (gin: percent-decoding,
 * trailing-slash redirects; https://github.com/gin-gonic/gin/blob/master/gin.go) might turn into a routed path.
 */
export function variantProbes(allowedPaths: readonly string[]): ProbeRequest[] {
    const allowed = allowedPaths.filter((p) => (DEFAULT_ALLOWED_PATHS as readonly string[]).includes(p));
    const ofAllowed = allowed.flatMap((path) => [
        probe(`${path}/`, methodOf(path)),
        probe(path.toUpperCase(), methodOf(path)),
        probe(`/${path}`, methodOf(path)),
        probe(encodeOneLetter(path), methodOf(path)),
    ]);
    const ofAdmin = [
        "/api/%70ull",
        "/api/pul%6c",
        "/API/PULL",
        "/Api/Pull",
        "/api/pull/",
        "//api/pull",
        "/v1/models/../api/pull",
        "/v1/models/%2e%2e/api/pull",
        "/v1/models/..%2fapi%2fpull",
        "/v1/chat/completions/../../api/pull",
        "/v1/chat/completions/%2e%2e/%2e%2e/api/pull",
    ].map((path) => probe(path, "POST"));
    return [...ofAllowed, ...ofAdmin];
}

/** `/v1/chat/completions` -> `/v1/chat/%63ompletions`: the first letter of the last segment percent-encoded. */
function encodeOneLetter(path: string): string {
    const at = path.lastIndexOf("/") + 1;
    return `${path.slice(0, at)}%${path.charCodeAt(at).toString(16)}${path.slice(at + 1)}`;
}

/** Gin's own 404 (`404 page not found`): the request reached Ollama, even though the status looks right. */
export const OLLAMA_NOT_FOUND = /^404 page not found$/;

export async function checkRefused(
    check: CheckName,
    transport: Transport,
    probes: readonly ProbeRequest[],
    refusedStatus: number,
): Promise<CheckResult> {
    const answers = await mapLimit(probes, 8, (p) => attempt(transport, p));
    const refused = (answer: ProbeResponse | Error) =>
        !(answer instanceof Error) && answer.status === refusedStatus && !OLLAMA_NOT_FOUND.test(answer.body.trim());
    const lines = probes.map((p, i) => evidenceLine(transport.sent(p), answers[i]));
    const leaks = probes.map((_, i) => i).filter((i) => !refused(answers[i]));
    if (leaks.length === 0) {
        return {
            check,
            status: "PASS",
            summary: `all ${probes.length} paths answered ${refusedStatus} by the load balancer`,
            details: lines,
        };
    }
    const reached = leaks.filter((i) => !(answers[i] instanceof Error));
    const summary =
        reached.length > 0
            ? `${reached.length} of ${probes.length} paths not refused with ${refusedStatus}, so they may reach ` +
              `Ollama; first: ${lines[reached[0]]}`
            : `${leaks.length} of ${probes.length} paths got no answer; first: ${lines[leaks[0]]}`;
    return { check, status: "FAIL", summary, details: leaks.map((i) => lines[i]) };
}
