// client/iap.ts against a fake server on 127.0.0.1 that plays both the IAM Service Account Credentials `signJwt`
// endpoint and the IAP-protected endpoint (here an OpenAI-compatible chat API). Nothing leaves loopback.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { builtinModules } from "module";
import * as path from "path";
import OpenAI from "openai";
import { iapFetch, iapJwtSigner, MAX_JWT_LIFETIME_SECONDS, REFRESH_MARGIN_SECONDS } from "../client";

const SA = "caller@p.iam.gserviceaccount.com";
const DENIED_SA = "denied@p.iam.gserviceaccount.com";
const ACCESS_TOKEN = "ya29.test-access-token";
const T0 = 1_700_000_000_000;

interface Seen {
    authorization?: string;
    proxyAuthorization?: string;
    path: string;
}

const b64url = (text: string) => Buffer.from(text).toString("base64url");
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

describe("IAP client (client/iap.ts)", () => {
    let server: http.Server;
    let base: string;
    let signRequests: { path: string; claims: any }[];
    let seen: Seen[];
    const issued = new Set<string>();

    before(async () => {
        server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => {
                const reply = (status: number, json: unknown) => {
                    res.writeHead(status, { "Content-Type": "application/json" });
                    res.end(JSON.stringify(json));
                };
                const url = req.url ?? "";
                const sign = /^\/v1\/projects\/-\/serviceAccounts\/([^/]+):signJwt$/.exec(url);
                if (sign) {
                    // The IAM Service Account Credentials API.
                    if (req.method !== "POST" || req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
                        return reply(401, { error: { code: 401, status: "UNAUTHENTICATED", message: "no token" } });
                    }
                    if (sign[1] === DENIED_SA) {
                        return reply(403, {
                            error: {
                                code: 403,
                                status: "PERMISSION_DENIED",
                                message:
                                    "Permission 'iam.serviceAccounts.signJwt' denied on resource (or it may not exist).",
                            },
                        });
                    }
                    const payload = JSON.parse(body).payload;
                    assert.strictEqual(typeof payload, "string", "signJwt takes the claims as a JSON string");
                    signRequests.push({ path: url, claims: JSON.parse(payload) });
                    const signedJwt = `${b64url('{"alg":"RS256","typ":"JWT"}')}.${b64url(payload)}.sig${issued.size}`;
                    issued.add(signedJwt);
                    return reply(200, { keyId: "key-1", signedJwt });
                }
                // The IAP-protected endpoint.
                const authorization = req.headers.authorization;
                const proxyAuthorization = req.headers["proxy-authorization"];
                seen.push({ authorization, proxyAuthorization, path: url });
                const credential = (proxyAuthorization ?? authorization ?? "").replace(/^Bearer /, "");
                if (!issued.has(credential)) {
                    return reply(401, { error: "IAP: invalid JWT" });
                }
                if (url === "/v1/chat/completions" && req.method === "POST") {
                    const request = JSON.parse(body);
                    return reply(200, {
                        id: "chatcmpl-1",
                        object: "chat.completion",
                        created: 1,
                        model: request.model,
                        choices: [
                            {
                                index: 0,
                                message: { role: "assistant", content: "pong" },
                                finish_reason: "stop",
                                logprobs: null,
                            },
                        ],
                        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
                    });
                }
                return reply(200, { ok: true });
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });

    after(async () => {
        // Keep-alive connections of the global fetch would otherwise hold close() open.
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
    });

    beforeEach(() => {
        signRequests = [];
        seen = [];
    });

    const fakeToken = async () => ACCESS_TOKEN;

    it("signs the IAP claims through signJwt and sends the JWT as Authorization when that header is free", async () => {
        const fetch = iapFetch({ serviceAccount: SA, accessToken: fakeToken, iamCredentialsUrl: base, now: () => T0 });
        const response = await fetch(`${base}/v1/models`);
        assert.strictEqual(response.status, 200);
        assert.deepStrictEqual(await response.json(), { ok: true });

        assert.strictEqual(signRequests.length, 1);
        assert.strictEqual(signRequests[0].path, `/v1/projects/-/serviceAccounts/${SA}:signJwt`);
        assert.strictEqual(seen.length, 1);
        assert.strictEqual(seen[0].proxyAuthorization, undefined);
        const claims = claimsOf(seen[0].authorization!.replace(/^Bearer /, ""));
        assert.deepStrictEqual(claims, signRequests[0].claims);
        assert.strictEqual(claims.iss, SA);
        assert.strictEqual(claims.sub, SA);
        assert.strictEqual(claims.aud, `${base}/*`, "the audience defaults to the request's origin and /*");
        assert.strictEqual(claims.iat, T0 / 1000);
        assert.ok(claims.exp > claims.iat && claims.exp <= claims.iat + 3600, "IAP allows at most 1 hour");
        assert.strictEqual(claims.exp, claims.iat + MAX_JWT_LIFETIME_SECONDS);
    });

    it("reuses one JWT across calls, and concurrent callers share one signing", async () => {
        const fetch = iapFetch({ serviceAccount: SA, accessToken: fakeToken, iamCredentialsUrl: base, now: () => T0 });
        await fetch(`${base}/a`);
        await fetch(`${base}/b`);
        await Promise.all([fetch(`${base}/c`), fetch(`${base}/d`), fetch(`${base}/e`)]);
        assert.strictEqual(signRequests.length, 1);
        assert.strictEqual(new Set(seen.map((s) => s.authorization)).size, 1);

        const signer = iapJwtSigner({ serviceAccount: SA, accessToken: fakeToken, iamCredentialsUrl: base });
        const jwts = await Promise.all([signer.getJwt("https://x.test/*"), signer.getJwt("https://x.test/*")]);
        assert.strictEqual(jwts[0], jwts[1]);
        await signer.getJwt("https://y.test/*");
        assert.strictEqual(signRequests.length, 3, "one signing per audience");
    });

    it("signs a new JWT 5 minutes before the old one expires", async () => {
        let clock = T0;
        const signer = iapJwtSigner({
            serviceAccount: SA,
            accessToken: fakeToken,
            iamCredentialsUrl: base,
            now: () => clock,
            lifetimeSeconds: 1800,
        });
        const first = await signer.getJwt(`${base}/*`);
        assert.strictEqual(claimsOf(first).exp, T0 / 1000 + 1800);
        clock = T0 + (1800 - REFRESH_MARGIN_SECONDS - 1) * 1000;
        assert.strictEqual(await signer.getJwt(`${base}/*`), first);
        clock += 1000;
        const second = await signer.getJwt(`${base}/*`);
        assert.notStrictEqual(second, first);
        assert.strictEqual(claimsOf(second).iat, clock / 1000);
        assert.strictEqual(signRequests.length, 2);
    });

    it("uses Proxy-Authorization when Authorization is taken, unless told otherwise", async () => {
        const options = { serviceAccount: SA, accessToken: fakeToken, iamCredentialsUrl: base, now: () => T0 };
        const auto = iapFetch(options);
        assert.strictEqual((await auto(`${base}/x`, { headers: { Authorization: "Bearer app-key" } })).status, 200);
        assert.strictEqual(seen[0].authorization, "Bearer app-key", "the application's own header is kept");
        assert.ok(issued.has(seen[0].proxyAuthorization!.replace(/^Bearer /, "")));

        // A Request's own headers count too.
        await auto(new Request(`${base}/y`, { headers: { authorization: "Bearer app-key" } }));
        assert.strictEqual(seen[1].authorization, "Bearer app-key");
        assert.ok(seen[1].proxyAuthorization?.startsWith("Bearer "));

        const forced = iapFetch({ ...options, header: "Authorization" });
        await forced(`${base}/z`, { headers: { Authorization: "Bearer app-key" } });
        assert.ok(issued.has(seen[2].authorization!.replace(/^Bearer /, "")), "an explicit choice replaces it");
        assert.strictEqual(seen[2].proxyAuthorization, undefined);

        const proxy = iapFetch({ ...options, header: "Proxy-Authorization" });
        await proxy(`${base}/w`);
        assert.strictEqual(seen[3].authorization, undefined);
        assert.ok(issued.has(seen[3].proxyAuthorization!.replace(/^Bearer /, "")));
    });

    it("refuses to send the JWT to an origin outside a fixed audience", async () => {
        const fetch = iapFetch({
            serviceAccount: SA,
            accessToken: fakeToken,
            iamCredentialsUrl: base,
            audience: `${base}/*`,
        });
        await assert.rejects(fetch("http://127.0.0.2:9/"), /is not covered by the audience/);
        assert.strictEqual(signRequests.length, 0);
    });

    it("turns a signJwt 403 into an error naming the service account and the missing role", async () => {
        const fetch = iapFetch({ serviceAccount: DENIED_SA, accessToken: fakeToken, iamCredentialsUrl: base });
        await assert.rejects(fetch(`${base}/v1/models`), (err: Error) => {
            assert.match(err.message, /denied@p\.iam\.gserviceaccount\.com/);
            assert.match(err.message, /roles\/iam\.serviceAccountTokenCreator/);
            assert.match(err.message, /HTTP 403, PERMISSION_DENIED/);
            return true;
        });
        assert.strictEqual(seen.length, 0, "nothing reaches the endpoint without a JWT");

        const unauthenticated = iapJwtSigner({
            serviceAccount: SA,
            accessToken: async () => "wrong",
            iamCredentialsUrl: base,
        });
        await assert.rejects(unauthenticated.getJwt(`${base}/*`), /HTTP 401/);
    });

    it("validates its options", () => {
        assert.throws(() => iapJwtSigner({ serviceAccount: SA, lifetimeSeconds: 3601 }), /lifetimeSeconds/);
        assert.throws(() => iapJwtSigner({ serviceAccount: SA, lifetimeSeconds: 300 }), /lifetimeSeconds/);
        assert.throws(() => iapJwtSigner({ serviceAccount: "a/b@p" }), /invalid service account/);
    });

    it("works as the openai client's fetch, end to end", async () => {
        const client = new OpenAI({
            baseURL: `${base}/v1`,
            apiKey: "unused",
            maxRetries: 0,
            fetch: iapFetch({ serviceAccount: SA, accessToken: fakeToken, iamCredentialsUrl: base }),
        });
        const completion = await client.chat.completions.create({
            model: "gemma3:4b",
            messages: [{ role: "user", content: "ping" }],
        });
        assert.strictEqual(completion.choices[0].message.content, "pong");
        assert.strictEqual(seen.length, 1);
        assert.strictEqual(seen[0].path, "/v1/chat/completions");
        assert.strictEqual(seen[0].authorization, "Bearer unused");
        assert.strictEqual(claimsOf(seen[0].proxyAuthorization!.replace(/^Bearer /, "")).aud, `${base}/*`);
    });

    it("client/ imports only node builtins, google-auth-library and its own files", () => {
        // It ships to applications that call the endpoint: nothing from components/, tools/, stacks/, policy/, test/.
        const dir = path.join(__dirname, "..", "client");
        const allowed = new Set([...builtinModules, "google-auth-library"]);
        for (const file of fs.readdirSync(dir).filter((name) => name.endsWith(".ts"))) {
            const source = fs.readFileSync(path.join(dir, file), "utf8");
            for (const [, spec] of source.matchAll(/(?:from|import|require)\s*\(?\s*"([^"]+)"/g)) {
                const ok = spec.startsWith("node:") || allowed.has(spec) || /^\.\/[^.]/.test(spec);
                assert.ok(ok, `client/${file} imports ${spec}`);
            }
        }
    });
});
