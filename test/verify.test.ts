import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError } from "../tools/cli";
import { parseArgs } from "../tools/verify/args";
import { buildTargets } from "../tools/verify/options";
import { aliasesOf } from "../tools/verify/screening";
import { exitCodeOf, runTargets, runVerify } from "../tools/verify/run";
import { describeTarget, renderTable, toJson } from "../tools/verify/report";
import { ARTICLE_MESSAGE } from "../components/modelArmorPresets";
import { CHECK_NAMES, CheckResult, PROMPT_CHECKS, VerifyOptions } from "../tools/verify/types";
import { Break, FakeEndpoint, FakeEndpointOptions, FakeService, startFakeEndpoint } from "./fixtures/fakeEndpoint";
import { CliResult, runCommandHere } from "./harness";
import { verifyCommand } from "../tools/verify";

const ROOT = path.join(__dirname, "..");

/** Starts a fake for the test's duration. */
const endpoints: FakeEndpoint[] = [];
async function fake(options: FakeEndpointOptions = {}): Promise<FakeEndpoint> {
    const endpoint = await startFakeEndpoint(options);
    endpoints.push(endpoint);
    return endpoint;
}

/** Verify as a user would run it against the fake: its CA trusted, its HTTP and run.app stand-ins named. */
function verify(endpoint: FakeEndpoint, options: Partial<VerifyOptions> = {}): Promise<CheckResult[]> {
    return runVerify({
        url: endpoint.url,
        ca: endpoint.ca,
        declaredModels: ["gemma:2b"],
        access: "public",
        httpUrl: endpoint.httpUrl,
        runAppUrl: endpoint.runAppUrl,
        timeoutSeconds: 5,
        ...options,
    });
}

const failed = (results: CheckResult[]) => results.filter((r) => r.status === "FAIL").map((r) => r.check);
const result = (results: CheckResult[], check: string, service?: string) =>
    results.find((r) => r.check === check && r.service === service)!;

