import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ModelArmorFloorSetting, ModelArmorFloorSettingArgs } from "../components/modelArmorFloorSetting";
import { resolveModelArmorSettings } from "../components/modelArmorPresets";
import {
    modelArmorTemplateId,
    ModelArmorTemplates,
    ModelArmorTemplatesArgs,
    validateModelArmorTemplatesArgs,
} from "../components/modelArmorTemplates";
import { formatProblem, Problems } from "../components/validation";
import { assertProblems, record, Recorded, refusal } from "./harness";
import { componentType, TYPES } from "../components/pure/resourceTypes";

const TEMPLATE = TYPES.modelArmorTemplate;
const FLOOR = TYPES.modelArmorFloorSetting;
const ARTICLE_MESSAGE =
    "Guardian, a critical flaw has been detected in the very incantation you are attempting to cast.";

async function build(args: Partial<ModelArmorTemplatesArgs> = {}) {
    return record(() => new ModelArmorTemplates("llm", { region: "us-central1", ...args }));
}
const prompt = (r: Recorded) => r.one(TEMPLATE, "llm-prompt").inputs;
const response = (r: Recorded) => r.one(TEMPLATE, "llm-response").inputs;

/** Resolves an output under the mock runtime (not a preview, so every value is known). */
const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

const templatesRefusal = (args: object) =>
    refusal(() => new ModelArmorTemplates("llm", { region: "us-central1", ...args } as ModelArmorTemplatesArgs));

const basicSdp = (filterEnforcement: string) => ({ basicConfig: { filterEnforcement } });
const rai = (confidenceLevel: string, ...types: string[]) => ({
    raiFilters: types.map((filterType) => ({ filterType, confidenceLevel })),
});
const ALL_RAI = ["SEXUALLY_EXPLICIT", "HATE_SPEECH", "HARASSMENT", "DANGEROUS"];

