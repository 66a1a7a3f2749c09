// Calling an endpoint that Identity-Aware Proxy (IAP) protects, from a Node application, with a service-account JWT.
//
// Why a signed JWT rather than an OIDC ID token: IAP accepts either for programmatic access
// (https://cloud.google.com/iap/docs/authentication-howto), but an ID token must carry an OAuth client ID as its
// audience, and with the Google-managed OAuth client programmatic ID-token access is blocked until a client ID is
// allowlisted (https://cloud.google.com/iap/docs/custom-oauth-configuration). A JWT signed by a service account, whose
// `aud` is the URL being accessed, needs no OAuth client at all.
//
// Why the IAM Service Account Credentials API signs it: `signJwt` uses the service account's Google-managed key, so no
// key file is downloaded or stored (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/signJwt).
// The caller (the identity behind the access token, e.g. Application Default Credentials) needs
// roles/iam.serviceAccountTokenCreator (permission iam.serviceAccounts.signJwt) on that service account
// (https://cloud.google.com/iam/docs/creating-short-lived-service-account-credentials), and the service account needs
// roles/iap.httpsResourceAccessor on the IAP-protected backend service (https://cloud.google.com/iap/docs/managing-access).
//
// This file is for applications that call the endpoint: it imports nothing from components/, tools/, stacks/, policy/
// or test/, only node builtins and (lazily) google-auth-library.
import type { GoogleAuth } from "google-auth-library";

/** The shape of the global `fetch`, as the `openai` client's `fetch` option takes it. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Returns an OAuth 2.0 access token of the identity that calls `signJwt` (scope cloud-platform). */
export type AccessTokenSource = () => Promise<string>;

/** Which request header carries the JWT. */
export type IapHeader = "auto" | "Authorization" | "Proxy-Authorization";

export interface IapJwtSignerOptions {
    /** Email (or unique ID) of the service account the JWT is issued for: its `iss` and `sub`. */
    serviceAccount: string;
    /** Lifetime of each JWT in seconds; default and maximum 3600 (IAP rejects a JWT whose `exp` is over 1 hour after `iat`). */
    lifetimeSeconds?: number;
    /** Access token of the caller; default: Application Default Credentials through google-auth-library. */
    accessToken?: AccessTokenSource;
    /** Base URL of the IAM Service Account Credentials API; default https://iamcredentials.googleapis.com. */
    iamCredentialsUrl?: string;
    /** The fetch that calls `signJwt` (and, in `iapFetch`, the endpoint); default the global fetch. */
    fetch?: FetchLike;
    /** The clock, in milliseconds since the epoch; default Date.now. */
    now?: () => number;
}

export interface IapJwtSigner {
    readonly serviceAccount: string;
    /** A JWT for `audience` (e.g. "https://llm.example.com/*"), reused until 5 minutes before it expires. */
    getJwt(audience: string): Promise<string>;
}

export interface IapFetchOptions extends IapJwtSignerOptions {
    /**
     * The JWT's `aud`: the URL being accessed, or `https://HOST/*` for every path of the host. Default: the origin of
     * each request followed by `/*`. When set, requests to any other origin are refused rather than sent the JWT.
     */
    audience?: string;
    /**
     * "auto" (default): `Proxy-Authorization` when the request already has an `Authorization` header (the openai client
     * always sends `Authorization: Bearer <apiKey>`), else `Authorization`. IAP accepts the credential in either
     * header (https://cloud.google.com/iap/docs/authentication-howto); an explicit name always sets that header.
     */
    header?: IapHeader;
    /** A signer to share between several fetch functions (its own options then win over the ones above). */
    signer?: IapJwtSigner;
}

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
export const DEFAULT_IAM_CREDENTIALS_URL = "https://iamcredentials.googleapis.com";
/** IAP's limit on `exp - iat` for service-account JWTs (https://cloud.google.com/iap/docs/authentication-howto). */
export const MAX_JWT_LIFETIME_SECONDS = 3600;
/** A JWT is replaced this long before its `exp`, so that one in flight (or behind a slow clock) is not refused. */
export const REFRESH_MARGIN_SECONDS = 300;

const TOKEN_CREATOR_ROLE = "roles/iam.serviceAccountTokenCreator";

/**
 * Access tokens from Application Default Credentials (https://cloud.google.com/docs/authentication/application-default-credentials).
 * google-auth-library is loaded on first use, so applications that inject their own token source never load it.
 */
export function applicationDefaultAccessToken(): AccessTokenSource {
    let auth: Promise<GoogleAuth> | undefined;
    return async () => {
        auth ??= import("google-auth-library").then((lib) => new lib.GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }));
        const token = await (await auth).getAccessToken();
        if (!token) {
            throw new Error("Application Default Credentials returned no access token");
        }
        return token;
    };
}

