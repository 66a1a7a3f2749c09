/**
 * TLS of the load balancer's HTTPS proxy: the three ways to get a certificate, their checks, and the resources each
 * needs (docs/platform-facts.md#regional-load-balancer).
 */
import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { PEM_CERTIFICATE_CHAIN, PEM_PRIVATE_KEY } from "./pure/pem";
import { Problems } from "./validation";

/** A certificate generated in the program, as the article does with openssl; for development only. */
export interface SelfSignedTlsArgs {
    readonly mode: "self-signed";
}

/** A Google-managed Certificate Manager certificate, authorised by DNS records the user creates. */
export interface ManagedTlsArgs {
    readonly mode: "managed";
    /** Domains of the certificate, e.g. `["llm.example.com"]`; the first one is the endpoint URL's host. */
    readonly domains: readonly string[];
}

/** A certificate and private key the user supplies. */
export interface ProvidedTlsArgs {
    readonly mode: "provided";
    /** PEM certificate chain, leaf first. */
    readonly certificate: pulumi.Input<string>;
    /** PEM private key of the certificate; stored as a Pulumi secret. */
    readonly privateKey: pulumi.Input<string>;
}

export type TlsArgs = SelfSignedTlsArgs | ManagedTlsArgs | ProvidedTlsArgs;

/** A DNS record the user must create. */
export interface DnsRecord {
    readonly name: string;
    readonly type: string;
    readonly data: string;
}

export const TLS_MODES = ["self-signed", "managed", "provided"] as const;
const TLS_FIELDS: Record<(typeof TLS_MODES)[number], readonly string[]> = {
    "self-signed": [],
    managed: ["domains"],
    provided: ["certificate", "privateKey"],
};

/** The subject of the self-signed certificate: the article's `openssl req -subj`. */
export const SELF_SIGNED_SUBJECT = {
    country: "US",
    province: "CA",
    locality: "Mountain View",
    organization: "tech",
    organizationalUnit: "AI",
    commonName: "internal.ai",
} as const;

export const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const DOMAIN_EXPECTED = 'must be a lowercase domain name such as "llm.example.com" (no wildcards)';

export function validateTls(value: Record<string, unknown>, problems: Problems): void {
    problems.knownKeys(value, ["mode", ...Object.values(TLS_FIELDS).flat()]);
    if (!problems.oneOf("mode", value.mode, TLS_MODES)) return;
    const mode = value.mode;
    for (const [otherMode, fields] of Object.entries(TLS_FIELDS)) {
        for (const field of fields) {
            if (otherMode === mode && value[field] === undefined) {
                problems.add(field, undefined, `is required when tls.mode is "${mode}"`);
            } else if (otherMode !== mode && value[field] !== undefined) {
                problems.add(field, undefined, `applies only when tls.mode is "${otherMode}"`);
            }
        }
    }
    if (mode === "managed" && value.domains !== undefined && problems.array("domains", value.domains)) {
        if (value.domains.length === 0)
            problems.add("domains", value.domains, 'must name at least one domain, e.g. ["llm.example.com"]');
        const seen = new Set<unknown>();
        value.domains.forEach((domain, i) => {
            if (seen.has(domain)) problems.add(`domains[${i}]`, domain, "is listed twice");
            seen.add(domain);
            problems.matches(`domains[${i}]`, domain, DOMAIN_PATTERN, DOMAIN_EXPECTED);
        });
    }
    if (mode === "provided") validateProvidedPems(value.certificate, value.privateKey, problems);
}

/**
 * A provided certificate must be a PEM chain and its key a PEM private key (values known now; an Output is checked by
 * GCP). `problems` may rename the two fields (a stack reports them under its own config keys). The key is never
 * printed.
 */
export function validateProvidedPems(certificate: unknown, privateKey: unknown, problems: Problems): void {
    if (typeof certificate === "string" && !PEM_CERTIFICATE_CHAIN.test(certificate)) {
        problems.add(
            "certificate",
            undefined,
            "must be a PEM certificate chain, leaf first (-----BEGIN CERTIFICATE----- ...)",
        );
    }
    if (typeof certificate === "string" && PEM_PRIVATE_KEY.test(certificate)) {
        problems.add(
            "certificate",
            undefined,
            "holds a private key: give the certificate chain only, and the key on its own as a secret",
        );
    }
    if (typeof privateKey === "string" && !PEM_PRIVATE_KEY.test(privateKey)) {
        problems.add("privateKey", undefined, "must be a PEM private key (-----BEGIN PRIVATE KEY----- ...)");
    }
}