describe("ModelArmorTemplates", () => {
    it("article: reproduces the article's `gcloud model-armor templates create` on both templates, flag by flag", async () => {
        const { resources: r } = await build({ preset: "article" });
        const expected = {
            filterConfig: {
                // --rai-settings-filters (in the article's order)
                raiSettings: rai("MEDIUM_AND_ABOVE", "HATE_SPEECH", "HARASSMENT", "SEXUALLY_EXPLICIT"),
                // --basic-config-filter-enforcement=enabled
                sdpSettings: basicSdp("ENABLED"),
                // --pi-and-jailbreak-filter-settings-enforcement=enabled, -confidence-level=LOW_AND_ABOVE
                piAndJailbreakFilterSettings: { filterEnforcement: "ENABLED", confidenceLevel: "LOW_AND_ABOVE" },
                // --malicious-uri-filter-settings-enforcement=enabled
                maliciousUriFilterSettings: { filterEnforcement: "ENABLED" },
            },
            templateMetadata: {
                customLlmResponseSafetyErrorCode: 798,
                customLlmResponseSafetyErrorMessage: ARTICLE_MESSAGE,
                customPromptSafetyErrorCode: 799,
                customPromptSafetyErrorMessage: ARTICLE_MESSAGE,
                ignorePartialInvocationFailures: true,
                logTemplateOperations: true, // --template-metadata-log-operations
                logSanitizeOperations: true,
                // Not in the article: unset means INSPECT_AND_BLOCK (API enum ENFORCEMENT_TYPE_UNSPECIFIED); written out.
                enforcementType: "INSPECT_AND_BLOCK",
            },
        };
        for (const [side, inputs] of [
            ["prompt", prompt(r)],
            ["response", response(r)],
        ] as const) {
            assert.deepStrictEqual(
                { filterConfig: inputs.filterConfig, templateMetadata: inputs.templateMetadata },
                expected,
                side,
            );
            assert.strictEqual(inputs.location, "us-central1");
            assert.strictEqual(inputs.templateId, `llm-${side}`);
        }
    });

    it("recommended (the default): Google's initial deployment strategy, blocking, injection detection on prompts only", async () => {
        const { resources: r } = await build();
        const common = {
            raiSettings: rai("HIGH", ...ALL_RAI),
            sdpSettings: basicSdp("ENABLED"),
            maliciousUriFilterSettings: { filterEnforcement: "ENABLED" },
        };
        assert.deepStrictEqual(prompt(r).filterConfig, {
            ...common,
            piAndJailbreakFilterSettings: { filterEnforcement: "ENABLED", confidenceLevel: "MEDIUM_AND_ABOVE" },
        });
        assert.deepStrictEqual(response(r).filterConfig, {
            ...common,
            piAndJailbreakFilterSettings: { filterEnforcement: "DISABLED", confidenceLevel: "MEDIUM_AND_ABOVE" },
        });
        const metadata = {
            enforcementType: "INSPECT_AND_BLOCK",
            ignorePartialInvocationFailures: false,
            logTemplateOperations: true,
            logSanitizeOperations: true,
        };
        assert.deepStrictEqual(prompt(r).templateMetadata, metadata, "Model Armor's default error code and message");
        assert.deepStrictEqual(response(r).templateMetadata, metadata);
    });

    it("strict: lower thresholds, injection detection on both sides, multi-language detection", async () => {
        const { resources: r } = await build({ preset: "strict" });
        assert.deepStrictEqual(prompt(r).filterConfig.raiSettings, rai("MEDIUM_AND_ABOVE", ...ALL_RAI));
        assert.deepStrictEqual(prompt(r).filterConfig.piAndJailbreakFilterSettings, {
            filterEnforcement: "ENABLED",
            confidenceLevel: "LOW_AND_ABOVE",
        });
        assert.deepStrictEqual(response(r).filterConfig.piAndJailbreakFilterSettings, {
            filterEnforcement: "ENABLED",
            confidenceLevel: "MEDIUM_AND_ABOVE",
        });
        for (const inputs of [prompt(r), response(r)]) {
            assert.deepStrictEqual(inputs.templateMetadata.multiLanguageDetection, {
                enableMultiLanguageDetection: true,
            });
            assert.strictEqual(inputs.templateMetadata.enforcementType, "INSPECT_AND_BLOCK");
        }
    });

    it("overrides each template on its own; error code and message map to the prompt or response fields on both", async () => {
        const { resources: r } = await build({
            prompt: {
                raiFilters: [{ filterType: "DANGEROUS", confidenceLevel: "LOW_AND_ABOVE" }],
                piAndJailbreak: { confidenceLevel: "HIGH" },
                errorCode: 403,
                errorMessage: "prompt refused",
                multiLanguageDetection: true,
            },
            response: {
                maliciousUri: false,
                piAndJailbreak: { enabled: true },
                errorCode: 451,
                errorMessage: "answer withheld",
            },
        });
        assert.deepStrictEqual(prompt(r).filterConfig.raiSettings, rai("LOW_AND_ABOVE", "DANGEROUS"));
        assert.deepStrictEqual(prompt(r).filterConfig.piAndJailbreakFilterSettings, {
            filterEnforcement: "ENABLED",
            confidenceLevel: "HIGH",
        });
        assert.deepStrictEqual(prompt(r).filterConfig.maliciousUriFilterSettings, { filterEnforcement: "ENABLED" });
        assert.deepStrictEqual(prompt(r).templateMetadata.multiLanguageDetection, {
            enableMultiLanguageDetection: true,
        });

        assert.deepStrictEqual(
            response(r).filterConfig.raiSettings,
            rai("HIGH", ...ALL_RAI),
            "untouched by the prompt's override",
        );
        assert.deepStrictEqual(response(r).filterConfig.piAndJailbreakFilterSettings, {
            filterEnforcement: "ENABLED",
            confidenceLevel: "MEDIUM_AND_ABOVE",
        });
        assert.deepStrictEqual(response(r).filterConfig.maliciousUriFilterSettings, { filterEnforcement: "DISABLED" });
        assert.strictEqual(response(r).templateMetadata.multiLanguageDetection, undefined);

        for (const inputs of [prompt(r), response(r)]) {
            const m = inputs.templateMetadata;
            assert.deepStrictEqual(
                [
                    m.customPromptSafetyErrorCode,
                    m.customPromptSafetyErrorMessage,
                    m.customLlmResponseSafetyErrorCode,
                    m.customLlmResponseSafetyErrorMessage,
                ],
                [403, "prompt refused", 451, "answer withheld"],
            );
        }
    });

    it("an advanced SDP override replaces the preset's basic SDP instead of adding to it", async () => {
        const advanced = {
            inspectTemplate: "projects/p/locations/us-central1/inspectTemplates/pii",
            deidentifyTemplate: "projects/p/locations/us-central1/deidentifyTemplates/redact",
        };
        const { resources: r } = await build({ preset: "article", response: { sdp: advanced } });
        assert.deepStrictEqual(response(r).filterConfig.sdpSettings, { advancedConfig: advanced });
        assert.deepStrictEqual(prompt(r).filterConfig.sdpSettings, basicSdp("ENABLED"));
        const { resources: off } = await build({ prompt: { sdp: false } });
        assert.deepStrictEqual(prompt(off).filterConfig.sdpSettings, basicSdp("DISABLED"));
    });

    it("INSPECT_ONLY keeps screening logged, and refuses to turn that logging off", async () => {
        const { resources: r } = await build({
            prompt: { enforcement: "INSPECT_ONLY", logging: { templateOperations: false } },
        });
        assert.strictEqual(prompt(r).templateMetadata.enforcementType, "INSPECT_ONLY");
        assert.strictEqual(prompt(r).templateMetadata.logSanitizeOperations, true);
        assert.strictEqual(prompt(r).templateMetadata.logTemplateOperations, false);
        assert.strictEqual(response(r).templateMetadata.enforcementType, "INSPECT_AND_BLOCK");

        assertProblems(
            await templatesRefusal({ prompt: { enforcement: "INSPECT_ONLY", logging: { sanitizeOperations: false } } }),
            [["prompt.logging.sanitizeOperations", false]],
        );
    });

    it("refuses basic and advanced SDP together, and an SDP value of the wrong shape", async () => {
        const both = { basic: true, inspectTemplate: "projects/p/locations/l/inspectTemplates/t" };
        assertProblems(await templatesRefusal({ prompt: { sdp: both }, response: { sdp: "basic" } }), [
            ["prompt.sdp", both],
            ["response.sdp", "basic"],
        ]);
    });

    it("names the allowed values of every enum, with a suggestion for near misses", async () => {
        const error = await templatesRefusal({
            preset: "recomended",
            prompt: {
                raiFilters: [{ filterType: "HATE_SPEACH", confidenceLevel: "MEDIUM" }],
                piAndJailbreak: { confidenceLevel: "low_and_above" },
                enforcement: "BLOCK",
            },
        });
        assertProblems(error, [
            ["preset", "recomended"],
            ["prompt.raiFilters[0].filterType", "HATE_SPEACH"],
            ["prompt.raiFilters[0].confidenceLevel", "MEDIUM"],
            ["prompt.piAndJailbreak.confidenceLevel", "low_and_above"],
            ["prompt.enforcement", "BLOCK"],
        ]);
    });

    it("reports every mistake at once, wrong types included, before registering anything", async () => {
        const error = await templatesRefusal({
            region: "central",
            prompt: {
                raiFilters: [
                    { filterType: "HARASSMENT", confidenceLevel: "HIGH" },
                    "HATE_SPEECH",
                    { filterType: "HARASSMENT", confidenceLevel: "HIGH", level: 2 },
                ],
                piAndJailBreak: { enabled: true },
                errorCode: 798.5,
            },
            response: {
                raiFilters: "HIGH",
                piAndJailbreak: true,
                maliciousUri: "on",
                sdp: { inspectTemplate: "pii" },
                errorCode: "798",
                errorMessage: "",
                logging: { sanitizeOperation: true },
            },
        });
        assertProblems(error, [
            ["region", "central"],
            ["prompt.piAndJailBreak"],
            ["prompt.raiFilters[1]", "HATE_SPEECH"],
            ["prompt.raiFilters[2].level"],
            ["prompt.raiFilters[2].filterType", "HARASSMENT"],
            ["prompt.errorCode", 798.5],
            ["response.raiFilters", "HIGH"],
            ["response.piAndJailbreak", true],
            ["response.maliciousUri", "on"],
            ["response.sdp.inspectTemplate", "pii"],
            ["response.errorCode", "798"],
            ["response.errorMessage", ""],
            ["response.logging.sanitizeOperation"],
        ]);
    });

    it("reports under the stack's config keys when the stack validates its guarded-llm:modelArmor object", () => {
        const problems = new Problems("guarded-llm:modelArmor.", { region: "gcp:region" });
        validateModelArmorTemplatesArgs(
            {
                region: "nowhere",
                prompt: { raiFilters: [{ filterType: "VIOLENCE", confidenceLevel: "HIGH" }] },
            } as unknown as ModelArmorTemplatesArgs,
            problems,
        );
        assert.deepStrictEqual(problems.list.map(formatProblem), [
            'gcp:region = "nowhere": must be a Google Cloud region such as "us-central1"',
            'guarded-llm:modelArmor.prompt.raiFilters[0].filterType = "VIOLENCE": must be one of SEXUALLY_EXPLICIT, HATE_SPEECH, HARASSMENT, DANGEROUS',
        ]);
    });

    it("exposes the full template paths from the template resources, in the given project", async () => {
        const { result, resources: r } = await build({ project: "templates-project" });
        assert.strictEqual(
            await valueOf(result.promptTemplateId),
            "projects/templates-project/locations/us-central1/templates/llm-prompt",
        );
        assert.strictEqual(
            await valueOf(result.responseTemplateId),
            "projects/templates-project/locations/us-central1/templates/llm-response",
        );
        assert.strictEqual(await valueOf(result.promptTemplateId), await valueOf(result.promptTemplate.id));
        assert.strictEqual(prompt(r).project, "templates-project");
        const component = r.one(componentType("ModelArmorTemplates"));
        assert.strictEqual(
            component.outputs?.responseTemplateId,
            "projects/templates-project/locations/us-central1/templates/llm-response",
        );
        assert.ok(r.ofType(TEMPLATE).every((t) => t.parent === component.urn));
    });

    it("derives template ids of at most 63 letters, digits and hyphens from any component name", () => {
        assert.strictEqual(modelArmorTemplateId("Prod_Guard", "prompt"), "prod-guard-prompt");
        const long = "a-very-long-component-name-for-a-guarded-endpoint-in-production-eu";
        const ids = [modelArmorTemplateId(long, "prompt"), modelArmorTemplateId(long, "response")];
        for (const id of [...ids, modelArmorTemplateId("--", "response")]) {
            assert.match(id, /^[a-z0-9][a-z0-9-]{0,62}$/);
        }
        assert.notStrictEqual(ids[0], modelArmorTemplateId(`${long}-2`, "prompt"), "a hash keeps long names apart");
    });

    it("resolves preset and overrides purely, keeping the preset where an override is undefined", () => {
        const settings = resolveModelArmorSettings({
            preset: "article",
            prompt: { errorCode: undefined, piAndJailbreak: { enabled: false } },
        });
        assert.strictEqual(settings.preset, "article");
        assert.strictEqual(settings.prompt.errorCode, 799);
        assert.deepStrictEqual(settings.prompt.piAndJailbreak, { enabled: false, confidenceLevel: "LOW_AND_ABOVE" });
        assert.strictEqual(settings.response.errorCode, 798);
        assert.strictEqual(resolveModelArmorSettings({}).preset, "recommended");
    });

    it("never creates a floor setting", async () => {
        const { resources: r } = await build({ preset: "strict" });
        assert.strictEqual(r.ofType(FLOOR).length, 0);
    });

    it("keeps the resources of stacks deployed when it was called ModelArmorPolicy", async () => {
        const { resources: r } = await build();
        assert.deepStrictEqual(r.one(componentType("ModelArmorTemplates")).aliases, [
            { type: componentType("ModelArmorPolicy") },
        ]);
    });
});

