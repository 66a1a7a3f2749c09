import * as assert from "assert";
import { classifyOllamaPath, DEFAULT_ALLOWED_PATHS, isScreenedByModelArmor } from "../components/pure/ollamaPaths";
import { routeTable } from "../components/pure/routeTable";
import { routeRequest } from "../components/pure/urlMapRouter";

const refuse = (httpStatus: number, percentage = 100) => ({
    faultInjectionPolicy: { abort: { httpStatus, percentage } },
});

/** A URL map whose one `*` path matcher holds `matcher` (default: refuse with 404). */
function mapWith(matcher: Record<string, unknown>): Record<string, unknown> {
    return {
        defaultService: "default-bs",
        hostRules: [{ hosts: ["*"], pathMatcher: "m" }],
        pathMatchers: [{ name: "m", defaultService: "default-bs", defaultRouteAction: refuse(404), ...matcher }],
    };
}

describe("routeRequest", () => {
    it("evaluates route rules by ascending priority, not list order, and the first match wins", () => {
        const map = mapWith({
            routeRules: [
                { priority: 30, matchRules: [{ prefixMatch: "/" }], service: "catch-all" },
                { priority: 10, matchRules: [{ fullPathMatch: "/v1/models" }], service: "models" },
                { priority: 20, matchRules: [{ prefixMatch: "/v1/" }], service: "v1" },
            ],
        });
        assert.deepStrictEqual(routeRequest(map, "/v1/models"), { kind: "backend", service: "models" });
        assert.deepStrictEqual(routeRequest(map, "/v1/completions"), { kind: "backend", service: "v1" });
        assert.deepStrictEqual(routeRequest(map, "/api/pull"), { kind: "backend", service: "catch-all" });
    });

    it("matches fullPathMatch exactly, ignoring the query string, and case-sensitively unless ignoreCase", () => {
        const map = mapWith({
            routeRules: [
                { priority: 1, matchRules: [{ fullPathMatch: "/v1/models" }], service: "exact" },
                { priority: 2, matchRules: [{ fullPathMatch: "/Health", ignoreCase: true }], service: "health" },
            ],
        });
        assert.deepStrictEqual(routeRequest(map, "/v1/models?x=1#f"), { kind: "backend", service: "exact" });
        for (const path of ["/v1/models/", "/v1/models/x", "/V1/models", "/v1/model"]) {
            assert.deepStrictEqual(routeRequest(map, path), { kind: "refused", status: 404 }, path);
        }
        assert.deepStrictEqual(routeRequest(map, "/HEALTH"), { kind: "backend", service: "health" });
    });

    it("treats any one matching matchRule as a match", () => {
        const map = mapWith({
            routeRules: [{ priority: 1, matchRules: [{ fullPathMatch: "/a" }, { prefixMatch: "/b/" }], service: "s" }],
        });
        assert.strictEqual(routeRequest(map, "/b/c").kind, "backend");
        assert.strictEqual(routeRequest(map, "/a").kind, "backend");
        assert.strictEqual(routeRequest(map, "/c").kind, "refused");
    });

    it("refuses on a fault-injection abort of 100% even though the rule names a service; 0% forwards", () => {
        const map = mapWith({
            routeRules: [
                { priority: 1, matchRules: [{ prefixMatch: "/never" }], service: "s", routeAction: refuse(403, 0) },
                { priority: 2, matchRules: [{ prefixMatch: "/" }], service: "s", routeAction: refuse(403) },
            ],
        });
        assert.deepStrictEqual(routeRequest(map, "/never"), { kind: "backend", service: "s" });
        assert.deepStrictEqual(routeRequest(map, "/api/pull"), { kind: "refused", status: 403 });
    });

    it("picks the longest path rule whatever the order; /a/* matches /a/ and below, not /a", () => {
        const map = mapWith({
            pathRules: [
                { paths: ["/api/*"], service: "api" },
                { paths: ["/api/blobs/*"], service: "blobs" },
                { paths: ["/exact"], service: "exact" },
            ],
        });
        assert.deepStrictEqual(routeRequest(map, "/api/blobs/sha256-1"), { kind: "backend", service: "blobs" });
        assert.deepStrictEqual(routeRequest(map, "/api/pull"), { kind: "backend", service: "api" });
        assert.deepStrictEqual(routeRequest(map, "/api"), { kind: "refused", status: 404 });
        assert.deepStrictEqual(routeRequest(map, "/exact"), { kind: "backend", service: "exact" });
        assert.deepStrictEqual(routeRequest(map, "/exact/x"), { kind: "refused", status: 404 });
    });

    it("selects the path matcher by host: exact, then the longest wildcard, then *; no host matches only *", () => {
        const map = {
            defaultService: "no-host-rule",
            hostRules: [
                { hosts: ["*"], pathMatcher: "any" },
                { hosts: ["*.example.com"], pathMatcher: "wild" },
                { hosts: ["llm.example.com"], pathMatcher: "exact" },
            ],
            pathMatchers: ["any", "wild", "exact"].map((name) => ({ name, defaultService: name })),
        };
        assert.deepStrictEqual(routeRequest(map, "/", "LLM.example.com:443"), { kind: "backend", service: "exact" });
        assert.deepStrictEqual(routeRequest(map, "/", "x.example.com"), { kind: "backend", service: "wild" });
        assert.deepStrictEqual(routeRequest(map, "/", "other.org"), { kind: "backend", service: "any" });
        assert.deepStrictEqual(routeRequest(map, "/"), { kind: "backend", service: "any" });
        const noStar = { ...map, hostRules: map.hostRules.slice(1) };
        assert.deepStrictEqual(routeRequest(noStar, "/"), { kind: "backend", service: "no-host-rule" });
    });

    it("answers redirects with the status of redirectResponseCode (301 by default)", () => {
        const redirect = { httpsRedirect: true, stripQuery: false };
        assert.deepStrictEqual(routeRequest({ defaultUrlRedirect: redirect }, "/x"), {
            kind: "redirect",
            status: 301,
            redirect,
        });
        const permanent = { ...redirect, redirectResponseCode: "PERMANENT_REDIRECT" };
        assert.deepStrictEqual(routeRequest({ defaultUrlRedirect: permanent }, "/x"), {
            kind: "redirect",
            status: 308,
            redirect: permanent,
        });
    });

    it("forwards to a single weighted backend service", () => {
        const map = {
            defaultRouteAction: {
                weightedBackendServices: [
                    { backendService: "a", weight: 100 },
                    { backendService: "b", weight: 0 },
                ],
            },
        };
        assert.deepStrictEqual(routeRequest(map, "/"), { kind: "backend", service: "a" });
    });

    it("rewrites the matching portion of the path: all of it for fullPathMatch, the prefix for prefixMatch", () => {
        const rewrite = (matchRule: Record<string, unknown>, to: string) =>
            mapWith({
                routeRules: [
                    {
                        priority: 1,
                        matchRules: [matchRule],
                        service: "s",
                        routeAction: { urlRewrite: { pathPrefixRewrite: to } },
                    },
                ],
            });
        assert.deepStrictEqual(
            routeRequest(rewrite({ fullPathMatch: "/coder/v1/models" }, "/v1/models"), "/coder/v1/models"),
            {
                kind: "backend",
                service: "s",
                rewrittenPath: "/v1/models",
            },
        );
        assert.deepStrictEqual(routeRequest(rewrite({ prefixMatch: "/coder/" }, "/"), "/coder/v1/models?x=1"), {
            kind: "backend",
            service: "s",
            rewrittenPath: "/v1/models",
        });
    });

    it("throws on URL map features it does not model instead of guessing", () => {
        const throwsWith = (map: Record<string, unknown>, message: string) =>
            assert.throws(() => routeRequest(map, "/v1/models"), { name: "UnsupportedUrlMapError", message });
        const rule = (extra: Record<string, unknown>) =>
            mapWith({ routeRules: [{ priority: 1, service: "s", ...extra }] });
        throwsWith(
            rule({ matchRules: [{ regexMatch: "/v1/.*" }] }),
            "urlMap.pathMatchers[0].routeRules[0].matchRules[0]: sets regexMatch, which routeRequest does not model",
        );
        throwsWith(
            rule({ matchRules: [{ prefixMatch: "/", headerMatches: [{ headerName: "x", exactMatch: "y" }] }] }),
            "urlMap.pathMatchers[0].routeRules[0].matchRules[0]: sets headerMatches, which routeRequest does not model",
        );
        throwsWith(
            rule({
                matchRules: [{ prefixMatch: "/" }],
                routeAction: { urlRewrite: { pathTemplateRewrite: "/api/{x}" } },
            }),
            "urlMap.pathMatchers[0].routeRules[0].routeAction.urlRewrite: sets pathTemplateRewrite, which routeRequest does not model",
        );
        throwsWith(
            rule({ matchRules: [{ prefixMatch: "/" }], routeAction: refuse(404, 50) }),
            "urlMap.pathMatchers[0].routeRules[0].routeAction.faultInjectionPolicy.abort: aborts 50% of requests; only 0% and 100% are modelled",
        );
        throwsWith(
            {
                defaultRouteAction: {
                    weightedBackendServices: [
                        { backendService: "a", weight: 50 },
                        { backendService: "b", weight: 50 },
                    ],
                },
            },
            "urlMap.defaultRouteAction.weightedBackendServices: splits traffic between backend services; not modelled",
        );
        throwsWith(
            { defaultService: "s", somethingNew: {} },
            "urlMap: sets somethingNew, which routeRequest does not model",
        );
        throwsWith(
            mapWith({
                routeRules: [
                    { priority: 1, matchRules: [{ prefixMatch: "/" }], service: "a" },
                    { priority: 1, matchRules: [{ prefixMatch: "/" }], service: "b" },
                ],
            }),
            "urlMap.pathMatchers[0].routeRules[1]: repeats priority 1 (GCP requires distinct priorities)",
        );
        throwsWith(
            mapWith({
                routeRules: [{ priority: 1, matchRules: [{ prefixMatch: "/" }], service: "a" }],
                pathRules: [{ paths: ["/*"], service: "b" }],
            }),
            "urlMap.pathMatchers[0]: sets both routeRules and pathRules (GCP accepts only one)",
        );
        throwsWith(
            { hostRules: [{ hosts: ["*"], pathMatcher: "missing" }], pathMatchers: [] },
            'urlMap.hostRules[0]: names pathMatcher "missing", which does not exist',
        );
        throwsWith({}, "urlMap: has no defaultService, redirect or weighted backend service");
    });
});

