/**
 * Reading resource properties the same way under `pulumi preview --policy-pack` and over recorded plans and stack
 * exports: every policy turns `args.props` into plain JSON with {@link plain} first, then reads it with the
 * accessors of components/pure/values.
 */
import { ResourceValidation, UnknownValueError } from "@pulumi/policy";
import { Json, UNKNOWN } from "../components/pure/values";

/** Properties as plain JSON. */
export type Props = Json;

/**
 * A plain JSON copy of CrossGuard properties. CrossGuard hands policies a proxy that throws `UnknownValueError` when
 * a value unknown during preview is read (@pulumi/policy `proxy.js`), which it reports as "can't run policy during
 * preview". The policies here report only what they can prove, so each unknown becomes {@link UNKNOWN} instead:
 * resource policies run again during `pulumi up` with the inputs resolved, stack policies at its end.
 */
export function plain(value: unknown): any {
    if (value === null || typeof value !== "object") return value;
    // Every policy of the pack reads the same resource's properties: copied once, then shared.
    const copied = plainCopies.get(value);
    if (copied !== undefined) return copied;
    const copy = plainCopy(value);
    plainCopies.set(value, copy);
    return copy;
}

const plainCopies = new WeakMap<object, unknown>();

function plainCopy(value: object): unknown {
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
    return Object.fromEntries(
        Object.keys(value)
            .filter((key) => !key.startsWith("__"))
            .map((key) => [key, read(key)]),
    );
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
