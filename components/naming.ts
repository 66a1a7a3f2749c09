import { createHash } from "crypto";

/**
 * A service account id (6-30 characters, lowercase letters, digits and hyphens, starting with a letter) derived
 * from a component name and a role suffix. Long names are shortened with a hash so two components never collide.
 */
export function serviceAccountId(componentName: string, suffix: string): string {
    const slug = componentName.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").replace(/-+$/, "");
    const base = slug === "" ? "guarded-llm" : slug;
    const room = 30 - suffix.length - 1;
    const shortened = base.length <= room ? base : `${base.slice(0, room - 7).replace(/-+$/, "")}-${shortHash(base, 6)}`;
    const id = `${shortened}-${suffix}`;
    return id.length >= 6 ? id : `${id}-sa`.padEnd(6, "0");
}

/** The first `length` hex characters of the SHA-256 of `text`. */
export function shortHash(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}