describe("ModelArmorFloorSetting", () => {
    const args: ModelArmorFloorSettingArgs = {
        project: "test-project",
        acknowledgeProjectWideSingleton: true,
        filters: { piAndJailbreak: { enabled: true, confidenceLevel: "HIGH" }, maliciousUri: true },
    };

    it("patches the project's one floor setting and is retained on delete", async () => {
        const { resources: r } = await record(() => new ModelArmorFloorSetting("floor", args));
        const floor = r.one(FLOOR);
        assert.strictEqual(floor.retainOnDelete, true);
        assert.deepStrictEqual(floor.inputs, {
            parent: "projects/test-project",
            location: "global",
            filterConfig: {
                piAndJailbreakFilterSettings: { filterEnforcement: "ENABLED", confidenceLevel: "HIGH" },
                maliciousUriFilterSettings: { filterEnforcement: "ENABLED" },
            },
            enableFloorSettingEnforcement: true,
        });
    });

    it("requires the explicit acknowledgement and at least one filter, before registering anything", async () => {
        const unacknowledged = {
            ...args,
            acknowledgeProjectWideSingleton: undefined as unknown as boolean,
            filters: {},
        };
        assertProblems(await refusal(() => new ModelArmorFloorSetting("floor", unacknowledged)), [
            ["acknowledgeProjectWideSingleton"],
            ["filters", {}],
        ]);
        const refused = await refusal(
            () =>
                new ModelArmorFloorSetting("floor", {
                    ...args,
                    acknowledgeProjectWideSingleton: false,
                    filters: { sdp: "on" } as never,
                }),
        );
        assertProblems(refused, [
            ["acknowledgeProjectWideSingleton", false],
            ["filters.sdp", "on"],
        ]);
    });
});

