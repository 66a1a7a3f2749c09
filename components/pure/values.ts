/**
 * Reading recorded or checked resource properties as plain JSON: the placeholders for values that are unknown or
 * secret, and lenient accessors that never throw on a malformed value.
 */

/**
 * What a value unknown until the update (e.g. the self link of a resource being created) reads as in a recorded plan
 * and in the policy pack's plain copies of CrossGuard properties.
 */
export const UNKNOWN = "[unknown]";
/** What a secret value reads as in a recorded plan. */
export const SECRET = "[secret]";

/** A JSON object, as properties are. */
export type Json = Record<string, any>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Is `value` known (not {@link UNKNOWN})? Absent values are known: they are absent. */
export function isKnown(value: unknown): boolean {
    return value !== UNKNOWN;
}

/**
 * The value at a dotted path (`template.containers.0.image`): undefined when a step is missing, {@link UNKNOWN} when
 * a step is unknown.
 */
export function valueAt(value: unknown, path: string): any {
    return path.split(".").reduce<any>((v, key) => {
        if (v === UNKNOWN) return UNKNOWN;
        return v === undefined || v === null ? undefined : v[key];
    }, value);
}

/** `value` if it is a list, else an empty one (absent, unknown, or malformed). */
export function listOf(value: unknown): any[] {
    return Array.isArray(value) ? value : [];
}

/** The JSON document in `text`; undefined when `text` is not a string of valid JSON. */
export function parseJson(text: unknown): any {
    if (typeof text !== "string") return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** Calls `visit` with every string in `value` and its dotted path (`template.containers.0.envs.1.value`). */
export function eachString(value: unknown, visit: (path: string, text: string) => void, path = ""): void {
    if (typeof value === "string") visit(path, value);
    else if (value !== null && typeof value === "object") {
        for (const [key, child] of Object.entries(value)) eachString(child, visit, path ? `${path}.${key}` : key);
    }
}

/** `value` as it should appear in a message. */
export function quote(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}
