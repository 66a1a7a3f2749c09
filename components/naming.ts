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

/**
 * What Cloud Storage would refuse in a bucket named `name` (plus, when `autonamed`, Pulumi's `-` and 7 random hex
 * characters): 3-63 lowercase letters, digits, `-` and `_`, starting and ending with a letter or digit, not starting
 * with "goog" and not containing "google" or a near spelling (Cloud Storage "Bucket naming rules"). Dotted names are
 * left out: they need domain verification. Undefined when the name is fine.
 */
export function bucketNameProblem(name: string, autonamed: boolean): string | undefined {
    const full = autonamed ? `${name}-0000000` : name;
    if (!/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/.test(full)) {
        return `gives the bucket ${autonamed ? "a name" : "the name"} Cloud Storage refuses: 3-63 lowercase letters, digits, "-" and "_", starting and ending with a letter or digit${autonamed ? " (Pulumi adds 8 characters)" : ""}`;
    }
    if (full.startsWith("goog") || /g[o0]{2}g[l1]e/.test(full)) {
        return 'gives the bucket a name Cloud Storage refuses: bucket names may not start with "goog" or contain "google"';
    }
    return undefined;
}

/** The first `length` hex characters of the SHA-256 of `text`. */
export function shortHash(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}
