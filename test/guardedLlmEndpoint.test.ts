import * as assert from "assert";
import { GuardedLlmEndpoint, GuardedLlmEndpointArgs } from "../components";
import { screenedPathsCel } from "../components/pure/screeningCel";
import { assertProblems, record, Recorded, refusal } from "./harness";
import { TYPES } from "../components/pure/resourceTypes";

const LOAD_BALANCER = { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "self-signed" } } as const;
const EXTENSION = TYPES.trafficExtension;

const PUBLIC = { mode: "public" } as const;
const PUBLIC_WARNING =
    "access.mode public: anyone on the internet may call the allowed paths, with no client identity; add guarded-llm:cloudArmor's source allowlist and throttle, or use iap or internal";

async function build(
    args: Partial<GuardedLlmEndpointArgs> = {},
): Promise<{ endpoint: GuardedLlmEndpoint; r: Recorded }> {
    const { result, resources } = await record(
        () =>
            new GuardedLlmEndpoint("llm", {
                region: "europe-west4",
                access: PUBLIC,
                loadBalancer: LOAD_BALANCER,
                ...args,
            }),
    );
    return { endpoint: result, r: resources };
}

describe("GuardedLlmEndpoint", () => {
    it("puts every regional resource in the one region, Model Armor's callout endpoint included", async () => {
        const { r } = await build();
        for (const res of r.all.filter((x) => x.custom)) {
            const location = res.inputs.location ?? res.inputs.region;
            if (location !== undefined) assert.strictEqual(location.toLowerCase(), "europe-west4", res.urn);
        }
        assert.strictEqual(
            r.one(EXTENSION).inputs.extensionChains[0].extensions[0].service,
            "modelarmor.europe-west4.rep.googleapis.com",
        );
    });

    it("serves the Ollama service behind the load balancer and screens its HTTPS forwarding rule", async () => {
        const { r } = await build();
        assert.strictEqual(r.one(TYPES.networkEndpointGroup).inputs.cloudRun.service, "llm-ollama");
        const https = r.one(TYPES.forwardingRule, "llm-lb-https");
        assert.deepStrictEqual(r.one(EXTENSION).inputs.forwardingRules, [
            "https://www.googleapis.com/compute/v1/projects/test-project/regions/europe-west4/forwardingRules/llm-lb-https",
        ]);
        assert.ok(r.one(EXTENSION).dependencies.includes(https.urn));
    });

    it("sends every path the URL map routes to Ollama through the callout, and names the served models", async () => {
        const { r } = await build({
            ollama: { models: ["gemma:2b"] },
            loadBalancer: { ...LOAD_BALANCER, allowedPaths: ["/v1/embeddings"], allowUnscreenedPaths: true },
        });
        const chain = r.one(EXTENSION).inputs.extensionChains[0];
        assert.strictEqual(
            chain.matchCondition.celExpression,
            screenedPathsCel(["/v1/chat/completions", "/v1/completions", "/v1/models", "/v1/embeddings"]),
        );
        const settings = JSON.parse(chain.extensions[0].metadata.model_armor_settings);
        assert.deepStrictEqual(
            settings.map((s: { model: string }) => s.model),
            ["gemma:2b", "default"],
        );
    });

    it("passes the Model Armor choices to the templates and the extension", async () => {
        const { r, endpoint } = await build({
            modelArmor: { preset: "strict", screen: "prompts", failOpen: true, timeout: "250ms" },
        });
        const callout = r.one(EXTENSION).inputs.extensionChains[0].extensions[0];
        assert.deepStrictEqual([callout.failOpen, callout.timeout], [true, "0.25s"]);
        assert.deepStrictEqual(callout.supportedEvents, ["REQUEST_HEADERS", "REQUEST_BODY", "REQUEST_TRAILERS"]);
        assert.strictEqual(endpoint.modelArmor.settings.preset, "strict");
        assert.deepStrictEqual(r.warnings, [
            PUBLIC_WARNING,
            'tls.mode self-signed: clients must trust the certificate for internal.ai explicitly or skip verification; use "managed" or "provided" in production',
            'modelArmor.screen is "prompts": Model Armor screens prompts only',
            "modelArmor.failOpen is true: when a Model Armor callout fails or times out, traffic passes UNSCREENED",
        ]);
    });

    it("warns that insecureAllowAllIngress lets the internet past the load balancer", async () => {
        const { r } = await build({ ollama: { models: ["gemma:2b"], insecureAllowAllIngress: true } });
        assert.ok(
            r.warnings.includes(
                "ollama.insecureAllowAllIngress is true: the service is reachable from the internet without the load balancer, its path allowlist or Model Armor",
            ),
            r.warnings.join("\n"),
        );
    });

    it("warns when a screened side's template has every filter off", async () => {
        const off = { raiFilters: [], piAndJailbreak: { enabled: false }, maliciousUri: false, sdp: false };
        const { r } = await build({ modelArmor: { response: off } });
        assert.deepStrictEqual(
            r.warnings.filter((w) => w.startsWith("modelArmor.")),
            ["modelArmor.response has every filter off: responses are sent to Model Armor and pass unscreened"],
        );
        const { r: promptsOnly } = await build({ modelArmor: { response: off, screen: "prompts" } });
        assert.ok(
            !promptsOnly.warnings.some((w) => w.includes("every filter off")),
            "responses are not screened at all then",
        );
    });

    it("enables the APIs first when asked, Certificate Manager only for managed TLS, and never disables them", async () => {
        const { r } = await build({
            enableApis: true,
            loadBalancer: { ...LOAD_BALANCER, tls: { mode: "managed", domains: ["llm.example.com"] } },
        });
        const apis = r.ofType(TYPES.projectService);
        // The README's list, written out: an API dropped from the code fails here.
        assert.deepStrictEqual(apis.map((a) => a.inputs.service).sort(), [
            "certificatemanager.googleapis.com",
            "cloudresourcemanager.googleapis.com",
            "compute.googleapis.com",
            "iam.googleapis.com",
            "modelarmor.googleapis.com",
            "networkservices.googleapis.com",
            "run.googleapis.com",
            "storage.googleapis.com",
        ]);
        assert.ok(apis.every((a) => a.inputs.disableOnDestroy === false));
        const service = r.one(TYPES.cloudRunService);
        for (const api of apis) assert.ok(r.dependsOn(service, api), `the service waits for ${api.inputs.service}`);
        const { r: plain } = await build({ enableApis: true });
        assert.ok(
            !plain.ofType(TYPES.projectService).some((a) => a.inputs.service === "certificatemanager.googleapis.com"),
        );
    });

    it("uses an existing model bucket without managing it", async () => {
        const { r } = await build({ existingModelBucketName: "shared-models" });
        assert.strictEqual(r.ofType(TYPES.bucket).length, 0);
        assert.strictEqual(r.one(TYPES.cloudRunService).inputs.template.volumes[0].gcs.bucket, "shared-models");
    });

    it("refuses bad args under the part they belong to, before registering anything", async () => {
        const error = await refusal(
            () =>
                new GuardedLlmEndpoint("llm", {
                    region: "us-west1",
                    access: PUBLIC,
                    loadBalancer: { proxySubnetCidr: "10.0.0.0/27", tls: { mode: "self-signed" } },
                    modelArmor: { preset: "lenient" as any },
                }),
        );
        assertProblems(error, [
            ["region", "us-west1"],
            ["loadBalancer.proxySubnetCidr", "10.0.0.0/27"],
            ["modelArmor.preset", "lenient"],
        ]);
    });
});
