import * as pulumi from "@pulumi/pulumi";
import { isPlainObject } from "./pure/values";

/**
 * The one validation layer of guarded-llm. Component constructors and the stacks program use the same rules, so a
 * value is judged the same way whether it came from a stack file or from code; only the key prefix differs
 * (`guarded-llm:ollama.cpu` in a stack, `OllamaService "llm" args.cpu` in code).
 *
 * Every rule records a problem and carries on, so that a user sees every mistake in one go, each on one line:
 * `<key> = <value>: <what is allowed or how to fix it>`.
 */

/** One mistake: the full key, the value given, and what is allowed instead. */
export interface Problem {
    readonly key: string;
    readonly value: unknown;
    readonly expected: string;
}

/**
 * Thrown before any resource is registered when a configuration or an args object has mistakes. A `RunError`, so
 * `pulumi up` prints the problems without a stack trace.
 */
export class ConfigurationError extends pulumi.RunError {
    constructor(readonly problems: readonly Problem[]) {
        super(
            `invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  ${formatProblem(p)}`).join("\n"),
        );
        this.name = "ConfigurationError";
    }
}

/** Renders one problem as the single line users see. */
export function formatProblem(problem: Problem): string {
    return problem.value === undefined
        ? `${problem.key}: ${problem.expected}`
        : `${problem.key} = ${describeValue(problem.value)}: ${problem.expected}`;
}

function describeValue(value: unknown): string {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Collects problems under a key prefix; `check()` throws them all at once. A key keeps only its first problem:
 * later rules on the same key follow from the first (a missing region is not also a malformed one).
 */
export class Problems {
    private readonly found: Problem[];

    /**
     * @param prefix prepended to every field name
     * @param renames fields reported under another full key, e.g. `{ region: "gcp:region" }` where a stack
     *   supplies a component's `region` argument from `gcp:region`
     */
    constructor(
        readonly prefix = "",
        private readonly renames: Record<string, string> = {},
        found?: Problem[],
    ) {
        this.found = found ?? [];
    }

    /**
     * A view that records into the same list under a longer prefix (e.g. `ollama.`). Descending into a renamed field
     * (`under("access.")` where `access` is renamed) continues under its new name.
     */
    under(prefix: string, renames: Record<string, string> = {}): Problems {
        const field = prefix.endsWith(".") ? prefix.slice(0, -1) : undefined;
        const renamed = field !== undefined && Object.prototype.hasOwnProperty.call(this.renames, field);
        return new Problems(renamed ? `${this.renames[field]}.` : this.prefix + prefix, renames, this.found);
    }

    key(field: string): string {
        // Own properties only: a field named `__proto__` or `constructor` is reported as written.
        return Object.prototype.hasOwnProperty.call(this.renames, field) ? this.renames[field] : this.prefix + field;
    }

    add(field: string, value: unknown, expected: string): void {
        const key = this.key(field);
        if (this.found.some((p) => p.key === key)) return;
        this.found.push({ key, value, expected });
    }

    get list(): readonly Problem[] {
        return this.found;
    }

    /** Throws a {@link ConfigurationError} naming every problem recorded so far. */
    check(): void {
        if (this.found.length > 0) throw new ConfigurationError([...this.found]);
    }

    // Each rule below returns whether the value passed, so callers can skip checks that depend on it.

    integer(field: string, value: unknown, min: number, max: number, unit = ""): value is number {
        const suffix = unit ? ` ${unit}` : "";
        if (typeof value !== "number" || !Number.isInteger(value)) {
            this.add(field, value, `must be a whole number from ${min} to ${max}${suffix}`);
            return false;
        }
        if (value < min || value > max) {
            this.add(field, value, `must be from ${min} to ${max}${suffix}`);
            return false;
        }
        return true;
    }

    region(field: string, value: unknown): value is string {
        return this.matches(field, value, REGION_PATTERN, 'must be a Google Cloud region such as "us-central1"');
    }

    boolean(field: string, value: unknown): value is boolean {
        if (typeof value === "boolean") return true;
        this.add(field, value, "must be true or false");
        return false;
    }

    nonEmptyString(field: string, value: unknown): value is string {
        if (typeof value === "string" && value.trim() !== "") return true;
        this.add(field, value, "must be a non-empty string");
        return false;
    }

    oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): value is T {
        if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return true;
        this.add(field, value, `must be one of ${allowed.join(", ")}${didYouMean(value, allowed)}`);
        return false;
    }

    matches(field: string, value: unknown, pattern: RegExp, expected: string): value is string {
        if (typeof value === "string" && pattern.test(value)) return true;
        this.add(field, value, expected);
        return false;
    }

    /** {@link matches} on each element of a list, each reported as `field[i]`. */
    eachMatches(field: string, values: readonly unknown[], pattern: RegExp, expected: string): void {
        values.forEach((value, i) => this.matches(`${field}[${i}]`, value, pattern, expected));
    }

    array(field: string, value: unknown): value is unknown[] {
        if (Array.isArray(value)) return true;
        this.add(field, value, "must be a list");
        return false;
    }

    object(field: string, value: unknown): value is Record<string, unknown> {
        if (isPlainObject(value)) return true;
        this.add(field, value, "must be an object (a map of keys to values)");
        return false;
    }

    /** Reports every key of `value` that is not in `known`, suggesting the nearest known key. */
    knownKeys(value: Record<string, unknown>, known: readonly string[], field = ""): void {
        for (const k of Object.keys(value)) {
            if (known.includes(k)) continue;
            this.add(`${field}${k}`, undefined, `unknown key${didYouMean(k, known)}; known keys: ${known.join(", ")}`);
        }
    }
}

