/** PEM blocks (RFC 7468): what a certificate looks like, and the header of every private key. */

/** The header of every PEM private key: PKCS#8 (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`), `RSA`, `EC`, `OPENSSH` ... */
export const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

/** One or more PEM certificates (a chain, leaf first), and nothing else but whitespace. */
export const PEM_CERTIFICATE_CHAIN =
    /^\s*(?:-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;
