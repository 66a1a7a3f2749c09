/**
 * The CEL match conditions of Model Armor extension chains: written by the extension component and the gateway,
 * read back and evaluated by the offline plan and the policy pack. Attributes (docs/platform-facts.md#model-armor-extension):
 * `request.path` is the path without the query, undecoded (the query is matched too, defensively, in case a load
 * balancer passes it in the path); `request.host` is the Host header as sent; `request.backend_service_name` names
 * the backend service the URL map chose (traffic extensions run after routing).
 */

/** CEL matching exactly `paths`, with or without a query string. */
export function screenedPathsCel(paths: readonly string[]): string {
    return paths.map((p) => `request.path == "${p}" || request.path.startsWith("${p}?")`).join(" || ");
}

/** How a gateway's chain recognises its service's requests. */
export interface ServiceChainMatch {
    /** The backend service the URL map sends the service's requests to (its name, as GCP holds it). */
    readonly backendService: string;
    /** Host routing: the service's host. */
    readonly host?: string;
    /** Path routing: the service's prefix, e.g. `/coder`; `paths` are then reached as `/coder/v1/...`. */
    readonly pathPrefix?: string;
    /** The paths routed to the service, as Ollama serves them. */
    readonly paths: readonly string[];
}

/**
 * The condition of one service's chain in a gateway: its requests by host (in any case, with or without a port) or,
 * with path routing, by prefixed path, OR by the backend service the URL map chose, AND a routed path. Either half
 * alone selects them; both are written so that an unconfirmed attribute (the backend's name as the proxy spells it)
 * cannot make a routed request miss its own chain. With path routing, whether the chain sees the path before or
 * after the URL map's rewrite is UNCONFIRMED, so both spellings are matched.
 */
export function serviceChainCel(match: ServiceChainMatch): string {
    const backend = `request.backend_service_name == "${match.backendService}"`;
    const paths = `(${screenedPathsCel(match.paths)})`;
    if (match.pathPrefix !== undefined) {
        const prefixed = screenedPathsCel(match.paths.map((p) => `${match.pathPrefix}${p}`));
        return `${prefixed} || (${backend} && ${paths})`;
    }
    return `(${hostMatchesCel(match.host!)} || ${backend}) && ${paths}`;
}

/**
 * CEL matching `host` as a Host header may spell it: in any case, as a name with its root's dot, with or without a
 * port. Dots are written `[.]` so
 * that the pattern needs no escapes (host names hold only letters, digits, hyphens and dots).
 */
export function hostMatchesCel(host: string): string {
    return `request.host.matches("(?i)^${host.replace(/\./g, "[.]")}[.]?(:[0-9]+)?$")`;
}

/** The request attributes a condition can read. */
export interface ChainRequest {
    /** `request.path`: the path, without the query. */
    readonly path: string;
    /** `request.host`; undefined for a client that sent no name (connects by IP address). */
    readonly host?: string;
    /** `request.backend_service_name`; undefined while not known, which no comparison matches. */
    readonly backendService?: string;
}

type Attribute = keyof ChainRequest;
const ATTRIBUTES: Record<string, Attribute> = {
    "request.path": "path",
    "request.host": "host",
    "request.backend_service_name": "backendService",
};

/** A parsed condition. */
export type Condition =
    | { readonly kind: "true" }
    | { readonly kind: "or" | "and"; readonly terms: readonly Condition[] }
    | { readonly kind: "equals" | "startsWith"; readonly attribute: Attribute; readonly value: string }
    | { readonly kind: "matches"; readonly attribute: Attribute; readonly pattern: RegExp };

const TOKEN =
    /\s*(\|\||&&|==|\(|\)|"([^"\\]*)"|'([^'\\]*)'|(request\.(?:path|host|backend_service_name))(\.startsWith\(|\.matches\()?|true)/y;

/**
 * An RE2 pattern of CEL's `matches` (a search, not a full match) as a JavaScript RegExp: a leading `(?i)` becomes
 * the `i` flag; undefined for a pattern JavaScript reads differently or not at all.
 */