/** The HTTPS proxy's certificate arguments, and the DNS records that authorise a managed certificate. */
export interface ProxyCertificate {
    readonly proxyArgs: {
        sslCertificates?: pulumi.Input<string>[];
        certificateManagerCertificates?: pulumi.Input<string>[];
    };
    readonly authorizationRecords: pulumi.Input<DnsRecord[]>;
}

/** Creates the certificate of `tlsArgs.mode` under `parent`; a self-signed one also names `hosts`. */
export function proxyCertificate(
    name: string,
    tlsArgs: TlsArgs,
    region: string,
    project: pulumi.Input<string> | undefined,
    parent: pulumi.Resource,
    hosts: readonly string[] = [],
): ProxyCertificate {
    const sslCertificate = (certificate: pulumi.Input<string>, privateKey: pulumi.Input<string>) =>
        new gcp.compute.RegionSslCertificate(
            `${name}-cert`,
            // Certificates are immutable: a new one replaces the old under a new auto-generated name, created
            // before the old one is deleted, so the proxy always has one. @pulumi/gcp 9.x also marks both PEMs
            // secret itself; the explicit wrap keeps the key secret whatever the SDK does.
            { project, region, certificate, privateKey: pulumi.secret(privateKey) },
            { parent },
        );
    switch (tlsArgs.mode) {
        case "self-signed": {
            // openssl genrsa 2048; openssl req -new -x509 -days 365 -subj "/C=US/ST=CA/L=Mountain View/O=tech/OU=AI/CN=internal.ai"
            const key = new tls.PrivateKey(`${name}-tls-key`, { algorithm: "RSA", rsaBits: 2048 }, { parent });
            const cert = new tls.SelfSignedCert(
                `${name}-tls-cert`,
                {
                    privateKeyPem: key.privateKeyPem,
                    subject: SELF_SIGNED_SUBJECT,
                    // Clients check the name in subjectAltName, not the CN.
                    dnsNames: [SELF_SIGNED_SUBJECT.commonName, ...hosts],
                    validityPeriodHours: 365 * 24,
                    // A `pulumi up` in the last 30 days replaces the certificate before it expires.
                    earlyRenewalHours: 30 * 24,
                    allowedUses: ["key_encipherment", "digital_signature", "server_auth"],
                },
                { parent },
            );
            return {
                proxyArgs: { sslCertificates: [sslCertificate(cert.certPem, key.privateKeyPem).selfLink] },
                authorizationRecords: [],
            };
        }
        case "provided":
            return {
                proxyArgs: { sslCertificates: [sslCertificate(tlsArgs.certificate, tlsArgs.privateKey).selfLink] },
                authorizationRecords: [],
            };
        case "managed": {
            // Regional load balancers cannot use classic Google-managed certificates: a regional Certificate
            // Manager certificate, DNS-authorised, attached to the proxy directly (no certificate map).
            const authorizations = tlsArgs.domains.map(
                (domain, i) =>
                    new gcp.certificatemanager.DnsAuthorization(
                        `${name}-dns-auth-${i}`,
                        { project, location: region, domain, type: "PER_PROJECT_RECORD" },
                        { parent },
                    ),
            );
            const managed = new gcp.certificatemanager.Certificate(
                `${name}-cert`,
                {
                    project,
                    location: region,
                    managed: { domains: [...tlsArgs.domains], dnsAuthorizations: authorizations.map((a) => a.id) },
                },
                { parent },
            );
            return {
                proxyArgs: { certificateManagerCertificates: [managed.id] },
                authorizationRecords: pulumi
                    .all(authorizations.map((a) => a.dnsResourceRecords))
                    .apply((records) =>
                        records.flat().map(({ name: recordName, type, data }) => ({ name: recordName, type, data })),
                    ),
            };
        }
    }
}
