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

/**
 * What a CEL match condition selects by path, when it is a disjunction of path comparisons: `request.path == "/p"`,
 * `request.path.startsWith("/p")` (either operand order for `==`), or `true`. Written by {@link screenedPathsCel}
 * or by hand.
 */
export interface PathCondition {
    /** Paths matched exactly. */
    readonly exact: readonly string[];
    /** Prefixes: every path starting with one is matched. */
    readonly prefixes: readonly string[];
    /** Matches every request (`true`). */
    readonly all: boolean;
}

const STRING = String.raw`(?:"([^"\\]*)"|'([^'\\]*)')`;
const EQUALS = new RegExp(String.raw`^request\.path\s*==\s*${STRING}$`);
const EQUALS_REVERSED = new RegExp(String.raw`^${STRING}\s*==\s*request\.path$`);
const STARTS_WITH = new RegExp(String.raw`^request\.path\.startsWith\(\s*${STRING}\s*\)$`);

/**
 * Reads a CEL match condition made only of the comparisons {@link PathCondition} lists, joined by `||` and
 * optionally parenthesised. Undefined for anything else (`&&`, negation, `matches`, `request.host`, escapes in
 * strings...): its paths cannot be told without a CEL interpreter, so a caller must not assume what it matches.
 */
export function parsePathCondition(cel: string): PathCondition | undefined {
    const terms = splitDisjunction(cel);
    if (terms === undefined) return undefined;
    const exact: string[] = [];
    const prefixes: string[] = [];
    let all = false;
    for (const term of terms) {
        const match = EQUALS.exec(term) ?? EQUALS_REVERSED.exec(term);
        const prefix = STARTS_WITH.exec(term);
        if (term === "true") all = true;
        else if (match) exact.push(match[1] ?? match[2]);
        else if (prefix) prefixes.push(prefix[1] ?? prefix[2]);
        else return undefined;
    }
    return { exact, prefixes, all };
}

/** Does `condition` select a request for `path` (a path without query, as CEL's `request.path` holds it)? */
export function conditionMatchesPath(condition: PathCondition, path: string): boolean {
    return condition.all || condition.exact.includes(path) || condition.prefixes.some((p) => path.startsWith(p));
}

/**
 * For each character of `text`, the parenthesis depth after it (parentheses inside quoted strings do not count) and
 * whether it is inside a quoted string; undefined when the depth goes below zero or a quote or parenthesis is left
 * open.
 */
function depths(text: string): { depth: number; quoted: boolean }[] | undefined {
    const result: { depth: number; quoted: boolean }[] = [];
    let depth = 0;
    let quote: string | undefined;
    for (const c of text) {
        if (quote !== undefined) {
            if (c === quote) quote = undefined;
        } else if (c === '"' || c === "'") quote = c;
        else if (c === "(") depth++;
        else if (c === ")" && --depth < 0) return undefined;
        result.push({ depth, quoted: quote !== undefined });
    }
    return quote === undefined && depth === 0 ? result : undefined;
}

/** The top-level `||` terms of `cel`, outer parentheses removed; undefined when quotes or parentheses do not balance. */
function splitDisjunction(cel: string): string[] | undefined {
    const text = unwrap(cel.trim());
    const levels = text === undefined ? undefined : depths(text);
    if (text === undefined || levels === undefined) return undefined;
    const terms: string[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
        if (levels[i].depth === 0 && !levels[i].quoted && text.startsWith("||", i)) {
            terms.push(text.slice(start, i));
            start = i + 2;
            i++;
        }
    }
    terms.push(text.slice(start));
    const unwrapped = terms.map((t) => unwrap(t.trim()));
    return unwrapped.some((t) => t === undefined || t === "") ? undefined : (unwrapped as string[]);
}

/** `text` without the parentheses that enclose all of it; undefined when they do not balance. */
function unwrap(text: string): string | undefined {
    while (text.startsWith("(") && text.endsWith(")")) {
        const levels = depths(text);
        if (levels === undefined) return undefined;
        // The first parenthesis encloses all when the depth first returns to 0 at the last character.
        const closes = levels.findIndex((l) => l.depth === 0 && !l.quoted);
        if (closes !== text.length - 1) return text;
        text = text.slice(1, -1).trim();
    }
    return text;
}
