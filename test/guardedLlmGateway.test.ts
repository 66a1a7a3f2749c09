import * as assert from "assert";
import { GuardedLlmGateway } from "../components/guardedLlmGateway";
import { GuardedLlmGatewayArgs } from "../components/guardedLlmGatewayArgs";
import { MAX_EXTENSION_CHAINS, ModelArmorTrafficExtension } from "../components/modelArmorTrafficExtension";
import { EXTENSION_METADATA_LIMIT, MODEL_ARMOR_SETTINGS_KEY } from "../components/pure/modelArmorSettings";
import { TYPES } from "../components/pure/resourceTypes";
import { PROBE_PATHS, routedHosts, routeTable } from "../components/pure/routeTable";
import { conditionMatches, parseCondition, serviceChainCel } from "../components/pure/screeningCel";
import { routeRequest } from "../components/pure/urlMapRouter";
import { runPolicies } from "../tools/policyRunner";
import { renderPlan } from "../tools/renderPlan";
import { renderRoutes } from "../tools/routeReport";
import { RecordedResource } from "../tools/mockRuntime";
import { assertProblems, envOf, record, Recorded, refusal, shippedPlan } from "./harness";

const FLEET_HOSTS = ["chat.llm.example.com", "coder.llm.example.com"];
const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const fleet = async () => (await shippedPlan("fleet")).resources;

/** The chain of `extension` that screens a request first, by name; undefined when none selects it. */
function chainFor(extension: RecordedResource, request: { path: string; host?: string; backendService?: string }) {
    const chains: { name: string; matchCondition: { celExpression: string } }[] = extension.inputs.extensionChains;
    return chains.find((chain) => conditionMatches(parseCondition(chain.matchCondition.celExpression)!, request))?.name;
}

/** A copy of `resources` with `change` applied to the inputs of the traffic extension. */
function withExtension(resources: RecordedResource[], change: (inputs: any) => void): RecordedResource[] {
    const copy: RecordedResource[] = JSON.parse(JSON.stringify(resources));
    change(copy.find((r) => r.type === TYPES.trafficExtension)!.inputs);
    return copy;
}

/** Two services by host on one self-signed load balancer: the smallest valid gateway. */
const TWO: GuardedLlmGatewayArgs = {
    region: "us-central1",
    access: { mode: "iap", accessors: ["group:llm@example.com"] },
    loadBalancer: { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "self-signed" } },
    services: {
        chat: { host: "chat.example.com", models: ["gemma3:4b"] },
        coder: { host: "coder.example.com", models: ["qwen2.5-coder:7b"], modelArmor: { preset: "strict" } },
    },
};
const gateway =
    (args: Partial<GuardedLlmGatewayArgs> = {}) =>
    () =>
        new GuardedLlmGateway("gw", { ...TWO, ...args } as GuardedLlmGatewayArgs);

