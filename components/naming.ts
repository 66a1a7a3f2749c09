import { createHash } from "crypto";

/**
 * A lowercase slug of `name` (letters, digits and hyphens, starting with a letter) of at most `maxLength`
 * characters. Longer names are cut and end in a hash of the whole name, so two components never collide.
 */
export function boundedSlug(name: string, maxLength: number): string {
    const slug = name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^[^a-z]+/, "")
        .replace(/-+$/, "");
    const base = slug === "" ? "guarded-llm" : slug;
    return base.length <= maxLength ? base : `${base.slice(0, maxLength - 7).replace(/-+$/, "")}-${shortHash(base, 6)}`;
}

/**
 * A service account id (6-30 characters, lowercase letters, digits and hyphens, starting with a letter) derived
 * from a component name and a role suffix.
 */
export function serviceAccountId(componentName: string, suffix: string): string {
    const id = `${boundedSlug(componentName, 30 - suffix.length - 1)}-${suffix}`;
    return id.length >= 6 ? id : `${id}-sa`.padEnd(6, "0");
}

/** The first `length` hex characters of the SHA-256 of `text`. */
export function shortHash(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}
