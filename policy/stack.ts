/**
 * The whole stack as stack policies see it, and how one resource's input refers to another.
 *
 * References look different depending on where the policy runs:
 * - in a real preview, an input computed from a resource being created (`sslPolicy: policy.selfLink`) is unknown,
 *   but the engine records which resource it came from in `propertyDependencies`;
 * - for resources that exist, and in the offline plan, the input holds the referenced resource's self link (or
 *   name, or, when a resource object itself was passed, its URN), and `propertyDependencies` is recorded too.
 * So a reference is resolved by its value where it is known and by its property dependencies otherwise.
 */
import { PolicyResource } from "@pulumi/policy";
import { UNKNOWN } from "../components/pure/values";
import { Props, plain } from "./values";

/** One resource of the stack, its properties as plain JSON. */
export interface StackResource {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly props: Props;
    /** For each input, the URNs of the resources it was computed from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

/** What a single-valued reference input points at. */
export type Reference =
    | { readonly kind: "unset" }
    | { readonly kind: "resource"; readonly resource: StackResource }
    /** Unknown during preview and not traceable to one resource of the stack. */
    | { readonly kind: "unknown" }
    /** Names something this stack does not manage, so its settings cannot be read. */
    | { readonly kind: "outside"; readonly value: string };

export class StackView {
    readonly resources: readonly StackResource[];

    constructor(resources: readonly PolicyResource[]) {
        this.resources = resources.map((r) => ({
            type: r.type,
            urn: r.urn,
            name: r.name,
            props: plain(r.props),
            propertyDependencies: Object.fromEntries(
                Object.entries(r.propertyDependencies).map(([key, deps]) => [key, deps.map((d) => d.urn)]),
            ),
        }));
    }

    ofType(...types: string[]): StackResource[] {
        return this.resources.filter((r) => types.includes(r.type));
    }

    /** The resources of `types` that input `key` of `from` (a single reference or a list of them) refers to. */
    referenced(from: StackResource, key: string, types: string[]): StackResource[] {
        const candidates = this.ofType(...types);
        const value = from.props[key];
        const values: unknown[] = Array.isArray(value) ? value : [value];
        const byValue = candidates.filter((c) => values.some((v) => typeof v === "string" && refersTo(v, c)));
        const traced = from.propertyDependencies[key] ?? [];
        const byDependency = candidates.filter((c) => traced.includes(c.urn));
        return [...new Set([...byValue, ...byDependency])];
    }

    /** What the single-valued input `key` of `from` refers to among resources of `types`. */
    reference(from: StackResource, key: string, types: string[]): Reference {
        const value = from.props[key];
        if (value === undefined || value === null || value === "") return { kind: "unset" };
        const found = this.referenced(from, key, types);
        if (found.length === 1) return { kind: "resource", resource: found[0] };
        if (found.length === 0 && typeof value === "string" && value !== UNKNOWN) return { kind: "outside", value };
        return { kind: "unknown" };
    }
}

/**
 * Does reference `value` name `candidate`? By URN; by an output that identifies it (`selfLink`, `id`, an address's
 * IP `address`); or by name, alone or ending a self link or relative path
 * (`https://www.googleapis.com/compute/v1/projects/P/regions/R/sslPolicies/NAME`, `projects/P/.../NAME`).
 */
function refersTo(value: string, candidate: StackResource): boolean {
    const { selfLink, id, address, name } = candidate.props;
    if (value === UNKNOWN) return false;
    if ([candidate.urn, selfLink, id, address].includes(value)) return true;
    return (
        typeof name === "string" && name !== UNKNOWN && name !== "" && (value === name || value.endsWith(`/${name}`))
    );
}
