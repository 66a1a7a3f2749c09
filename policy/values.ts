/**
 * Reading resource properties the same way under `pulumi preview --policy-pack` and over the offline plan's
 * recorded resources: every policy turns `args.props` into plain JSON with {@link plain} first.
 */
import { ResourceValidation, UnknownValueError } from "@pulumi/policy";

/**
 * What a value unknown until the update (e.g. the self link of a resource being created) reads as after
 * {@link plain}. The recorded plan writes unknowns with the same placeholder (`UNKNOWN` in tools/mockRuntime.ts).
 */
export const UNKNOWN = "[unknown]";

/** Properties as plain JSON. */
export type Props = Record<string, any>;

/**
 * A plain JSON copy of CrossGuard properties. CrossGuard hands policies a proxy that throws `UnknownValueError` when
 * a value unknown during preview is read (@pulumi/policy `proxy.js`), which it reports as "can't run policy during
 * preview". The policies here report only what they can prove, so each unknown becomes {@link UNKNOWN} instead:
 * resource policies run again during `pulumi up` with the inputs resolved, stack policies at its end.
 */
export function plain(value: unknown): any {
    if (value === null || typeof value !== "object") return value;
    const read = (key: string | number) => {
        try {
            return plain((value as any)[key]);
        } catch (e) {
            if (e instanceof UnknownValueError) return UNKNOWN;
            throw e;
        }
    };
    if (Array.isArray(value)) return Array.from({ length: value.length }, (_, i) => read(i));
    // Keys starting with "__" are the Terraform bridge's bookkeeping in checked inputs (`__defaults`), not settings.
    return Object.fromEntries(Object.keys(value).filter((key) => !key.startsWith("__")).map((key) => [key, read(key)]));
}

/** Is `value` known (not {@link UNKNOWN})? Absent values are known: they are absent. */
export function isKnown(value: unknown): boolean {
    return value !== UNKNOWN;
}

/** The value at a dotted path (`template.serviceAccount`): undefined when a step is missing, unknown when one is. */
export function valueAt(props: unknown, path: string): any {
    return path.split(".").reduce<any>((v, key) => {
        if (v === UNKNOWN) return UNKNOWN;
        return v === undefined || v === null ? undefined : v[key];
    }, props);
}

/** `value` if it is a list, else an empty one (absent, unknown during preview, or malformed). */
export function listOf(value: unknown): any[] {
    return Array.isArray(value) ? value : [];
}

/** Calls `visit` with every string in `value` and its dotted path (`template.containers.0.envs.1.value`). */
export function eachString(value: unknown, visit: (path: string, text: string) => void, path = ""): void {
    if (typeof value === "string") visit(path, value);
    else if (value !== null && typeof value === "object") {
        for (const [key, child] of Object.entries(value)) eachString(child, visit, path ? `${path}.${key}` : key);
    }
}

/** A `validateResource` that runs `check` on the plain properties of resources of the given types only. */
export function forTypes(
    types: readonly string[],
    check: (props: Props, report: (message: string) => void, type: string) => void,
): ResourceValidation {
    return (args, reportViolation) => {
        if (types.includes(args.type)) check(plain(args.props), (message) => reportViolation(message), args.type);
    };
}

/** The JSON document in `text`; undefined when `text` is not a string of valid JSON (or is {@link UNKNOWN}). */
export function parseJson(text: unknown): any {
    if (typeof text !== "string") return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** `value` as it should appear in a message. */
export function quote(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}
