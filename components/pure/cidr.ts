/** CIDR ranges: parsing (a real parser for IPv4 and IPv6, not a pattern), alignment and overlap. */
import { isIPv4, isIPv6 } from "net";

/** A parsed range: its first address as a number, its prefix length and its IP version. */
export interface Cidr {
    readonly version: 4 | 6;
    readonly start: bigint;
    readonly prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

/**
 * Parses `a.b.c.d/n` or an IPv6 range `x:y::/n`. Undefined when malformed: leading zeros in an IPv4 octet
 * (`010.0.0.0/8`, which some parsers read as octal) and missing prefixes are malformed too.
 */
export function parseCidr(text: unknown): Cidr | undefined {
    if (typeof text !== "string") return undefined;
    const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
    if (!match) return undefined;
    const [, address, prefixText] = match;
    const prefix = Number(prefixText);
    if (prefixText.length > 1 && prefixText.startsWith("0")) return undefined;
    if (isIPv4(address) && prefix <= 32) {
        const octets = address.split(".");
        if (octets.some((o) => o.length > 1 && o.startsWith("0"))) return undefined;
        return { version: 4, prefix, start: octets.reduce((n, o) => (n << 8n) + BigInt(o), 0n) };
    }
    if (isIPv6(address) && !address.includes(".") && prefix <= 128) {
        return { version: 6, prefix, start: ipv6ToBigInt(address) };
    }
    return undefined;
}

function ipv6ToBigInt(address: string): bigint {
    const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
    const groups = (part: string | undefined) => (part ? part.split(":") : []);
    const missing = 8 - groups(head).length - groups(tail).length;
    const all = [...groups(head), ...(tail === undefined ? [] : Array(missing).fill("0")), ...groups(tail)];
    return all.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** The number of addresses in the range. */
export function cidrSize(cidr: Cidr): bigint {
    return 1n << BigInt(BITS[cidr.version] - cidr.prefix);
}

/** The range with its host bits cleared, written out (`"10.0.0.0/8"`); IPv4 only. */
export function alignedIpv4(cidr: Cidr): string {
    const base = cidr.start - (cidr.start % cidrSize(cidr));
    const octets = [24n, 16n, 8n, 0n].map((shift) => String((base >> shift) & 255n));
    return `${octets.join(".")}/${cidr.prefix}`;
}

/** Is the first address of the range its network address (no host bits set)? */
export function isAligned(cidr: Cidr): boolean {
    return cidr.start % cidrSize(cidr) === 0n;
}

/** Do two ranges share an address (either contains the other, or they are equal)? */
export function overlaps(a: Cidr, b: Cidr): boolean {
    if (a.version !== b.version) return false;
    const end = (c: Cidr) => c.start - (c.start % cidrSize(c)) + cidrSize(c);
    const start = (c: Cidr) => c.start - (c.start % cidrSize(c));
    return start(a) < end(b) && start(b) < end(a);
}

/** 10.128.0.0/9: the range an auto-mode VPC keeps for its own subnets (docs/platform-facts.md#regional-load-balancer). */
export const AUTO_MODE_RANGE = parseCidr("10.128.0.0/9")!;
