import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ModelBucket } from "../components";
import { buildPlan, toStackExport } from "../tools/planner";
import { renderPlan, renderTree } from "../tools/renderPlan";
import { readStackFile } from "../tools/stackFile";
import { CliResult, record, runCommandHere, runtime, shippedPlan } from "./harness";
import { planCommand } from "../tools/plan";
import { TYPES } from "../components/pure/resourceTypes";

const ROOT = path.join(__dirname, "..");
const devFile = () => readStackFile(path.join(ROOT, "stacks", "Pulumi.dev.yaml"));

describe("offline plan", () => {
    it("prints the resources as a tree under the stack, with key settings", async () => {
        const text = renderTree(await shippedPlan("dev"));
        const lines = text.split("\n");
        assert.strictEqual(lines[0], "pulumi:pulumi:Stack guarded-llm-dev");
        assert.ok(lines.includes("  guarded-llm:index:GuardedLlmEndpoint dev"));
        assert.ok(lines.includes("      gcp:storage/bucket:Bucket dev-models [protected]"));
        assert.ok(lines.includes("          ingress: INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"));
    });

    it("writes the plan in the shape of pulumi stack export v3, with recorded dependencies", async () => {
        const exported = toStackExport(await shippedPlan("dev"));
        assert.strictEqual(exported.version, 3);
        const resources = exported.deployment.resources;
        for (const r of resources) {
            assert.deepStrictEqual(
                Object.keys(r).filter((k) => !["parent", "outputs", "protect", "retainOnDelete"].includes(k)),
                ["urn", "custom", "type", "inputs", "dependencies", "propertyDependencies"],
            );
            for (const dep of r.dependencies)
                assert.ok(
                    resources.some((x) => x.urn === dep),
                    `dangling dependency ${dep}`,
                );
        }
        const urn = (type: string) => resources.find((r) => r.type === type && r.custom)!.urn;
        const service = resources.find((r) => r.type === TYPES.cloudRunService)!;
        assert.ok(service.dependencies.includes(urn(TYPES.cloudRunJob)), "dependsOn edge recorded");
        assert.ok(service.propertyDependencies.template.includes(urn(TYPES.bucket)), "input edge recorded");
        assert.strictEqual(resources.find((r) => r.type === TYPES.bucket)!.protect, true);
    });

    it("carries the stack exports as the root resource's outputs", async () => {
        const root = toStackExport(await shippedPlan("dev")).deployment.resources[0];
        assert.strictEqual(root.type, TYPES.stack);
        const outputs = (root as any).outputs;
        assert.deepStrictEqual(Object.keys(outputs).sort(), [
            "dnsRecords",
            "endpointUrl",
            "ipAddress",
            "modelBucket",
            "models",
            "promptTemplateId",
            "responseTemplateId",
            "routeTable",
            "serviceAccount",
            "serviceName",
            "whoMayCall",
        ]);
        assert.strictEqual(outputs.endpointUrl, "https://203.0.113.10");
        assert.strictEqual(
            outputs.promptTemplateId,
            "projects/guarded-llm-dev/locations/us-central1/templates/dev-armor-prompt",
        );
        assert.strictEqual(outputs.serviceAccount, "dev-ollama-run@guarded-llm-dev.iam.gserviceaccount.com");
        assert.deepStrictEqual(outputs.models, ["gemma:2b"]);
    });

    it("writes every secret input as [secret]", async () => {
        const { resources } = await record(
            () => new ModelBucket("m", { location: "us-central1", labels: pulumi.secret({ owner: "team-a" }) }),
        );
        const bucket = resources.one(TYPES.bucket);
        assert.strictEqual(bucket.inputs.labels, "[secret]");
        assert.deepStrictEqual(bucket.secretInputs, ["labels"]);
        assert.doesNotMatch(JSON.stringify(bucket), /team-a/);
    });

    it("reads encrypted stack values as secrets without decrypting them, and applies Pulumi.yaml defaults", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const file = path.join(dir, "Pulumi.s.yaml");
        fs.writeFileSync(file, "config:\n  gcp:project: p\n  guarded-llm:tls:\n    key:\n      secure: v1:abc\n");
        assert.deepStrictEqual(readStackFile(file), {
            config: { "gcp:project": "p", "guarded-llm:tls": '{"key":"[secret]"}', "guarded-llm:enableApis": "true" },
            secretKeys: ["guarded-llm:tls"],
        });
    });

    it("summarises the plan with its resource count and outputs", async () => {
        const plan = await shippedPlan("dev");
        const text = renderPlan(plan);
        assert.ok(
            text.startsWith(`Plan for stack "dev": ${plan.resources.filter((r) => r.custom).length} resources\n`),
        );
        assert.match(text, /\nStack outputs:\n( {2}.*\n)* {2}modelBucket: dev-models\n/);
        assert.doesNotMatch(text, /routeTable:/, "the route table has its own section");
    });

    it("runs the policy pack: both shipped stacks pass every mandatory policy", async () => {
        for (const stack of ["dev", "prod"]) {
            const plan = await shippedPlan(stack);
            assert.deepStrictEqual(
                plan.violations.filter((v) => v.enforcementLevel === "mandatory"),
                [],
                stack,
            );
        }
    });

    it("reports the matching violation when a test config turns a protection off", async () => {
        const file = devFile();
        const turnedOff = (key: string, patch: object) => ({
            ...file,
            config: { ...file.config, [key]: JSON.stringify({ ...JSON.parse(file.config[key]), ...patch }) },
        });
        const mandatory = async (config: typeof file) =>
            (await buildPlan(runtime, "dev", config)).violations
                .filter((v) => v.enforcementLevel === "mandatory")
                .map((v) => v.policyName);
        assert.deepStrictEqual(await mandatory(turnedOff("guarded-llm:modelArmor", { failOpen: true })), [
            "model-armor-fail-closed",
        ]);
        assert.deepStrictEqual(await mandatory(turnedOff("guarded-llm:ollama", { insecureAllowAllIngress: true })), [
            "cloud-run-ingress-via-load-balancer",
        ]);
        assert.deepStrictEqual(
            await mandatory(turnedOff("guarded-llm:modelArmor", { prompt: { piAndJailbreak: { enabled: false } } })),
            ["model-armor-prompt-injection-on"],
        );
    });
});

