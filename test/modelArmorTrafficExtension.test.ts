import * as assert from "assert";
import { ModelArmorTrafficExtension, ModelArmorTrafficExtensionArgs } from "../components/modelArmorTrafficExtension";
import { MOCK_PROJECT_NUMBER } from "../tools/mockRuntime";
import { assertProblems, record, Recorded, refusal } from "./harness";
import { TYPES } from "../components/pure/resourceTypes";

const EXTENSION = TYPES.trafficExtension;
const IAM = TYPES.projectIamMember;
const FORWARDING_RULE =
    "https://www.googleapis.com/compute/v1/projects/test-project/regions/us-central1/forwardingRules/https";
const PROMPT = "projects/test-project/locations/us-central1/templates/llm-prompt";
const RESPONSE = "projects/test-project/locations/us-central1/templates/llm-response";
/** The args every extension needs. */
const REQUIRED = {
    region: "us-central1",
    forwardingRuleSelfLink: FORWARDING_RULE,
    promptTemplateId: PROMPT,
    responseTemplateId: RESPONSE,
};
const AGENT = `serviceAccount:service-${MOCK_PROJECT_NUMBER}@gcp-sa-dep.iam.gserviceaccount.com`;

async function build(args: Partial<ModelArmorTrafficExtensionArgs> = {}): Promise<Recorded> {
    const { resources } = await record(
        () =>
            new ModelArmorTrafficExtension("guard", {
                region: "us-central1",
                forwardingRuleSelfLink: FORWARDING_RULE,
                promptTemplateId: PROMPT,
                responseTemplateId: RESPONSE,
                screenedPaths: ["/v1/chat/completions", "/v1/completions"],
                ...args,
            }),
    );
    return resources;
}
const extensionOf = (r: Recorded) => r.one(EXTENSION).inputs.extensionChains[0].extensions[0];

describe("ModelArmorTrafficExtension", () => {
    it("binds a regional EXTERNAL_MANAGED extension to the forwarding rule and calls the regional Model Armor endpoint", async () => {
        const r = await build();
        const inputs = r.one(EXTENSION).inputs;
        assert.strictEqual(inputs.location, "us-central1");
        assert.strictEqual(inputs.loadBalancingScheme, "EXTERNAL_MANAGED");
        assert.deepStrictEqual(inputs.forwardingRules, [FORWARDING_RULE]);
        assert.strictEqual(extensionOf(r).service, "modelarmor.us-central1.rep.googleapis.com");
        assert.strictEqual(extensionOf(r).authority, undefined);
    });

    it("screens both directions on all six events, fails closed, with a 1 s timeout by default", async () => {
        const ext = extensionOf(await build());
        assert.deepStrictEqual(ext.supportedEvents, [
            "REQUEST_HEADERS",
            "REQUEST_BODY",
            "REQUEST_TRAILERS",
            "RESPONSE_HEADERS",
            "RESPONSE_BODY",
            "RESPONSE_TRAILERS",
        ]);
        assert.strictEqual(ext.failOpen, false);
        assert.strictEqual(ext.timeout, "1s");
    });

    it("writes model_armor_settings as one JSON string naming the prompt and response templates for the default model", async () => {
        const settings = JSON.parse(extensionOf(await build()).metadata.model_armor_settings);
        assert.deepStrictEqual(settings, [
            { model: "default", user_prompt_template_id: PROMPT, model_response_template_id: RESPONSE },
        ]);
    });

    it("gives each served model one entry as declared, then default, compact enough for the metadata limit", async () => {
        const settings = JSON.parse(
            extensionOf(await build({ models: ["gemma:2b", "llama3", "phi3:latest"] })).metadata.model_armor_settings,
        );
        assert.deepStrictEqual(
            settings.map((s: { model: string }) => s.model),
            ["gemma:2b", "llama3", "phi3:latest", "default"],
        );
        for (const entry of settings) {
            assert.deepStrictEqual(entry, {
                model: entry.model,
                user_prompt_template_id: PROMPT,
                model_response_template_id: RESPONSE,
            });
        }
    });

    it("screens prompts only or responses only when chosen", async () => {
        const prompts = extensionOf(await build({ screen: "prompts" }));
        assert.deepStrictEqual(prompts.supportedEvents, ["REQUEST_HEADERS", "REQUEST_BODY", "REQUEST_TRAILERS"]);
        assert.deepStrictEqual(JSON.parse(prompts.metadata.model_armor_settings), [
            { model: "default", user_prompt_template_id: PROMPT },
        ]);
        const responses = extensionOf(await build({ screen: "responses" }));
        assert.deepStrictEqual(responses.supportedEvents, [
            "REQUEST_HEADERS",
            "RESPONSE_HEADERS",
            "RESPONSE_BODY",
            "RESPONSE_TRAILERS",
        ]);
        assert.deepStrictEqual(JSON.parse(responses.metadata.model_armor_settings), [
            { model: "default", model_response_template_id: RESPONSE },
        ]);
    });

    it("fails open only when asked, and converts the timeout to seconds", async () => {
        const ext = extensionOf(await build({ failOpen: true, timeout: "500ms" }));
        assert.strictEqual(ext.failOpen, true);
        assert.strictEqual(ext.timeout, "0.5s");
    });

    it("matches exactly the routed paths, with or without a query string", async () => {
        const cel = (await build()).one(EXTENSION).inputs.extensionChains[0].matchCondition.celExpression;
        assert.strictEqual(
            cel,
            'request.path == "/v1/chat/completions" || request.path.startsWith("/v1/chat/completions?") || ' +
                'request.path == "/v1/completions" || request.path.startsWith("/v1/completions?")',
        );
    });

    it("grants the Service Extensions agent its three roles, the template role on the template project, after the extension exists", async () => {
        const r = await build({ templateProject: "templates-project" });
        const grants = r
            .ofType(IAM)
            .map((g) => [g.inputs.project, g.inputs.role, g.inputs.member])
            .sort((a, b) => a[1].localeCompare(b[1]));
        assert.deepStrictEqual(grants, [
            ["test-project", "roles/modelarmor.calloutUser", AGENT],
            ["templates-project", "roles/modelarmor.user", AGENT],
            ["test-project", "roles/serviceusage.serviceUsageConsumer", AGENT],
        ]);
        for (const grant of r.ofType(IAM)) assert.ok(r.dependsOn(grant, r.one(EXTENSION)));
    });

    it("can leave IAM to the caller", async () => {
        assert.strictEqual((await build({ grantServiceAgentRoles: false })).ofType(IAM).length, 0);
    });

    it("refuses more models than the extension's 1 KiB of metadata can name, saying how many fit", async () => {
        const models = ["gemma3:4b", "llama3.1:8b", "qwen2.5:7b", "phi4:14b"];
        const error = await refusal(
            () => new ModelArmorTrafficExtension("guard", { ...REQUIRED, screenedPaths: ["/v1/completions"], models }),
        );
        assertProblems(error, [["models", models]]);
        assert.match(error.problems[0].expected, /metadata must stay under 1024 bytes: declare at most 3 models here/);
    });

    it("refuses a timeout outside 10-1000 ms, an unknown direction and a non-boolean failOpen", async () => {
        const error = await refusal(
            () =>
                new ModelArmorTrafficExtension("guard", {
                    ...REQUIRED,
                    screenedPaths: ["/v1/completions"],
                    timeout: "2s",
                    screen: "prompt" as any,
                    failOpen: "no" as any,
                }),
        );
        assertProblems(error, [
            ["screen", "prompt"],
            ["failOpen", "no"],
            ["timeout", "2s"],
        ]);
    });
});
