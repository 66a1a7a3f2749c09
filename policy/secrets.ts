/** Private keys only where the provider keeps them secret. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { PEM_PRIVATE_KEY } from "../components/pure/pem";
import { eachString } from "../components/pure/values";
import { plain } from "./values";

/**
 * Inputs the providers themselves keep secret, where a private key belongs. Checked in the SDKs: the constructors of
 * these resources wrap the input in `pulumi.secret()` (@pulumi/gcp 9.x `compute/regionSslCertificate.js`,
 * `compute/sslcertificate.js`, `secretmanager/secretVersion.js`; @pulumi/tls 5.x `selfSignedCert.js`,
 * `certRequest.js`, `locallySignedCert.js`); `-Wo` inputs are write-only and never stored. Certificate Manager's
 * nested `selfManaged` keys cannot be wrapped by the SDK but are marked sensitive by the provider ("This property
 * is sensitive", @pulumi/gcp `types/input.d.ts`).
 */
const SECRET_KEY_FIELDS: Record<string, readonly string[]> = {
    "gcp:compute/regionSslCertificate:RegionSslCertificate": ["privateKey", "privateKeyWo"],
    "gcp:compute/sSLCertificate:SSLCertificate": ["privateKey", "privateKeyWo"],
    "gcp:secretmanager/secretVersion:SecretVersion": ["secretData", "secretDataWo"],
    "gcp:certificatemanager/certificate:Certificate": [
        "selfManaged.pemPrivateKey",
        "selfManaged.pemPrivateKeyWo",
        "selfManaged.privateKeyPem",
    ],
    "tls:index/selfSignedCert:SelfSignedCert": ["privateKeyPem", "privateKeyPemWo"],
    "tls:index/certRequest:CertRequest": ["privateKeyPem", "privateKeyPemWo"],
    "tls:index/locallySignedCert:LocallySignedCert": ["caPrivateKeyPem", "caPrivateKeyPemWo"],
};

export const noPlaintextPrivateKeys: ResourceValidationPolicy = {
    name: "no-plaintext-private-keys",
    description:
        "PEM private keys appear only in inputs the provider keeps secret (an SSL certificate's privateKey, a Secret " +
        "Manager secret version), never in environment variables, labels, metadata or descriptions.",
    enforcementLevel: "mandatory",
    // CrossGuard unwraps secrets before policies run, so whether the program wrapped a value in pulumi.secret() is
    // invisible here: a key is accepted only in a field the provider always keeps secret. The offline plan records
    // secret values as "[secret]", so a key the program passed as a secret is never seen there at all.
    validateResource: (args, report) => {
        const allowed = SECRET_KEY_FIELDS[args.type] ?? [];
        eachString(plain(args.props), (path, text) => {
            if (!PEM_PRIVATE_KEY.test(text) || allowed.includes(path)) return;
            report(
                `${path} holds a PEM private key in plain text: anyone who can read this resource's configuration ` +
                    "or the stack state can read the key. Fix: store the key in Secret Manager " +
                    "(gcp.secretmanager.SecretVersion secretData) and reference it (Cloud Run: env valueSource." +
                    "secretKeyRef); a TLS key goes only to a certificate's privateKey (guarded-llm:tlsPrivateKey, set " +
                    "with `pulumi config set --secret`, and guarded-llm:loadBalancer.tls.mode provided).",
            );
        });
    },
};

export const secretPolicies = [noPlaintextPrivateKeys];
