/**
 * `tls-versions` and `tls-certificate`: the SSL policy refuses TLS 1.0 and 1.1 (its default minimum is TLS 1.0,
 * https://cloud.google.com/load-balancing/docs/ssl-policies-concepts) and the certificate is one clients trust.
 */
import * as net from "net";
import * as tls from "tls";
import { connectTo, errorText, serverName } from "./http";
import { CheckResult, Resolve } from "./types";

type Version = "TLSv1" | "TLSv1.1" | "TLSv1.2";

/** What one handshake limited to a single protocol version came to. */
interface Handshake {
    outcome: "accepted" | "refused" | "not-offered" | "failed";
    text: string;
}

/**
 * Errors by which the server refused the version: a TLS alert it sent (`ERR_SSL_TLSV1_ALERT_*`,
 * `ERR_SSL_SSLV3_ALERT_*`), a ServerHello of another version, or a connection it dropped after our ClientHello.
 */
const REFUSAL = /ALERT|WRONG_VERSION_NUMBER|UNSUPPORTED_PROTOCOL|ECONNRESET|EPIPE/;
/** Errors raised by the local OpenSSL before it could offer the version at all. */
const NOT_OFFERED = /NO_PROTOCOLS_AVAILABLE|NO_CIPHERS_AVAILABLE|NO_SUITABLE/;

/**
 * One handshake at exactly `version`, certificate not checked (that is `tls-certificate`'s job). Legacy versions need
 * OpenSSL security level 0: from OpenSSL 3 on, level 1 forbids the SHA-1 signatures TLS 1.0 and 1.1 use
 * (https://docs.openssl.org/3.0/man3/SSL_CTX_set_security_level/), so without it the client itself would abort the
 * handshake after the server accepted, which would read as a refusal.
 */
function handshake(url: URL, version: Version, timeoutSeconds: number, to?: Resolve): Promise<Handshake> {
    return new Promise((resolve) => {
        const target = connectTo(url, to);
        const raw = net.connect({ host: target.host, port: target.port });
        let connected = false;
        raw.once("connect", () => (connected = true));
        const socket = tls.connect({
            socket: raw,
            servername: serverName(url),
            minVersion: version,
            maxVersion: version,
            ciphers: version === "TLSv1.2" ? undefined : "DEFAULT@SECLEVEL=0",
            rejectUnauthorized: false,
        });
        const done = (result: Handshake) => {
            socket.destroy();
            raw.destroy();
            resolve(result);
        };
        socket.setTimeout(timeoutSeconds * 1000, () => done({ outcome: "failed", text: "no answer (timeout)" }));
        socket.on("secureConnect", () => done({ outcome: "accepted", text: `negotiated ${socket.getProtocol()}` }));
        socket.on("error", (error: NodeJS.ErrnoException) => {
            const code = error.code ?? "";
            if (!connected) return done({ outcome: "failed", text: `no connection (${errorText(error)})` });
            // Nothing written: the ClientHello never left, so the server was never asked.
            if (NOT_OFFERED.test(code) || raw.bytesWritten === 0) {
                done({ outcome: "not-offered", text: `the local OpenSSL would not offer it (${errorText(error)})` });
            } else if (REFUSAL.test(code) || /socket disconnected/i.test(error.message)) {
                done({ outcome: "refused", text: `refused (${code || error.message})` });
            } else {
                done({ outcome: "failed", text: errorText(error).split("\n")[0] });
            }
        });
    });
}

const LABEL: Record<Version, string> = { TLSv1: "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2" };

export async function checkTlsVersions(url: URL, timeoutSeconds: number, resolve?: Resolve): Promise<CheckResult> {
    const [v12, v10, v11] = await Promise.all(
        (["TLSv1.2", "TLSv1", "TLSv1.1"] as const).map((v) => handshake(url, v, timeoutSeconds, resolve)),
    );
    const details = [
        `${LABEL["TLSv1.2"]}: ${v12.text}`,
        `${LABEL.TLSv1}: ${v10.text}`,
        `${LABEL["TLSv1.1"]}: ${v11.text}`,
    ];
    const result = (status: CheckResult["status"], summary: string): CheckResult => ({
        check: "tls-versions",
        status,
        summary,
        details,
    });
    if (v12.outcome !== "accepted") return result("FAIL", `TLS 1.2 does not work: ${v12.text}`);
    const legacy = [
        [LABEL.TLSv1, v10],
        [LABEL["TLSv1.1"], v11],
    ] as const;
    const accepted = legacy.filter(([, h]) => h.outcome === "accepted" || h.outcome === "failed");
    if (accepted.length > 0) {
        return result(
            "FAIL",
            accepted.map(([label, h]) => `${label} not refused: ${h.text}`).join("; ") +
                " (the SSL policy's minimum must be TLS_1_2)",
        );
    }
    const untested = legacy.filter(([, h]) => h.outcome === "not-offered");
    if (untested.length > 0) {
        return result(
            "SKIP",
            `TLS 1.2 works; ${untested.map(([label]) => label).join(" and ")} not tested: ${untested[0][1].text}`,
        );
    }
    return result("PASS", "TLS 1.2 works; TLS 1.0 and 1.1 refused");
}

/** The certificate as a client with the system's trust store (plus `ca`) sees it. */
export function checkCertificate(
    url: URL,
    options: { insecure?: boolean; ca?: string; timeoutSeconds: number; resolve?: Resolve },
): Promise<CheckResult> {
    return new Promise((resolve) => {
        const host = url.hostname.replace(/^\[|\]$/g, "");
        const target = connectTo(url, options.resolve);
        const socket = tls.connect({
            host: target.host,
            port: target.port,
            servername: serverName(url),
            ca: options.ca,
            rejectUnauthorized: false,
        });
        const done = (status: CheckResult["status"], summary: string, details: string[] = []) => {
            socket.destroy();
            resolve({ check: "tls-certificate", status, summary, details });
        };
        socket.setTimeout(options.timeoutSeconds * 1000, () => done("FAIL", "no TLS answer (timeout)"));
        socket.on("error", (error) => done("FAIL", `no TLS handshake: ${errorText(error)}`));
        socket.on("secureConnect", () => {
            const cert = socket.getPeerCertificate();
            const who = `subject ${cert.subject?.CN ?? "?"}, issuer ${cert.issuer?.CN ?? "?"}, valid until ${cert.valid_to}`;
            // rejectUnauthorized: false, then the same checks a client makes: chain, validity, and the name.
            const problem = socket.authorizationError
                ? String(socket.authorizationError)
                : tls.checkServerIdentity(host, cert)?.message;
            if (!problem) return done("PASS", `trusted, and valid for ${host} (${who})`);
            if (options.insecure) {
                return done("SKIP", `--insecure: not checked; a client would refuse it: ${problem} (${who})`);
            }
            done("FAIL", `clients will refuse it: ${problem} (${who}); a self-signed dev certificate needs --insecure`);
        });
    });
}