describe("verify (npm run verify)", () => {
    after(() => Promise.all(endpoints.map((e) => e.close())));

    it("passes a correctly guarded endpoint, and says that a public one lets anyone call", async () => {
        const results = await verify(await fake());
        assert.deepStrictEqual(failed(results), [], renderTable(results));
        assert.strictEqual(exitCodeOf(results), 0);
        const skipped = results.filter((r) => r.status === "SKIP");
        assert.deepStrictEqual(
            skipped.map((r) => r.check).filter((c) => c !== "tls-versions"),
            ["access-unauthenticated-refused", "host-variants-screened"],
        );
        assert.match(result(results, "access-unauthenticated-refused").summary, /^public: anyone may call/);
        assert.strictEqual(
            result(results, "host-variants-screened").summary,
            "reached by IP address: no host name to spell otherwise",
        );
        assert.match(result(results, "inference-works").summary, /gemma:2b answered 'hello'/);
        assert.strictEqual(
            result(results, "models-listed-per-service").summary,
            "lists every declared model (gemma:2b)",
        );
        assert.match(result(results, "prompt-blocked-model-alias").summary, /all 3 variants blocked \(403\)/);
    });

    it("checks IAP: refused without a credential, working with one", async () => {
        const endpoint = await fake({ iapToken: "iap-jwt" });
        const results = await verify(endpoint, { access: "iap", token: "iap-jwt" });
        assert.deepStrictEqual(failed(results), [], renderTable(results));
        assert.strictEqual(result(results, "access-unauthenticated-refused").status, "PASS");
        assert.match(result(results, "access-unauthenticated-refused").summary, /\(401, 401\)/);
    });

    it("fails an IAP stack whose endpoint answers without a credential", async () => {
        const results = await verify(await fake(), { access: "iap", token: "iap-jwt" });
        assert.deepStrictEqual(failed(results), ["access-unauthenticated-refused"]);
        assert.match(result(results, "access-unauthenticated-refused").summary, /answered without a credential/);
    });

    it("fails IAP that lets the Model Armor callout run before it refuses", async () => {
        // A 403 block would read as IAP's own 403 unless the template's message is known: 799 cannot.
        const promptBlock = { status: 799, message: ARTICLE_MESSAGE };
        const endpoint = await fake({ iapToken: "iap-jwt", break: "iap-after-extension", promptBlock });
        const results = await verify(endpoint, { access: "iap", token: "iap-jwt" });
        assert.deepStrictEqual(failed(results), ["access-unauthenticated-refused"]);
        assert.match(result(results, "access-unauthenticated-refused").summary, /^refused by Model Armor, not IAP/);
    });

    const BROKEN: [Break, string[], RegExp][] = [
        ["admin-path-open", ["allowlist-refuses-admin-paths"], /POST \/api\/pull -> 200/],
        ["path-decoding", ["allowlist-path-variants"], /first: POST \/v1\/chat\/completions\/ -> 400/],
        ["jailbreak-not-blocked", PROMPT_CHECKS, /not blocked: the jailbreak prompt answered 200/],
        ["query-string-bypass", ["prompt-blocked-query-string"], /^bypass: query string/],
        ["alias-bypass", ["prompt-blocked-model-alias"], /^bypass: model alias "library\/gemma:2b" answered 200/],
        ["undeclared-bypass", ["prompt-blocked-undeclared-model"], /^bypass: undeclared model .* Ollama answered 404/],
        ["streaming-bypass", ["prompt-blocked-streaming"], /^bypass: "stream": true answered 200/],
        ["completions-bypass", ["prompt-blocked-completions"], /^bypass: \/v1\/completions answered 200/],
        ["response-not-blocked", ["response-blocked"], /testsafebrowsing.* was delivered unblocked/],
    ];
    for (const [broken, checks, summary] of BROKEN) {
        it(`fails an endpoint with ${broken}, naming ${checks.length === 1 ? checks[0] : "every prompt check"}`, async () => {
            const results = await verify(await fake({ break: broken }));
            assert.deepStrictEqual(failed(results), checks, renderTable(results));
            assert.match(result(results, checks[0]).summary, summary);
            assert.strictEqual(exitCodeOf(results), 1);
        });
    }

    it("fails TLS 1.0 accepted, where the local OpenSSL can offer it", async function () {
        const results = await verify(await fake({ break: "tls-1.0-accepted" }), { checks: ["tls-versions"] });
        const tls = result(results, "tls-versions");
        if (tls.status === "SKIP") this.skip();
        assert.strictEqual(tls.status, "FAIL", tls.summary);
        assert.match(tls.summary, /TLS 1\.0 not refused: negotiated TLSv1\b/);
    });

    it("skips response screening, saying so, when the model does not repeat the URL", async () => {
        const results = await verify(await fake({ modelRepeatsUrl: false }), { checks: ["response-blocked"] });
        assert.strictEqual(result(results, "response-blocked").status, "SKIP");
        assert.match(result(results, "response-blocked").summary, /the model did not repeat the test URL/);
    });

    it("fails an untrusted certificate unless --insecure, which turns the check into a SKIP", async () => {
        const endpoint = await fake();
        const checks: VerifyOptions["checks"] = ["tls-certificate", "inference-works"];
        const strict = await verify(endpoint, { ca: undefined, checks });
        assert.deepStrictEqual(failed(strict), ["tls-certificate", "inference-works"]);
        assert.match(result(strict, "tls-certificate").summary, /clients will refuse it: .*self.signed/i);
        const insecure = await verify(endpoint, { ca: undefined, insecure: true, checks });
        assert.deepStrictEqual(
            insecure.map((r) => r.status),
            ["SKIP", "PASS"],
        );
    });

    it("expects the templates' own codes and message, and takes codes beyond 599 as blocks by default", async () => {
        const endpoint = await fake({
            promptBlock: { status: 799, message: ARTICLE_MESSAGE },
            responseBlock: { status: 798, message: ARTICLE_MESSAGE },
        });
        const checks: VerifyOptions["checks"] = ["prompt-blocked", "response-blocked"];
        const article = {
            prompt: { statuses: [799], message: ARTICLE_MESSAGE },
            response: { statuses: [798], message: ARTICLE_MESSAGE },
        };
        assert.deepStrictEqual(failed(await verify(endpoint, { ...article, checks })), []);
        assert.deepStrictEqual(failed(await verify(endpoint, { checks })), []);
        const wrong = await verify(endpoint, { prompt: { statuses: [403] }, checks });
        assert.deepStrictEqual(failed(wrong), ["prompt-blocked"]);
        assert.match(result(wrong, "prompt-blocked").summary, /answered 799, expected 403/);
    });

    it("fails an HTTP listener that serves instead of redirecting, and a run.app URL that answers", async () => {
        const results = await verify(await fake({ http: "serves", runApp: "serves" }), {
            checks: ["http-redirect", "run-app-url-disabled"],
        });
        assert.deepStrictEqual(failed(results), ["http-redirect", "run-app-url-disabled"]);
        assert.match(
            result(results, "run-app-url-disabled").summary,
            /the run.app URL answers: GET .*\/v1\/models -> 200/,
        );
    });

    it("knows the spellings Ollama reads as the same model", () => {
        assert.deepStrictEqual(aliasesOf("gemma:2b"), [
            "library/gemma:2b",
            "registry.ollama.ai/library/gemma:2b",
            "GEMMA:2B",
        ]);
        assert.deepStrictEqual(aliasesOf("gemma"), [
            "library/gemma",
            "registry.ollama.ai/library/gemma",
            "gemma:latest",
            "GEMMA",
        ]);
        assert.deepStrictEqual(aliasesOf("hf.co/org/m:q4"), ["HF.CO/ORG/M:Q4"]);
    });

    it("writes [{check, status, evidence}] for pipelines, and {service, ...} for a gateway's services", () => {
        const json = toJson([
            { check: "prompt-blocked", status: "PASS", summary: "blocked (403)", details: ["a", "b"] },
            { service: "coder", check: "prompt-blocked", status: "FAIL", summary: "not blocked", details: [] },
        ]);
        assert.deepStrictEqual(json, [
            { check: "prompt-blocked", status: "PASS", evidence: "blocked (403)\na\nb" },
            { service: "coder", check: "prompt-blocked", status: "FAIL", evidence: "not blocked" },
        ]);
    });

    it("connects where --resolve says while naming the host, and sends the Host variants to an endpoint by name", async () => {
        const endpoint = await fake();
        const port = new URL(endpoint.url).port;
        const results = await verify(endpoint, {
            url: "https://llm.verify.test",
            resolve: { "llm.verify.test": `127.0.0.1:${port}` },
            checks: ["tls-certificate", "inference-works", "host-variants-screened"],
        });
        assert.deepStrictEqual(failed(results), [], renderTable(results));
        assert.match(result(results, "tls-certificate").summary, /^trusted, and valid for llm\.verify\.test/);
        assert.strictEqual(
            result(results, "host-variants-screened").summary,
            'Host "LLM.VERIFY.TEST" and "llm.verify.test:443": blocked (403), blocked (403)',
        );
    });
});

