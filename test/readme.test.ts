import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { transform } from "sucrase";
import { ENDPOINT_PART_KEYS } from "../components/guardedLlmEndpoint";
import { MODEL_PULL_JOB_ARG_KEYS } from "../components/ollamaServiceArgs";
import { PROJECT_KEYS } from "../stacks/config";
import { RULES } from "./fixtures/errorCatalogue";
import { record, shippedPlan } from "./harness";
import { renderCosts } from "../tools/costReport";
import { renderDashboardGrid } from "../components/pure/monitoringDashboard";
import { TYPES } from "../components/pure/resourceTypes";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

/** The TypeScript block after `<!-- tested example -->` in README.md. */
function readmeExample(): string {
    const match = /<!-- tested example -->\s*```ts\n([\s\S]*?)```/.exec(README);
    assert.ok(match, "README.md has a tested example");
    return match[1];
}

/** Runs the example as a program would, with `guarded-llm` resolving to this repository's components. */
function runExample(): Record<string, unknown> {
    // Transpiled as the suite's own loader does (tools/register.js).
    const js = transform(readmeExample(), { transforms: ["typescript", "imports"] }).code;
    const module = { exports: {} as Record<string, unknown> };
    const load = (name: string) => (name === "guarded-llm" ? require("../components") : require(name));
    new Function("require", "module", "exports", js)(load, module, module.exports);
    return module.exports;
}

describe("README", () => {
    it("documents every config key the stacks read", () => {
        const documented = new Set([...README.matchAll(/`([^`\n]+)`/g)].flatMap((m) => m[1].match(/[A-Za-z]+/g) ?? []));
        const keys = [...PROJECT_KEYS, ...Object.values(ENDPOINT_PART_KEYS).flat(), ...MODEL_PULL_JOB_ARG_KEYS.config];
        const missing = keys.filter((key) => !documented.has(key));
        assert.deepStrictEqual(missing, []);
    });

    it("shows prod's costs and quotas as the plan prints them now", async () => {
        const block =
            /<!-- generated: npm run plan -- --stack prod \(its Costs and quotas section\) -->\n```text\n([\s\S]*?)```/.exec(
                README,
            );
        assert.ok(block, "README shows prod's costs");
        const printed = renderCosts((await shippedPlan("prod")).costs).join("\n");
        assert.strictEqual(
            block[1].trimEnd(),
            printed.trimEnd(),
            "stale: paste the section of npm run plan -- --stack prod",
        );
    });

    it("draws prod's dashboard as its definition lays it out", async () => {
        const block = /<!-- generated: npm run plan -- --stack prod \(its dashboard\) -->\n```text\n([\s\S]*?)```/.exec(
            README,
        );
        assert.ok(block, "README shows prod's dashboard");
        const dashboard = (await shippedPlan("prod")).resources.find((r) => r.type === TYPES.dashboard);
        const drawn = renderDashboardGrid(JSON.parse(dashboard!.inputs.dashboardJson)).join("\n");
        assert.strictEqual(block[1].trimEnd(), drawn, "stale: paste the dashboard of npm run plan -- --stack prod");
    });

    it("quotes a gateway's mistakes exactly as the validation words them", () => {
        const block =
            /The mistakes specific to a gateway are refused like the others, one line each:\n\n((?: {4}.*\n)+)/.exec(
                README,
            );
        assert.ok(block, "README lists a gateway's mistakes");
        const messages = new Set(RULES.map(([, , message]) => message));
        for (const line of block[1].trim().split("\n")) {
            assert.ok(messages.has(line.trim()), `README quotes a line no rule produces: ${line.trim()}`);
        }
    });

    it("quotes only error lines the validation really produces", () => {
        const block = /### Mistakes are refused[\s\S]*?\n\n((?: {4}.*\n)+)/.exec(README);
        assert.ok(block, "README has the list of common mistakes");
        const messages = RULES.map(([, , message]) => message);
        for (const line of block[1]
            .split("\n")
            .map((l) => l.trim())
            .filter(Boolean)) {
            // "..." marks a shortened line: each part must still be verbatim in one message.
            const parts = line
                .split("...")
                .map((p) => p.replace(/^\(|\)$/g, ""))
                .filter((p) => p.trim() !== "");
            assert.ok(
                messages.some((m) => parts.every((p) => m.includes(p))),
                `README quotes a line no rule produces: ${line}`,
            );
        }
    });

    it("its composition example builds: two endpoints sharing one proxy-only subnet and one bucket, each screened", async () => {
        const { result, resources } = await record(runExample);
        assert.deepStrictEqual(Object.keys(result).sort(), ["dnsRecords", "urls"]);
        assert.strictEqual(resources.ofType(TYPES.subnetwork).length, 1);
        assert.strictEqual(resources.ofType(TYPES.bucket).length, 1);
        assert.strictEqual(resources.ofType(TYPES.cloudRunService).length, 2);
        const subnet = resources.one(TYPES.subnetwork);
        const coderRule = resources.one(TYPES.forwardingRule, "coder-lb-https");
        assert.ok(resources.dependsOn(coderRule, subnet), "the second load balancer waits for the shared subnet");
        const extensions = resources.ofType(TYPES.trafficExtension);
        assert.deepStrictEqual(extensions.map((e) => e.inputs.forwardingRules[0].split("/").pop()).sort(), [
            "chat-lb-https",
            "coder-lb-https",
        ]);
        assert.strictEqual(
            resources.one(TYPES.backendService, "chat-lb-backend").inputs.securityPolicy.split("/").pop(),
            "chat-edge",
        );
    });
});