/** Signs IAP JWTs for one service account through IAM Credentials `signJwt`, caching them per audience. */
export function iapJwtSigner(options: IapJwtSignerOptions): IapJwtSigner {
    const serviceAccount = options.serviceAccount;
    // The account is a single path segment of the signJwt URL; `@` is allowed there as is (RFC 3986 pchar).
    if (!serviceAccount || /[\s/?#%]/.test(serviceAccount)) {
        throw new Error(`iapJwtSigner: invalid service account ${JSON.stringify(serviceAccount)}`);
    }
    const lifetime = options.lifetimeSeconds ?? MAX_JWT_LIFETIME_SECONDS;
    if (!Number.isInteger(lifetime) || lifetime <= REFRESH_MARGIN_SECONDS || lifetime > MAX_JWT_LIFETIME_SECONDS) {
        throw new Error(
            `iapJwtSigner: lifetimeSeconds must be an integer in (${REFRESH_MARGIN_SECONDS}, ${MAX_JWT_LIFETIME_SECONDS}], got ${lifetime}`,
        );
    }
    const accessToken = options.accessToken ?? applicationDefaultAccessToken();
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const now = options.now ?? Date.now;
    const base = (options.iamCredentialsUrl ?? DEFAULT_IAM_CREDENTIALS_URL).replace(/\/+$/, "");
    // The `-` project wildcard is required by the API (the reference page above).
    const signJwtUrl = `${base}/v1/projects/-/serviceAccounts/${serviceAccount}:signJwt`;

    const cache = new Map<string, { jwt: string; exp: number }>();
    const inFlight = new Map<string, Promise<string>>();

    async function sign(audience: string): Promise<string> {
        const iat = Math.floor(now() / 1000);
        const exp = iat + lifetime;
        const claims = { iss: serviceAccount, sub: serviceAccount, aud: audience, iat, exp };
        const token = await accessToken();
        let response: Response;
        try {
            response = await fetchImpl(signJwtUrl, {
                method: "POST",
                headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
                // signJwt takes the claims as a JSON string, not as an object.
                body: JSON.stringify({ payload: JSON.stringify(claims) }),
            });
        } catch (err) {
            throw new Error(`signJwt for ${serviceAccount} could not be sent: ${(err as Error).message}`);
        }
        const text = await response.text();
        if (!response.ok) {
            throw signJwtError(serviceAccount, response.status, text);
        }
        let signedJwt: unknown;
        try {
            signedJwt = JSON.parse(text).signedJwt;
        } catch {
            signedJwt = undefined;
        }
        if (typeof signedJwt !== "string" || signedJwt.split(".").length !== 3) {
            throw new Error(`signJwt for ${serviceAccount} answered without a signedJwt: ${text.slice(0, 200)}`);
        }
        cache.set(audience, { jwt: signedJwt, exp });
        return signedJwt;
    }

    return {
        serviceAccount,
        getJwt(audience: string): Promise<string> {
            const cached = cache.get(audience);
            if (cached && now() / 1000 < cached.exp - REFRESH_MARGIN_SECONDS) {
                return Promise.resolve(cached.jwt);
            }
            // Concurrent callers share one signing; a failure is not cached, so the next call tries again.
            let pending = inFlight.get(audience);
            if (!pending) {
                pending = sign(audience).finally(() => inFlight.delete(audience));
                inFlight.set(audience, pending);
            }
            return pending;
        },
    };
}

function signJwtError(serviceAccount: string, status: number, body: string): Error {
    let detail = body.slice(0, 300);
    try {
        const error = JSON.parse(body).error;
        if (error?.message) {
            detail = `${error.status ?? status}: ${error.message}`;
        }
    } catch {
        // Not Google's JSON error shape: keep the raw text.
    }
    if (status === 401 || status === 403) {
        return new Error(
            `signJwt for ${serviceAccount} was refused (HTTP ${status}, ${detail}). The caller needs ` +
                `${TOKEN_CREATOR_ROLE} (iam.serviceAccounts.signJwt) on ${serviceAccount}, and the IAM Service ` +
                `Account Credentials API (iamcredentials.googleapis.com) must be enabled in the caller's project.`,
        );
    }
    return new Error(`signJwt for ${serviceAccount} failed (HTTP ${status}, ${detail})`);
}

function requestUrl(input: string | URL | Request): URL {
    if (typeof input === "string") {
        return new URL(input);
    }
    return input instanceof URL ? input : new URL(input.url);
}

/**
 * A `fetch` that authenticates every request to IAP with a service-account JWT, e.g.
 * `new OpenAI({ baseURL: "https://llm.example.com/v1", apiKey: "unused", fetch: iapFetch({ serviceAccount }) })`.
 */
export function iapFetch(options: IapFetchOptions): FetchLike {
    const signer = options.signer ?? iapJwtSigner(options);
    const forward = options.fetch ?? globalThis.fetch;
    const mode = options.header ?? "auto";
    const fixedOrigin = options.audience ? new URL(options.audience.replace(/\*$/, "")).origin : undefined;

    return async (input, init) => {
        const url = requestUrl(input);
        if (fixedOrigin && url.origin !== fixedOrigin) {
            // Sending the JWT elsewhere would leak a bearer credential (and IAP would refuse it anyway).
            throw new Error(`iapFetch: ${url.origin} is not covered by the audience ${options.audience}`);
        }
        const audience = options.audience ?? `${url.origin}/*`;
        const jwt = await signer.getJwt(audience);
        // As in fetch itself, init's headers replace (not merge with) a Request's own.
        const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
        const name = mode === "auto" ? (headers.has("Authorization") ? "Proxy-Authorization" : "Authorization") : mode;
        headers.set(name, `Bearer ${jwt}`);
        return forward(input, { ...init, headers });
    };
}
