import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { record } from "./harness";

/** The TypeScript block after `<!-- tested example -->` in README.md. */
function readmeExample(): string {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const match = /<!-- tested example -->\s*```ts\n([\s\S]*?)```/.exec(readme);
    assert.ok(match, "README.md has a tested example");
    return match[1];
}

/** Runs the example as a program would, with `guarded-llm` resolving to this repository's components. */
function runExample(): Record<string, unknown> {
    const js = ts.transpileModule(readmeExample(), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const module = { exports: {} as Record<string, unknown> };
    const load = (name: string) => (name === "guarded-llm" ? require("../components") : require(name));
    new Function("require", "module", "exports", js)(load, module, module.exports);
    return module.exports;
}

describe("README", () => {
    it("its composition example builds: two endpoints sharing one proxy-only subnet and one bucket, each screened", async () => {
        const { result, resources } = await record(runExample);
        assert.deepStrictEqual(Object.keys(result).sort(), ["dnsRecords", "urls"]);
        assert.strictEqual(resources.ofType("gcp:compute/subnetwork:Subnetwork").length, 1);
        assert.strictEqual(resources.ofType("gcp:storage/bucket:Bucket").length, 1);
        assert.strictEqual(resources.ofType("gcp:cloudrunv2/service:Service").length, 2);
        const subnet = resources.one("gcp:compute/subnetwork:Subnetwork");
        const coderRule = resources.one("gcp:compute/forwardingRule:ForwardingRule", "coder-lb-https");
        assert.ok(resources.dependsOn(coderRule, subnet), "the second load balancer waits for the shared subnet");
        const extensions = resources.ofType("gcp:networkservices/lbTrafficExtension:LbTrafficExtension");
        assert.deepStrictEqual(extensions.map((e) => e.inputs.forwardingRules[0].split("/").pop()).sort(), ["chat-lb-https", "coder-lb-https"]);
        assert.strictEqual(resources.one("gcp:compute/regionBackendService:RegionBackendService", "chat-lb-backend").inputs.securityPolicy.split("/").pop(), "chat-edge");
    });
});