function re2Pattern(pattern: string): RegExp | undefined {
    const caseless = pattern.startsWith("(?i)");
    const body = caseless ? pattern.slice(4) : pattern;
    if (/\(\?|\\[pPQEz]|\[\[:/.test(body)) return undefined;
    try {
        return new RegExp(body, caseless ? "i" : "");
    } catch {
        return undefined;
    }
}

/**
 * Reads a condition made of `request.path`, `request.host` and `request.backend_service_name` compared with `==`
 * (either operand order), `.startsWith(...)` or `.matches(...)` against string literals, `true`, `&&`, `||` and
 * parentheses: what this library writes and the usual hand-written path lists. Undefined for anything else (negation, `matches`,
 * other attributes, escapes in strings): what it selects cannot be told without a full CEL interpreter, so a
 * caller must not assume it.
 */
export function parseCondition(cel: string): Condition | undefined {
    const tokens: string[][] = [];
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < cel.length) {
        const start = TOKEN.lastIndex;
        const match = TOKEN.exec(cel);
        if (!match) return cel.slice(start).trim() === "" ? finish() : undefined;
        tokens.push(match);
    }
    return finish();

    function finish(): Condition | undefined {
        let at = 0;
        const peek = () => tokens[at]?.[1];
        const orExpression = (): Condition | undefined => {
            const terms = [andExpression()];
            while (peek() === "||") {
                at++;
                terms.push(andExpression());
            }
            if (terms.some((t) => t === undefined)) return undefined;
            return terms.length === 1 ? terms[0] : { kind: "or", terms: terms as Condition[] };
        };
        const andExpression = (): Condition | undefined => {
            const terms = [primary()];
            while (peek() === "&&") {
                at++;
                terms.push(primary());
            }
            if (terms.some((t) => t === undefined)) return undefined;
            return terms.length === 1 ? terms[0] : { kind: "and", terms: terms as Condition[] };
        };
        const literal = (token: string[] | undefined) =>
            token && (token[2] !== undefined || token[3] !== undefined) ? (token[2] ?? token[3]) : undefined;
        const primary = (): Condition | undefined => {
            const token = tokens[at++];
            if (token === undefined) return undefined;
            if (token[1] === "true") return { kind: "true" };
            if (token[1] === "(") {
                const inner = orExpression();
                return tokens[at++]?.[1] === ")" ? inner : undefined;
            }
            if (token[4] !== undefined && token[5] !== undefined) {
                const value = literal(tokens[at++]);
                if (value === undefined || tokens[at++]?.[1] !== ")") return undefined;
                const attribute = ATTRIBUTES[token[4]];
                if (token[5] === ".startsWith(") return { kind: "startsWith", attribute, value };
                const pattern = re2Pattern(value);
                return pattern === undefined ? undefined : { kind: "matches", attribute, pattern };
            }
            if (token[4] !== undefined) {
                const value = tokens[at++]?.[1] === "==" ? literal(tokens[at++]) : undefined;
                return value === undefined ? undefined : { kind: "equals", attribute: ATTRIBUTES[token[4]], value };
            }
            const value = literal(token);
            const attribute = tokens[at + 1]?.[4];
            if (value === undefined || tokens[at]?.[1] !== "==" || attribute === undefined || tokens[at + 1][5])
                return undefined;
            at += 2;
            return { kind: "equals", attribute: ATTRIBUTES[attribute], value };
        };
        const condition = orExpression();
        return at === tokens.length ? condition : undefined;
    }
}

/** Does `condition` select `request`? An attribute that is not known matches no comparison. */
export function conditionMatches(condition: Condition, request: ChainRequest): boolean {
    switch (condition.kind) {
        case "true":
            return true;
        case "or":
            return condition.terms.some((t) => conditionMatches(t, request));
        case "and":
            return condition.terms.every((t) => conditionMatches(t, request));
        default: {
            const actual = request[condition.attribute];
            if (actual === undefined) return false;
            if (condition.kind === "matches") return condition.pattern.test(actual);
            return condition.kind === "equals" ? actual === condition.value : actual.startsWith(condition.value);
        }
    }
}

/** The backend services a condition names (`request.backend_service_name == "b"`): the services a chain is for. */
export function backendServicesNamed(condition: Condition): string[] {
    switch (condition.kind) {
        case "or":
        case "and":
            return [...new Set(condition.terms.flatMap(backendServicesNamed))];
        case "equals":
            return condition.attribute === "backendService" ? [condition.value] : [];
        default:
            return [];
    }
}