/** Google Cloud label keys: 1-63 lowercase letters, digits, `_` and `-`, starting with a letter; values up to 63. */
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const MAX_LABELS = 64;

/** Checks a map of Google Cloud labels (resource manager "Labels" requirements). */
export function validateLabels(problems: Problems, field: string, labels: unknown): void {
    if (!problems.object(field, labels)) return;
    const entries = Object.entries(labels);
    if (entries.length > MAX_LABELS) problems.add(field, undefined, `must have at most ${MAX_LABELS} labels`);
    for (const [key, value] of entries) {
        if (!LABEL_KEY.test(key)) {
            problems.add(
                `${field}.${key}`,
                undefined,
                "is not a valid label key: 1-63 lowercase letters, digits, _ and -, starting with a letter",
            );
        } else {
            problems.matches(
                `${field}.${key}`,
                value,
                LABEL_VALUE,
                "must be a label value: at most 63 lowercase letters, digits, _ and -",
            );
        }
    }
}

/** The shape of a Google Cloud region name, e.g. `us-central1`, `northamerica-northeast2`. */
export const REGION_PATTERN = /^[a-z]+-[a-z]+[0-9]+$/;

/**
 * Runs a component's validator on its args and throws every problem at once, keyed `<Component> "<name>" args.<field>`.
 * Components call it before `super()`, so nothing is registered for invalid args. `nameLimit` bounds the component
 * name where GCP bounds the names derived from it: `[max, why]`; `nameRule` says what else is wrong with the name
 * (undefined when nothing). Returns what the validator returns.
 */
export function checkComponentArgs<A, R>(
    component: string,
    name: string,
    args: A,
    validate: (args: A, problems: Problems, name: string) => R,
    nameLimit?: readonly [number, string],
    nameRule?: (name: string) => string | undefined,
): R {
    const problems = new Problems(`${component} "${name}" args.`);
    const nameProblems = problems.under("", { name: `${component} name` });
    if (nameLimit && name.length > nameLimit[0]) {
        nameProblems.add("name", name, `must be at most ${nameLimit[0]} characters: ${nameLimit[1]}`);
    }
    const nameProblem = nameRule?.(name);
    if (nameProblem !== undefined) nameProblems.add("name", name, nameProblem);
    const result = validate(args, problems, name);
    problems.check();
    return result;
}

/** `" (did you mean \"x\"?)"` when `value` is a near miss of one of `options`, else `""`. */
export function didYouMean(value: unknown, options: readonly string[]): string {
    if (typeof value !== "string" || value === "") return "";
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const option of options) {
        const distance = editDistance(value.toLowerCase(), option.toLowerCase());
        if (distance < bestDistance) {
            best = option;
            bestDistance = distance;
        }
    }
    const closeEnough = bestDistance <= Math.max(2, Math.floor(value.length / 3));
    return best !== undefined && closeEnough ? ` (did you mean "${best}"?)` : "";
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
        }
        previous = current;
    }
    return previous[b.length];
}

/** `[Exclude<keyof T, Listed>]` is `[never]` when every key of `T` is listed. */
type EveryKeyListed<T, Listed> = [Exclude<keyof T, Listed>] extends [never]
    ? unknown
    : { readonly unlistedKeys: Exclude<keyof T, Listed> };

/** The keys of a component's args: those a stack file sets, and those only code gives (resources, the region...). */
export interface ArgKeys<T, C extends keyof T = keyof T, O extends keyof T = keyof T> {
    /** Keys a stack file sets under the component's config object, in the order error messages list them. */
    readonly config: readonly C[];
    /** Keys the stacks program (or a library user) supplies in code; a stack file setting one is an unknown key. */
    readonly codeOnly: readonly O[];
}

/**
 * Declares the keys of an args interface `T` once. `tsc` fails when a key of `T` is in neither list (a key the stack
 * config cannot set by accident), or when a listed key is not one of `T`'s:
 * `declareArgKeys<OllamaServiceArgs>()({ config: [...], codeOnly: ["region", ...] })`.
 */
export function declareArgKeys<T>() {
    return <const C extends keyof T & string, const O extends keyof T & string>(
        keys: ArgKeys<T, C, O> & EveryKeyListed<T, C | O>,
    ): ArgKeys<T, C, O> => keys;
}

/** Drops the keys whose value is undefined, so that spreading over defaults keeps the defaults. */
export function definedOnly<T extends object>(value: T | undefined): Partial<T> {
    return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The entries of `value` whose keys are among `keys`: one component's part of a wider args object. */
export function pick<T extends object>(value: T | undefined, keys: readonly string[]): Partial<T> {
    return Object.fromEntries(Object.entries(value ?? {}).filter(([k]) => keys.includes(k))) as Partial<T>;
}