describe("ModelArmorTemplates advanced SDP", () => {
    const INSPECT = "projects/dlp-project/locations/us-central1/inspectTemplates/pii";

    it("creates the Model Armor agent and grants it the DLP roles on the DLP templates' project, before the templates", async () => {
        const { resources: r } = await build({ response: { sdp: { inspectTemplate: INSPECT } } });
        const agent = r.one(TYPES.serviceIdentity);
        assert.strictEqual(agent.inputs.service, "modelarmor.googleapis.com");
        const grants = r.ofType(TYPES.projectIamMember);
        assert.deepStrictEqual(grants.map((g) => [g.inputs.project, g.inputs.role, g.inputs.member]).sort(), [
            [
                "dlp-project",
                "roles/dlp.reader",
                "serviceAccount:service-123456789012@gcp-sa-modelarmor.iam.gserviceaccount.com",
            ],
            [
                "dlp-project",
                "roles/dlp.user",
                "serviceAccount:service-123456789012@gcp-sa-modelarmor.iam.gserviceaccount.com",
            ],
        ]);
        for (const grant of grants) assert.ok(r.dependsOn(r.one(TEMPLATE, "llm-response"), grant));
        assert.deepStrictEqual(response(r).filterConfig.sdpSettings, { advancedConfig: { inspectTemplate: INSPECT } });
    });

    it("grants the roles on the organization for organization-level DLP templates, never on a project named by its number", async () => {
        const orgInspect = "organizations/123456789/locations/global/inspectTemplates/pii";
        const { resources: r } = await build({ response: { sdp: { inspectTemplate: orgInspect } } });
        assert.strictEqual(r.ofType(TYPES.projectIamMember).length, 0);
        const grants = r.ofType(TYPES.organizationIamMember);
        assert.deepStrictEqual(grants.map((g) => [g.inputs.orgId, g.inputs.role]).sort(), [
            ["123456789", "roles/dlp.reader"],
            ["123456789", "roles/dlp.user"],
        ]);
        for (const grant of grants) assert.ok(r.dependsOn(r.one(TEMPLATE, "llm-response"), grant));
    });

    it("grants nothing for basic SDP, or when told not to", async () => {
        assert.strictEqual((await build()).resources.ofType(TYPES.projectIamMember).length, 0);
        const { resources: r } = await build({ prompt: { sdp: { inspectTemplate: INSPECT } }, grantSdpRoles: false });
        assert.strictEqual(r.ofType(TYPES.projectIamMember).length, 0);
        assert.strictEqual(r.ofType(TYPES.serviceIdentity).length, 0);
    });
});