/** The gateway fixtures: by host (IAP, chat with the article's templates) and by path prefix (public). */
const FLEET = path.join(__dirname, "fixtures", "Pulumi.fleet-verify.yaml");
const PATHS = path.join(__dirname, "fixtures", "Pulumi.paths-verify.yaml");
const ARTICLE_BLOCKS = {
    promptBlock: { status: 799, message: ARTICLE_MESSAGE },
    responseBlock: { status: 798, message: ARTICLE_MESSAGE },
};
/** The fleet fixture's services as a fake serves them; `coderModels` are what the coder service lists. */
const fleetServices = (coderModels = ["qwen2.5-coder:7b"]): FakeService[] => [
    { host: "chat.verify.test", models: ["gemma3:4b"], ...ARTICLE_BLOCKS },
    { host: "coder.verify.test", models: coderModels },
];
const PATH_SERVICES: FakeService[] = [
    { pathPrefix: "/chat", models: ["gemma3:4b"] },
    { pathPrefix: "/coder", models: ["qwen2.5-coder:7b"] },
];

describe("verify a gateway stack (guarded-llm:services)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-gateway-"));
    const endpoints: FakeEndpoint[] = [];
    after(() => Promise.all(endpoints.map((e) => e.close())));

    /**
     * Runs verify in-process as `npm run verify -- --config-file FILE ...` does, the fixtures' hosts resolved to a
     * fake started with `options`, and `flags(fake)` added.
     */
    async function verifyStack(file: string, options: FakeEndpointOptions, flags: (fake: FakeEndpoint) => string[]) {
        const endpoint = await startFakeEndpoint(options);
        endpoints.push(endpoint);
        const ca = path.join(dir, "ca.pem");
        fs.writeFileSync(ca, endpoint.ca);
        const [https, http] = [endpoint.url, endpoint.httpUrl].map((url) => new URL(url).port);
        const resolve = ["chat.verify.test", "coder.verify.test"].flatMap((host) => [
            ...["--resolve", `${host}:127.0.0.1:${https}`],
            ...["--resolve", `${host}:80:127.0.0.1:${http}`],
        ]);
        const args = ["--config-file", file, "--ca", ca, "--timeout", "5", ...resolve, ...flags(endpoint)];
        const targets = await buildTargets(parseArgs(args, ROOT));
        return { targets, results: await runTargets(targets) };
    }
    const failedIn = (results: CheckResult[]) =>
        results.filter((r) => r.status === "FAIL").map((r) => `${r.service}: ${r.check}`);

    it("checks every service at its own host, with its own models and templates, grouped by service", async () => {
        const { targets, results } = await verifyStack(
            FLEET,
            { services: fleetServices(), iapToken: "iap-jwt" },
            () => ["--token", "iap-jwt"],
        );
        assert.deepStrictEqual(
            targets.map((t) => [t.service, t.url, t.declaredModels, t.prompt?.statuses, t.httpUrl]),
            [
                ["chat", "https://chat.verify.test", ["gemma3:4b"], [799], "http://chat.verify.test"],
                ["coder", "https://coder.verify.test", ["qwen2.5-coder:7b"], [], "http://coder.verify.test"],
            ],
        );
        assert.deepStrictEqual(targets[0].otherServices, {
            coder: { models: ["qwen2.5-coder:7b"], prompt: targets[1].prompt },
        });
        assert.deepStrictEqual(failedIn(results), [], renderTable(results));
        assert.strictEqual(exitCodeOf(results), 0);
        for (const service of ["chat", "coder"]) {
            assert.deepStrictEqual(
                results.filter((r) => r.service === service).map((r) => r.check),
                CHECK_NAMES,
            );
        }
        const summary = (check: string, service: string) => result(results, check, service).summary;
        assert.strictEqual(summary("prompt-blocked", "chat"), "blocked (799)");
        assert.strictEqual(summary("prompt-blocked", "coder"), "blocked (403)");
        assert.strictEqual(summary("response-blocked", "chat"), "answer blocked with 798");
        assert.strictEqual(
            summary("models-listed-per-service", "chat"),
            "lists gemma3:4b, and none of the models of services.coder",
        );
        assert.strictEqual(
            summary("host-variants-screened", "coder"),
            'Host "CODER.VERIFY.TEST" and "coder.verify.test:443": blocked (403), blocked (403)',
        );
        assert.match(summary("tls-certificate", "chat"), /^trusted, and valid for chat\.verify\.test/);
        assert.strictEqual(summary("http-redirect", "coder"), "308 to https://coder.verify.test/v1/models");
        assert.match(summary("access-unauthenticated-refused", "chat"), /^iap: refused without a credential/);
        assert.strictEqual(result(results, "run-app-url-disabled", "chat").status, "SKIP");

        const titles = Object.fromEntries(targets.map((t) => [t.service!, describeTarget(t)]));
        const lines = renderTable(results, titles).split("\n");
        // A header line per service, above its rows; each service's count below the total.
        assert.strictEqual(lines[1], "service chat: https://chat.verify.test, models gemma3:4b");
        assert.match(lines[2], /^tls-versions /);
        assert.strictEqual(
            lines[2 + CHECK_NAMES.length],
            "service coder: https://coder.verify.test, models qwen2.5-coder:7b",
        );
        assert.match(lines[lines.length - 2], /^ {2}service chat: \d+ passed, 0 failed, \d+ skipped$/);
        assert.match(lines[lines.length - 1], /^ {2}service coder: \d+ passed, 0 failed, \d+ skipped$/);
        assert.deepStrictEqual(Object.keys(toJson(results)[0]), ["service", "check", "status", "evidence"]);
    });

    it("fails the service whose /v1/models lists another service's model, and only that check", async () => {
        const { results } = await verifyStack(
            FLEET,
            { services: fleetServices(["qwen2.5-coder:7b", "gemma3:4b"]), iapToken: "iap-jwt" },
            () => ["--token", "iap-jwt"],
        );
        assert.deepStrictEqual(failedIn(results), ["coder: models-listed-per-service"], renderTable(results));
        assert.strictEqual(
            result(results, "models-listed-per-service", "coder").summary,
            "lists gemma3:4b, which services.chat declares: a model name must route to exactly one service",
        );
        assert.strictEqual(exitCodeOf(results), 1);
    });

    it("skips host-variants-screened when IAP refuses every variant: the chains were not exercised", async () => {
        const { results } = await verifyStack(
            FLEET,
            { services: fleetServices(), iapToken: "iap-jwt", iapHostBound: true },
            () => ["--token", "iap-jwt", "--check", "host-variants-screened"],
        );
        for (const service of ["chat", "coder"]) {
            const check = result(results, "host-variants-screened", service);
            assert.strictEqual(check.status, "SKIP");
            assert.match(
                check.summary,
                /: refused by IAP before Model Armor \(the credential names the host as written\)/,
            );
        }
    });

    it("fails host-variants-screened as a bypass when a Host in upper case or with :443 reaches the model", async () => {
        const { results } = await verifyStack(
            FLEET,
            { services: fleetServices(), iapToken: "iap-jwt", break: "host-variant-unscreened" },
            () => ["--token", "iap-jwt", "--check", "prompt-blocked", "--check", "host-variants-screened"],
        );
        assert.deepStrictEqual(failedIn(results), ["chat: host-variants-screened", "coder: host-variants-screened"]);
        assert.strictEqual(result(results, "prompt-blocked", "chat").status, "PASS");
        assert.strictEqual(
            result(results, "host-variants-screened", "chat").summary,
            'bypass: Host "CHAT.VERIFY.TEST" answered 200, unscreened; ' +
                'bypass: Host "chat.verify.test:443" answered 200, unscreened',
        );
    });

    it("checks each path-routed service under its prefix, and says so when the rewritten path is screened", async () => {
        const { targets, results } = await verifyStack(PATHS, { services: PATH_SERVICES }, (fake) => [
            "--url",
            fake.url,
        ]);
        assert.deepStrictEqual(
            targets.map((t) => [t.service, t.pathPrefix]),
            [
                ["chat", "/chat"],
                ["coder", "/coder"],
            ],
        );
        assert.deepStrictEqual(failedIn(results), [], renderTable(results));
        assert.strictEqual(
            result(results, "prompt-blocked", "coder").summary,
            "blocked (403), through the rewritten path /coder/v1/chat/completions: Model Armor recognises it",
        );
        assert.strictEqual(
            result(results, "host-variants-screened", "chat").summary,
            "path routing: the URL map routes by path, whatever the Host header",
        );
        const refused = result(results, "allowlist-refuses-admin-paths", "coder").details;
        assert.ok(refused.includes("POST /coder/api/pull -> 404 'fault filter abort'"));
        // The OpenAI paths without a prefix are routed to no service.
        assert.ok(refused.includes("POST /v1/chat/completions -> 404 'fault filter abort'"), refused.join("\n"));
        assert.deepStrictEqual(
            result(results, "inference-works", "chat").details[0],
            'GET /chat/v1/models -> ["gemma3:4b"]',
        );
    });

    it("fails prompt-blocked through a prefix with what it settles: Model Armor did not recognise the rewritten path", async () => {
        const { results } = await verifyStack(
            PATHS,
            { services: PATH_SERVICES, break: "rewritten-path-unscreened" },
            (fake) => ["--url", fake.url],
        );
        const screening = [...PROMPT_CHECKS, "response-blocked"];
        assert.deepStrictEqual(failedIn(results), [
            ...screening.map((c) => `chat: ${c}`),
            ...screening.map((c) => `coder: ${c}`),
        ]);
        assert.strictEqual(
            result(results, "prompt-blocked", "chat").summary,
            "not blocked: the jailbreak prompt answered 200: not blocked, through the rewritten path " +
                "/chat/v1/chat/completions: Model Armor did not recognise the OpenAI path the URL map rewrote " +
                "(docs/open-questions.md#q-rewritten-openai-path), so nothing routed by prefix is screened",
        );
        assert.strictEqual(exitCodeOf(results), 1);
    });

    it("refuses what it cannot verify as wrong usage, before any request", async () => {
        const targets = (...args: string[]) => buildTargets(parseArgs(args, ROOT));
        const usage = (message: string | RegExp) => (e: Error) =>
            e instanceof UsageError && (typeof message === "string" ? e.message === message : message.test(e.message));
        const fleet = ["--config-file", FLEET, "--token", "t"];
        await assert.rejects(
            targets(...fleet, "--service", "nosuch"),
            usage('stack fleet-verify has no service "nosuch"; its services: chat, coder'),
        );
        await assert.rejects(
            targets(...fleet, "--model", "gemma3:4b"),
            usage("--model applies to one service: add --service NAME (one of chat, coder)"),
        );
        await assert.rejects(
            targets(...fleet, "--url", "https://127.0.0.1"),
            usage(/^stack fleet-verify routes its services by host, each verified at https:\/\/<host>: drop --url/),
        );
        await assert.rejects(
            targets("--stack", "dev", "--url", "https://127.0.0.1", "--service", "chat"),
            usage(/^--service names services of a stack with guarded-llm:services/),
        );
        const chat = await targets(...fleet, "--service", "chat", "--model", "gemma3:4b");
        assert.deepStrictEqual(
            chat.map((t) => [t.service, t.model]),
            [["chat", "gemma3:4b"]],
        );
        assert.deepStrictEqual(
            parseArgs(
                [
                    "--url",
                    "https://x",
                    "--resolve",
                    "chat.verify.test:80:127.0.0.1:8080",
                    "--resolve",
                    "Coder.verify.test:[::1]",
                ],
                ROOT,
            ).resolve,
            { "chat.verify.test:80": "127.0.0.1:8080", "coder.verify.test": "[::1]" },
        );
        assert.throws(
            () => parseArgs(["--url", "https://x", "--resolve", "chat.verify.test"], ROOT),
            usage(
                '--resolve takes HOST[:PORT]:ADDRESS[:PORT], e.g. chat.llm.example.com:34.1.2.3, not "chat.verify.test"',
            ),
        );
    });
});

