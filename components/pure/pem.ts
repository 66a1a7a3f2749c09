/** PEM blocks (RFC 7468): what a certificate looks like, and the header of every private key. */
import { X509Certificate } from "crypto";

/** The header of every PEM private key: PKCS#8 (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`), `RSA`, `EC`, `OPENSSH` ... */
export const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

/** One or more PEM certificates (a chain, leaf first), and nothing else but whitespace. */
export const PEM_CERTIFICATE_CHAIN =
    /^\s*(?:-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/**
 * The DNS names of the leaf (first) certificate of a PEM chain, from its subjectAltName; undefined when it cannot be
 * read. Clients check these names, not the subject's CN.
 */
export function certificateDnsNames(chain: string): string[] | undefined {
    const leaf = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(chain)?.[0];
    if (leaf === undefined) return undefined;
    try {
        const names = new X509Certificate(leaf).subjectAltName ?? "";
        return names
            .split(", ")
            .filter((entry) => entry.startsWith("DNS:"))
            .map((entry) => entry.slice("DNS:".length));
    } catch {
        return undefined;
    }
}