describe("GuardedLlmGateway", () => {
    describe("the fleet stack", () => {
        it("builds ONE address, certificate, proxy-only subnet, URL map, HTTPS rule and extension, and a service on its own GPU per model", async () => {
            const resources = await fleet();
            for (const type of [
                TYPES.address,
                TYPES.certificateManagerCertificate,
                TYPES.subnetwork,
                TYPES.trafficExtension,
                TYPES.bucket,
            ]) {
                assert.strictEqual(ofType(resources, type).length, 1, type);
            }
            assert.deepStrictEqual(
                ofType(resources, TYPES.certificateManagerCertificate)[0].inputs.managed.domains,
                FLEET_HOSTS,
            );
            const services = ofType(resources, TYPES.cloudRunService);
            assert.deepStrictEqual(
                services.map((s) => [s.name, s.inputs.template.nodeSelector.accelerator]),
                [
                    ["fleet-chat", "nvidia-l4"],
                    ["fleet-coder", "nvidia-rtx-pro-6000"],
                ],
            );
            assert.strictEqual(ofType(resources, TYPES.backendService).length, 2);
            // The allowlist's URL map and HTTPS rule; the other map and rule redirect port 80 to HTTPS.
            assert.deepStrictEqual(
                ofType(resources, TYPES.forwardingRule)
                    .map((r) => r.inputs.portRange)
                    .sort(),
                ["443", "80"],
            );
        });

        it("holds one chain per service, each with that service's models and templates inside the metadata budget", async () => {
            const extension = ofType(await fleet(), TYPES.trafficExtension)[0];
            const chains = extension.inputs.extensionChains;
            assert.deepStrictEqual(
                chains.map((c: { name: string }) => c.name),
                ["chat", "coder"],
            );
            const settings = chains.map((c: any) => c.extensions[0].metadata[MODEL_ARMOR_SETTINGS_KEY]);
            const entries = settings.map((text: string) => JSON.parse(text));
            assert.deepStrictEqual(
                entries.map((e: { model: string }[]) => e.map((entry) => entry.model)),
                // The last chain also names the other services' models, which its metadata has room for.
                [
                    ["gemma3:4b", "default"],
                    ["gemma3:4b", "qwen2.5-coder:32b", "default"],
                ],
            );
            assert.match(entries[0][0].user_prompt_template_id, /\/templates\/fleet-armor-prompt$/);
            assert.match(entries[1][0].user_prompt_template_id, /\/templates\/fleet-coder-armor-prompt$/);
            for (const text of settings) {
                assert.ok(MODEL_ARMOR_SETTINGS_KEY.length + Buffer.byteLength(text) < EXTENSION_METADATA_LIMIT);
            }
        });

        it("screens every request routed to a service with that service's chain, however the Host is spelled", async () => {
            const resources = await fleet();
            const urlMap = ofType(resources, TYPES.urlMap).find((r) => r.name === "fleet-lb-url-map")!.inputs;
            const extension = ofType(resources, TYPES.trafficExtension)[0];
            assert.deepStrictEqual(routedHosts(urlMap), FLEET_HOSTS);
            for (const host of FLEET_HOSTS) {
                const service = host.split(".")[0];
                const routed = routeTable(urlMap, PROBE_PATHS, host).filter((row) => row.reachesOllama);
                assert.deepStrictEqual(
                    routed.map((row) => row.path),
                    ["/v1/chat/completions", "/v1/completions", "/v1/models"],
                );
                for (const row of routed) {
                    assert.ok(
                        row.route.kind === "backend" && row.route.service.endsWith(`/fleet-lb-${service}-backend`),
                    );
                    const backendService = `fleet-lb-${service}-backend`;
                    assert.strictEqual(chainFor(extension, { path: row.path, host, backendService }), service);
                    // Without the backend attribute (its spelling is unconfirmed), the host alone picks the chain.
                    assert.strictEqual(chainFor(extension, { path: row.path, host }), service);
                    // However the client spells the Host, in any case and with a port, its service's chain.
                    for (const spelling of [host.toUpperCase(), `${host}:443`, `${host}.`]) {
                        assert.strictEqual(chainFor(extension, { path: row.path, host: spelling }), service);
                    }
                    // A request no earlier chain recognises still meets the last one, never none.
                    assert.strictEqual(chainFor(extension, { path: row.path, host: "other.example.com" }), "coder");
                }
            }
            assert.strictEqual(routeRequest(urlMap, "/v1/chat/completions").kind, "refused", "no Host: refused");
            assert.strictEqual(routeRequest(urlMap, "/v1/chat/completions", "other.example.com").kind, "refused");
        });

        it("plans each service, and a route table per host that names the chain screening each row", async () => {
            const lines = renderPlan(await shippedPlan("fleet")).split("\n");
            const at = lines.indexOf("Services (2, one load balancer, one traffic extension with a chain each):");
            assert.ok(at >= 0, "a Services section");
            assert.match(
                lines[at + 1],
                /^ {2}chat +https:\/\/chat\.llm\.example\.com +nvidia-l4 +models gemma3:4b +templates fleet-armor-prompt \/ fleet-armor-response$/,
            );
            assert.match(
                lines[at + 2],
                /^ {2}coder +https:\/\/coder\.llm\.example\.com +nvidia-rtx-pro-6000 +models qwen2\.5-coder:32b /,
            );
            assert.ok(lines.includes("  any other host, or the IP address: refused 404"));
            for (const host of FLEET_HOSTS) {
                const service = host.split(".")[0];
                const table = lines.indexOf(`  Host ${host}:`);
                assert.ok(table >= 0, `a route table for ${host}`);
                const templates = service === "chat" ? "fleet-armor" : "fleet-coder-armor";
                assert.match(
                    lines[table + 1],
                    new RegExp(
                        `^ {4}/v1/chat/completions +-> fleet-lb-${service}-backend +screened by chain ${service}: prompts by ${templates}-prompt, responses by ${templates}-response \\(non-streaming only\\)$`,
                    ),
                );
            }
        });

        it("exports each service and an A record per host, all pointing at the one address", async () => {
            const { outputs } = await shippedPlan("fleet");
            const services = outputs.services as Record<string, Record<string, unknown>>;
            assert.deepStrictEqual(
                Object.entries(services).map(([name, s]) => [name, s.url, s.host, s.gpuType, s.models, s.serviceName]),
                [
                    [
                        "chat",
                        "https://chat.llm.example.com",
                        "chat.llm.example.com",
                        "nvidia-l4",
                        ["gemma3:4b"],
                        "fleet-chat",
                    ],
                    [
                        "coder",
                        "https://coder.llm.example.com",
                        "coder.llm.example.com",
                        "nvidia-rtx-pro-6000",
                        ["qwen2.5-coder:32b"],
                        "fleet-coder",
                    ],
                ],
            );
            const records = outputs.dnsRecords as { name: string; type: string; data: string }[];
            assert.deepStrictEqual(
                records.filter((r) => r.type === "A"),
                FLEET_HOSTS.map((host) => ({ name: `${host}.`, type: "A", data: outputs.ipAddress })),
            );
        });

        it("passes the policy pack, which proves every routed request of every service passes its own chain", async () => {
            assert.deepStrictEqual(
                runPolicies(await fleet()).filter((v) => v.enforcementLevel === "mandatory"),
                [],
            );
        });

        it("has the pack report a chain that takes another service's requests, or one that lets a service's requests skip", async () => {
            const resources = await fleet();
            const broadened = withExtension(resources, (inputs) => {
                inputs.extensionChains[0].matchCondition.celExpression = serviceChainCel({
                    backendService: "fleet-lb-coder-backend",
                    host: "chat.llm.example.com",
                    paths: ["/v1/chat/completions"],
                });
            });
            const messages = runPolicies(broadened)
                .filter((v) => v.policyName === "model-armor-screens-routed-paths")
                .map((v) => v.message);
            assert.ok(
                messages.some((m) =>
                    /routes \/v1\/completions \(Host: chat\.llm\.example\.com\) to backend service fleet-lb-chat-backend.*different Model Armor chains|sends requests to backend service .*fleet-lb-chat-backend/.test(
                        m,
                    ),
                ),
                messages.join("\n"),
            );
            assert.ok(
                messages.some((m) =>
                    /routes \/v1\/chat\/completions \(Host: coder\.llm\.example\.com\) to backend service fleet-lb-coder-backend, whose chain is extensionChains\[0\], but extensionChains\[0\]|whose chain is/.test(
                        m,
                    ),
                ),
                messages.join("\n"),
            );
            const narrowed = withExtension(resources, (inputs) => {
                inputs.extensionChains[1].matchCondition.celExpression = 'request.path == "/v1/chat/completions"';
            });
            const skipped = runPolicies(narrowed).filter((v) => v.policyName === "model-armor-screens-routed-paths");
            assert.match(
                skipped[0].message,
                /^URL map fleet-lb-url-map routes \/v1\/completions \(Host: coder\.llm\.example\.com\), \/v1\/models \(Host: coder\.llm\.example\.com\) to a backend, but none of the Model Armor chains of fleet-armor-ext matches them/,
            );
        });
    });

    describe("routing by path prefix, as an explicit choice", () => {
        it("rewrites /<prefix>/v1/... to /v1/... for its service, refuses unprefixed paths, and screens both spellings with the service's chain", async () => {
            const { resources, warnings } = await record(
                gateway({
                    services: {
                        chat: { pathPrefix: "/chat", models: ["gemma3:4b"] },
                        coder: { pathPrefix: "/coder", models: ["qwen2.5-coder:7b"] },
                    },
                    allowUnconfirmedPathScreening: true,
                }),
            );
            const urlMap = resources.one(TYPES.urlMap).inputs;
            const extension = resources.one(TYPES.trafficExtension);
            const route = routeRequest(urlMap, "/coder/v1/chat/completions");
            assert.ok(route.kind === "backend" && route.service.endsWith("/backendServices/gw-lb-coder-backend"));
            assert.strictEqual(route.rewrittenPath, "/v1/chat/completions");
            assert.strictEqual(routeRequest(urlMap, "/v1/chat/completions").kind, "refused");
            assert.strictEqual(chainFor(extension, { path: "/coder/v1/chat/completions" }), "coder");
            assert.strictEqual(chainFor(extension, { path: "/chat/v1/chat/completions" }), "chat");
            assert.strictEqual(
                chainFor(extension, { path: "/v1/chat/completions", backendService: "gw-lb-chat-backend" }),
                "chat",
                "after the rewrite, the backend picks the chain",
            );
            assert.strictEqual(chainFor(extension, { path: "/v1/chat/completions" }), "coder", "else the last chain");
            // The plan does not call a rewritten route screened: which path Model Armor reads is unconfirmed.
            const routes = renderRoutes(resources.all);
            assert.ok(
                routes.some((l) =>
                    /^ {2}\/coder\/v1\/chat\/completions +-> gw-lb-coder-backend as \/v1\/chat\/completions +screening UNCONFIRMED \(Model Armor may not recognise this path\) by chain coder: /.test(
                        l,
                    ),
                ),
                routes.join("\n"),
            );
            assert.ok(routes.some((l) => /^ {2}\/v1\/chat\/completions +refused 404$/.test(l)));
            assert.ok(
                warnings.some((w) => w.startsWith("services route by pathPrefix: whether Model Armor recognises")),
            );
            assert.deepStrictEqual(
                runPolicies(resources.all).filter((v) => v.enforcementLevel === "mandatory"),
                [],
            );
        });
    });

    describe("each service's own", () => {
        it("shares the gateway's templates unless a service sets a template key; screening options fall back key by key", async () => {
            const { resources } = await record(
                gateway({
                    modelArmor: { timeout: "500ms" },
                    services: {
                        chat: { host: "chat.example.com", modelArmor: { failOpen: false } },
                        coder: { host: "coder.example.com", modelArmor: { preset: "strict", timeout: "800ms" } },
                    },
                }),
            );
            assert.deepStrictEqual(
                resources.ofType(TYPES.modelArmorTemplate).map((t) => t.inputs.templateId),
                ["gw-armor-prompt", "gw-armor-response", "gw-coder-armor-prompt", "gw-coder-armor-response"],
            );
            const chains = resources.one(TYPES.trafficExtension).inputs.extensionChains;
            assert.deepStrictEqual(
                chains.map((c: any) => c.extensions[0].timeout),
                ["0.5s", "0.8s"],
            );
        });

        it("gives each service its own bucket with modelBuckets per-service, and one shared bucket by default", async () => {
            const perService = await record(gateway({ modelBuckets: "per-service" }));
            assert.deepStrictEqual(
                perService.resources.ofType(TYPES.bucket).map((b) => b.name),
                ["gw-chat-models", "gw-coder-models"],
            );
            // Each service's accounts are granted on its own bucket only.
            const grants = perService.resources.ofType(TYPES.bucketIamMember);
            assert.strictEqual(grants.length, 4, "a run and a pull account per service");
            for (const grant of grants) {
                const service = grant.name.split("-")[1];
                assert.match(grant.inputs.bucket, new RegExp(`^gw-${service}-models`), grant.name);
            }
            const shared = await record(gateway());
            assert.deepStrictEqual(
                shared.resources.ofType(TYPES.bucket).map((b) => b.name),
                ["gw-models"],
            );
            // In one bucket, each service and its pull job keep to the service's directory: each Ollama lists and
            // loads only its own models.
            const modelsDirs = (r: Recorded) => [
                ...r.ofType(TYPES.cloudRunService).map((s) => envOf(s.inputs.template.containers[0], "OLLAMA_MODELS")),
                ...r
                    .ofType(TYPES.cloudRunJob)
                    .map((j) => envOf(j.inputs.template.template.containers[0], "OLLAMA_MODELS")),
            ];
            assert.deepStrictEqual(modelsDirs(shared.resources), [
                "/root/.ollama/models/chat",
                "/root/.ollama/models/coder",
                "/root/.ollama/models/chat",
                "/root/.ollama/models/coder",
            ]);
            assert.deepStrictEqual(modelsDirs(perService.resources), Array(4).fill("/root/.ollama/models"));
        });

        it("gives every host a private A record with access.mode internal, and needs access.dns for it", async () => {
            const internal = { mode: "internal" as const, subnet: "apps" };
            const { resources } = await record(
                gateway({ access: { ...internal, dns: { zone: "private", name: "llm.example.com." } } }),
            );
            assert.deepStrictEqual(
                resources.ofType(TYPES.dnsRecordSet).map((r) => [r.inputs.managedZone, r.inputs.name]),
                [
                    ["private", "llm.example.com."],
                    ["private", "chat.example.com."],
                    ["private", "coder.example.com."],
                ],
            );
            assertProblems(await refusal(gateway({ access: internal })), [["access.dns"]]);
        });

        it("names every host in a self-signed certificate", async () => {
            const { resources } = await record(gateway());
            assert.deepStrictEqual(resources.one(TYPES.tlsSelfSignedCert).inputs.dnsNames, [
                "internal.ai",
                "chat.example.com",
                "coder.example.com",
            ]);
        });
    });

    describe("refuses before registering anything", () => {
        const svc = (name: string) => ({ host: `${name}.example.com`, models: [`${name}:1b`] });

        it(`more than ${MAX_EXTENSION_CHAINS} services: one chain each, and an extension holds ${MAX_EXTENSION_CHAINS}`, async () => {
            const six = Object.fromEntries(["a", "b", "c", "d", "e", "f"].map((n) => [n, svc(n)]));
            assertProblems(await refusal(gateway({ services: six })), [["services", "6 services"]]);
            const five = Object.fromEntries(["a", "b", "c", "d", "e"].map((n) => [n, svc(n)]));
            const { resources } = await record(gateway({ services: five }));
            const chains = resources.one(TYPES.trafficExtension).inputs.extensionChains;
            assert.strictEqual(chains.length, 5);
            // Five services' models would overflow the last chain's metadata: it names its own service's only.
            const models = JSON.parse(chains[4].extensions[0].metadata.model_armor_settings).map(
                (entry: { model: string }) => entry.model,
            );
            assert.deepStrictEqual(models, ["e:1b", "default"]);
        });

        it("a duplicate host or model, a host the certificate does not name, prefix collisions", async () => {
            assertProblems(
                await refusal(gateway({ services: { a: svc("a"), b: { host: "a.example.com", models: ["a:1b"] } } })),
                [
                    ["services.b.host", "a.example.com"],
                    ["services.b.models[0]", "a:1b"],
                ],
            );
            assertProblems(
                await refusal(
                    gateway({
                        loadBalancer: {
                            proxySubnetCidr: "192.168.16.0/23",
                            tls: { mode: "managed", domains: ["a.example.com"] },
                        },
                        services: { a: svc("a"), b: svc("b") },
                    }),
                ),
                [["services.b.host", "b.example.com"]],
            );
            assertProblems(
                await refusal(
                    gateway({
                        services: {
                            a: { pathPrefix: "/coder" },
                            b: { pathPrefix: "/coder" },
                            c: { pathPrefix: "/api" },
                            d: { host: "d.example.com" },
                        },
                        allowUnconfirmedPathScreening: true,
                    }),
                ),
                [
                    ["services.b.pathPrefix", "/coder"],
                    ["services.c.pathPrefix", "/api"],
                    ["services.d.host", "d.example.com"],
                ],
            );
        });

        it("path routing, unless accepted: Model Armor may not recognise a prefixed OpenAI path", async () => {
            const prefixed = { chat: { pathPrefix: "/chat" }, coder: { pathPrefix: "/coder" } };
            assertProblems(await refusal(gateway({ services: prefixed })), [["services.chat.pathPrefix", "/chat"]]);
        });

        it("a chain's model_armor_settings over the metadata budget, under the service's models", async () => {
            const models = ["m1:1b", "m2:1b", "m3:1b", "m4:1b", "m5:1b"];
            assertProblems(await refusal(gateway({ services: { a: { host: "a.example.com", models } } })), [
                ["services.a.models", models],
            ]);
        });

        it("a traffic extension given more than five chains, or chains and the one chain's fields", async () => {
            const chain = (name: string) => ({
                name,
                matchCondition: "true",
                promptTemplateId: "projects/p/locations/us-central1/templates/a",
                responseTemplateId: "projects/p/locations/us-central1/templates/b",
            });
            const error = await refusal(
                () =>
                    new ModelArmorTrafficExtension("ext", {
                        region: "us-central1",
                        forwardingRuleSelfLink: "rule",
                        screenedPaths: ["/v1/chat/completions"],
                        chains: ["a", "b", "c", "d", "e", "a"].map(chain),
                    }),
            );
            assertProblems(error, [["screenedPaths"], ["chains", "6 chains"], ["chains[5].name", "a"]]);
        });
    });
});