describe("offline plan CLI (npm run plan)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    const devJson = path.join(dir, "dev.json");
    const brokenJson = path.join(dir, "broken.json");
    const failOpenJson = path.join(dir, "failopen.json");
    let runs: Record<"dev" | "broken" | "failOpen" | "usage", CliResult>;
    // One after the other: each plans under the suite's recording runtime.
    before(async () => {
        const plan = (...args: string[]) => runCommandHere(planCommand(runtime), args);
        runs = {
            dev: await plan("--stack", "dev", "--json", devJson),
            broken: await plan("--config-file", "test/fixtures/Pulumi.broken.yaml", "--json", brokenJson),
            failOpen: await plan("--config-file", "test/fixtures/Pulumi.failopen.yaml", "--json", failOpenJson),
            usage: await plan("--stack"),
        };
    });

    it("runs the dev stack and writes the JSON plan", () => {
        assert.strictEqual(runs.dev.status, 0, runs.dev.stderr);
        assert.match(runs.dev.stdout, /gcp:cloudrunv2\/service:Service dev-ollama/);
        assert.strictEqual(JSON.parse(fs.readFileSync(devJson, "utf8")).version, 3);
    });

    it("exits 1 on an invalid config with every problem, no stack trace and no plan file", () => {
        const result = runs.broken;
        assert.strictEqual(result.status, 1);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(
            result.stderr.split("\n")[0],
            "plan: test/fixtures/Pulumi.broken.yaml is not a valid stack configuration:",
        );
        assert.deepStrictEqual(result.stderr.trim().split("\n").slice(1), [
            '  gcp:region: is required: the region of every resource, e.g. "us-central1"',
            '  guarded-llm:ollama.modles: unknown key (did you mean "models"?); known keys: image, gpuType, gpuZonalRedundancy, cpu, memory, concurrency, numParallel, timeoutSeconds, minInstances, maxInstances, port, modelsMountPath, models, modelMountOptions, pullJob, enableRunAppUrl, insecureAllowAllIngress, labels, preloadModels',
            "  guarded-llm:ollama.cpu = 2: nvidia-l4 needs at least 4 CPU",
            '  guarded-llm:ollama.memory = "16GB": must be a size in Mi or Gi, e.g. "16Gi"',
            '  guarded-llm:loadBalancer.proxySubnetCidr: is required unless proxySubnet names the proxy-only subnet that already exists in this VPC and region (only one may exist); Google recommends a /23, e.g. "192.168.16.0/23"',
            '  guarded-llm:access: is required: { mode: "iap", accessors: [...] } (Identity-Aware Proxy), { mode: "internal", subnet } (the VPC only) or { mode: "public" } (anyone on the internet)',
            '  guarded-llm:loadBalancer.tls: is required: { mode: "managed", domains: [...] } or { mode: "provided" } in production, { mode: "self-signed" } for development only',
        ]);
        assert.doesNotMatch(result.stderr, /\n\s+at /);
        assert.ok(!fs.existsSync(brokenJson));
    });

    it("prints the plan and the violation, and exits 1, when a mandatory policy is violated", () => {
        const result = runs.failOpen;
        assert.strictEqual(result.status, 1);
        assert.match(
            result.stdout,
            /\[mandatory\] model-armor-fail-closed: gcp:networkservices\/lbTrafficExtension:LbTrafficExtension failopen-armor-ext/,
        );
        assert.match(result.stderr, /plan: a mandatory policy is violated/);
        assert.strictEqual(JSON.parse(fs.readFileSync(failOpenJson, "utf8")).version, 3, "the plan is written too");
    });

    it("exits 2 with the usage line on wrong usage", () => {
        const result = runs.usage;
        assert.strictEqual(result.status, 2);
        assert.match(result.stderr, /--stack needs a value\nusage: npm run plan/);
    });
});