describe("Ollama paths", () => {
    it("classifies the API per docs/platform-facts.md#ollama-api, normalising case, slashes and queries", () => {
        assert.strictEqual(classifyOllamaPath("/v1/chat/completions"), "screened-inference");
        assert.strictEqual(classifyOllamaPath("/api/generate"), "unscreened-inference");
        assert.strictEqual(classifyOllamaPath("/v1/messages"), "unscreened-inference");
        assert.strictEqual(classifyOllamaPath("/api/show"), "read-only");
        assert.strictEqual(classifyOllamaPath("/API//Pull/"), "admin");
        assert.strictEqual(classifyOllamaPath("/api/blobs/sha256-abc"), "admin");
        assert.strictEqual(classifyOllamaPath("/api/tags?x=1"), "read-only");
        assert.strictEqual(classifyOllamaPath("/debug/pprof/"), "unknown");
    });

    it("screens only the OpenAI-style inference paths, and routes only those and the model list by default", () => {
        assert.deepStrictEqual(DEFAULT_ALLOWED_PATHS, ["/v1/chat/completions", "/v1/completions", "/v1/models"]);
        assert.deepStrictEqual(DEFAULT_ALLOWED_PATHS.filter(isScreenedByModelArmor), [
            "/v1/chat/completions",
            "/v1/completions",
        ]);
        assert.strictEqual(isScreenedByModelArmor("/api/chat"), false);
    });
});

describe("routeTable", () => {
    it("lists the map's exact paths, then the default allowlist and the probes, with where each goes and whether Model Armor screens it", () => {
        const map = mapWith({
            routeRules: [
                { priority: 1, matchRules: [{ fullPathMatch: "/v1/completions" }], service: "ollama" },
                { priority: 2, matchRules: [{ fullPathMatch: "/api/tags" }], service: "ollama" },
                { priority: 3, matchRules: [{ prefixMatch: "/" }], service: "ollama", routeAction: refuse(404) },
            ],
        });
        const rows = routeTable(map, ["/api/pull", "/api/tags"]);
        assert.deepStrictEqual(
            rows.map((r) => [r.path, r.ollamaKind, r.route.kind, r.reachesOllama, r.screened]),
            [
                ["/v1/completions", "screened-inference", "backend", true, true],
                ["/api/tags", "read-only", "backend", true, false],
                ["/v1/chat/completions", "screened-inference", "refused", false, false],
                ["/v1/models", "read-only", "refused", false, false],
                ["/api/pull", "admin", "refused", false, false],
            ],
        );
    });
});
