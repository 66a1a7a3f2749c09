/**
 * Ollama's HTTP API sorted by what exposing a path through the load balancer means (docs/platform-facts.md#ollama-api). Ollama has
 * no authentication (ollama#849, #1053): whatever the load balancer routes is open to every client. Paths change as
 * Ollama adds features; this table is the one place to update.
 */

/** What a path of Ollama's API does, as far as exposing it is concerned. */
export type OllamaPathKind =
    /** Inference whose bodies Model Armor screens (OpenAI Chat Completions and Completions). */
    | "screened-inference"
    /** Inference that passes Model Armor unscreened: it only screens OpenAI-style bodies. */
    | "unscreened-inference"
    /** Reads the server's state; changes nothing. */
    | "read-only"
    /** Pulls, pushes, creates, copies or deletes models, or manages the server's ollama.com account. */
    | "admin"
    /** Not part of Ollama's API as this library knows it. */
    | "unknown";

/** Exact paths of each kind; `/api/blobs/<digest>` and `/v1/models/<model>` are matched by prefix below. */
export const OLLAMA_PATHS: Readonly<Record<Exclude<OllamaPathKind, "unknown">, readonly string[]>> = {
    "screened-inference": ["/v1/chat/completions", "/v1/completions"],
    // `/v1/messages` is Anthropic's shape: whether Model Armor screens it is not confirmed, so it counts as unscreened.
    "unscreened-inference": [
        "/api/generate",
        "/api/chat",
        "/api/embed",
        "/api/embeddings",
        "/v1/embeddings",
        "/v1/responses",
        "/v1/messages",
    ],
    // `/` answers "Ollama is running". `/api/show` returns a model's Modelfile, parameters and system prompt.
    "read-only": ["/", "/v1/models", "/api/tags", "/api/ps", "/api/version", "/api/show"],
    admin: [
        "/api/pull",
        "/api/push",
        "/api/create",
        "/api/copy",
        "/api/delete",
        "/api/blobs",
        "/api/me",
        "/api/signout",
    ],
};

/**
 * Path prefixes of routes with a parameter: upload a blob (`/api/blobs/:digest`), remove a key from the server's
 * ollama.com account (`DELETE /api/user/keys/:encodedKey`, Ollama 0.13.x), describe a model (`/v1/models/:model`).
 */
const PREFIX_KINDS: readonly (readonly [string, OllamaPathKind])[] = [
    ["/api/blobs/", "admin"],
    ["/api/user/", "admin"],
    ["/v1/models/", "read-only"],
];

/** Prefixes below which every path is an Ollama admin route (docs/platform-facts.md#ollama-api). */
export const ADMIN_PATH_PREFIXES: readonly string[] = PREFIX_KINDS.filter(([, kind]) => kind === "admin").map(
    ([prefix]) => prefix,
);

/** The paths routed to Ollama unless told otherwise: the inference Model Armor screens, and the model list. */
export const DEFAULT_ALLOWED_PATHS: readonly string[] = ["/v1/chat/completions", "/v1/completions", "/v1/models"];

/**
 * What `path` is in Ollama's API. Query strings are ignored; case, repeated slashes and a trailing slash are
 * normalised first, so `/API//Pull/` counts as `/api/pull` (the safe reading for an allowlist).
 */
export function classifyOllamaPath(path: string): OllamaPathKind {
    const normalised = normalise(path);
    for (const [kind, paths] of Object.entries(OLLAMA_PATHS) as [OllamaPathKind, readonly string[]][]) {
        if (paths.includes(normalised)) return kind;
    }
    return PREFIX_KINDS.find(([prefix]) => normalised.startsWith(prefix))?.[1] ?? "unknown";
}

/**
 * Does Model Armor screen requests to and responses from `path`? Only OpenAI-style bodies are screened; "any other
 * operation is ignored and allowed to proceed without sanitization" (docs/platform-facts.md#model-armor-extension).
 */
export function isScreenedByModelArmor(path: string): boolean {
    return classifyOllamaPath(path) === "screened-inference";
}

/** Every exact path in {@link OLLAMA_PATHS}, for suggestions in error messages. */
export const KNOWN_OLLAMA_PATHS: readonly string[] = Object.values(OLLAMA_PATHS).flat();

function normalise(path: string): string {
    const withoutQuery = path
        .split(/[?#]/, 1)[0]
        .toLowerCase()
        .replace(/\/{2,}/g, "/");
    return withoutQuery.length > 1 ? withoutQuery.replace(/\/+$/, "") : withoutQuery;
}