describe("verify CLI", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
    const jsonFile = path.join(dir, "verify.json");
    const pulumiOnPath = spawnSync("pulumi", ["version"]).error === undefined;
    // Wrong usage needs no endpoint.
    const usage: Record<string, string[]> = {
        none: [],
        unknownFlag: ["--url", "https://127.0.0.1", "--verbose"],
        unknownCheck: ["--url", "https://127.0.0.1", "--check", "prompt-blocked-everything"],
        notAnOrigin: ["--url", "https://127.0.0.1/v1"],
        noStackFile: ["--stack", "nosuch"],
    };
    let runs: Record<string, CliResult>;
    let good: FakeEndpoint;
    let broken: FakeEndpoint;
    before(async () => {
        // The dev stack's article templates: 799 and 798 with the article's message.
        good = await startFakeEndpoint({
            promptBlock: { status: 799, message: ARTICLE_MESSAGE },
            responseBlock: { status: 798, message: ARTICLE_MESSAGE },
        });
        broken = await startFakeEndpoint({ break: "admin-path-open" });
        const verify = (args: string[]) => runCommandHere(verifyCommand, args);
        const [results, devRun, brokenRun] = await Promise.all([
            Promise.all(Object.values(usage).map(verify)),
            verify(["--stack", "dev", "--url", good.url, "--insecure", "--json", jsonFile, "--timeout", "5"]),
            verify(["--url", broken.url, "--insecure", "--check", "allowlist-refuses-admin-paths"]),
        ]);
        runs = { ...Object.fromEntries(Object.keys(usage).map((name, i) => [name, results[i]])), devRun, brokenRun };
    });
    after(() => Promise.all([good.close(), broken.close()]));

    it("answers wrong usage with exit 2 and one line, no stack trace", () => {
        const expected: Record<string, RegExp> = {
            none: /^verify: give --url, or --stack/,
            unknownFlag: /^verify: unknown argument "--verbose"/,
            unknownCheck: /^verify: unknown check "prompt-blocked-everything"; checks: tls-versions, /,
            notAnOrigin: /^verify: --url takes the origin only \(https:\/\/127\.0\.0\.1\)/,
            noStackFile: /^verify: no stack file at .*Pulumi\.nosuch\.yaml/,
        };
        for (const [name, pattern] of Object.entries(expected)) {
            const run = runs[name];
            assert.strictEqual(run.status, 2, `${name}: ${run.stderr}`);
            assert.strictEqual(run.stdout, "", name);
            assert.match(run.stderr, pattern, name);
            assert.doesNotMatch(run.stderr, /\n\s+at /, name);
        }
    });

    it("refuses, as wrong usage, a stack it cannot verify: IAP without a credential, no URL without the Pulumi CLI", async () => {
        const options = (...args: string[]) => buildTargets(parseArgs(args, ROOT));
        await assert.rejects(options("--stack", "prod", "--url", "https://127.0.0.1"), {
            name: "Error",
            message: "the endpoint is behind IAP: give --token TOKEN or --iap-service-account EMAIL",
        });
        if (!pulumiOnPath) {
            await assert.rejects(
                options("--stack", "dev"),
                (e: Error) =>
                    e instanceof UsageError &&
                    /^the Pulumi CLI is not on PATH, so the endpoint URL is unknown: give --url/.test(e.message),
            );
        }
    });

    it("verifies the dev stack's promises (article codes and message) and writes the JSON, exit 0", () => {
        const run = runs.devRun;
        assert.strictEqual(run.status, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /^prompt-blocked +PASS +blocked \(799\)$/m);
        assert.match(run.stdout, /^response-blocked +PASS +answer blocked with 798$/m);
        assert.match(run.stdout, /^tls-certificate +SKIP +--insecure: not checked/m);
        assert.match(run.stdout, /^http-redirect +SKIP/m);
        const json = JSON.parse(fs.readFileSync(jsonFile, "utf8"));
        assert.deepStrictEqual(Object.keys(json[0]), ["check", "status", "evidence"]);
        assert.ok(json.every((r: { status: string }) => r.status !== "FAIL"));
    });

    it("exits 1 and names the failed check", () => {
        const run = runs.brokenRun;
        assert.strictEqual(run.status, 1, run.stderr);
        assert.match(run.stdout, /^allowlist-refuses-admin-paths +FAIL +1 of \d+ paths not refused with 404/m);
        assert.match(run.stdout, /POST \/api\/pull -> 200/);
    });
});
