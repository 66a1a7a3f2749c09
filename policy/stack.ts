/**
 * The whole stack as stack policies see it, and how one resource's input refers to another.
 *
 * References look different depending on where the policy runs:
 * - in a real preview, an input computed from a resource being created (`sslPolicy: policy.selfLink`) is unknown,
 *   but the engine records which resource it came from in `propertyDependencies`;
 * - for resources that exist, and in the offline plan, the input holds the referenced resource's self link (or
 *   name, or, when a resource object itself was passed, its URN), and `propertyDependencies` is recorded too.
 * - in a `pulumi stack export`, the properties are the provider's outputs (`selfLink`, `name`, `id`), references
 *   are the self links they name, and no property dependency needs to be recorded.
 * So a reference is resolved by its value where it is known and by its property dependencies otherwise.
 */
import { PolicyResource, ReportViolation, StackValidation } from "@pulumi/policy";
import { COMPUTE_COLLECTIONS, pathNames } from "../components/pure/selfLinks";
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

    /**
     * The resources of `types` that `value`, read somewhere inside input `key` of `from` (a backend service in a URL
     * map's path matchers), names: by the value where it is known; where it is unknown, every resource of `types`
     * that input `key` was computed from.
     */
    resolve(from: StackResource, key: string, value: unknown, types: string[]): StackResource[] {
        const candidates = this.ofType(...types);
        if (typeof value === "string" && value !== UNKNOWN) return candidates.filter((c) => refersTo(value, c));
        const traced = from.propertyDependencies[key] ?? [];
        return candidates.filter((c) => traced.includes(c.urn));
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
 * IP `address`); or by name, alone or ending a self link or relative path of the candidate's collection
 * (`https://www.googleapis.com/compute/v1/projects/P/regions/R/sslPolicies/NAME`, `projects/P/.../NAME`).
 */
function refersTo(value: string, candidate: StackResource): boolean {
    const { selfLink, id, address } = candidate.props;
    if (value === UNKNOWN) return false;
    if ([candidate.urn, selfLink, id, address].includes(value)) return true;
    const name = nameOf(candidate);
    return name !== undefined && (value === name || pathNames(value, name, COMPUTE_COLLECTIONS[candidate.type]));
}

/**
 * The name a resource is known by in Google Cloud: its `name` property; when it has none, the resource's Pulumi
 * name. A real preview and a stack export always carry `name` (the engine fills in auto-names before policies run);
 * the offline plan records the program's inputs, which lack it, and its mock runtime names such a resource after
 * its Pulumi name, as the self links other resources hold show.
 */
export function nameOf(candidate: StackResource): string | undefined {
    const name = candidate.props.name === undefined ? candidate.name : candidate.props.name;
    return typeof name === "string" && name !== UNKNOWN && name !== "" ? name : undefined;
}

/** A `validateStack` that runs `check` on the stack as a {@link StackView}, read once per run. */
export function onStackView(check: (stack: StackView, report: ReportViolation) => void): StackValidation {
    return (args, report) => check(new StackView(args.resources), report);
}
