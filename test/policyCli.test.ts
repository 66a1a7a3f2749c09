import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TYPES } from "../components/pure/resourceTypes";
import { SECRET } from "../components/pure/values";
import { toStackExport } from "../tools/planner";
import { formatViolations, runPolicies } from "../tools/policyRunner";
import { readStackExport, StackExportError } from "../tools/stackExport";
import { CliResult, runCommandHere, shippedPlan } from "./harness";
import { policyCommand } from "../tools/policyCli";

const ROOT = path.join(__dirname, "..");
const EXPORTS = path.join("test", "fixtures", "exports");
/** A deployed dev stack as `pulumi stack export` writes it: outputs, auto-names, self links, secrets, providers. */
const DEPLOYED = path.join(EXPORTS, "dev-deployed.json");
/** A stack with a public bucket ACL (mandatory) and an INSPECT_ONLY template (advisory). */
const VIOLATING = path.join(EXPORTS, "violating.json");

const readFixture = (file: string) => readStackExport(fs.readFileSync(path.join(ROOT, file), "utf8"));

/** One line on stderr, no stack trace. */
function assertOneLineError(result: CliResult, pattern: RegExp): void {
    assert.strictEqual(result.status, 2, result.stderr);
    assert.strictEqual(result.stdout, "");
    assert.match(result.stderr, pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
}

describe("policy CLI (npm run policy)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
    const violationsFile = path.join(dir, "violations.json");
    const notJson = path.join(dir, "broken.json");
    // The CLI runs in child processes, started when mocha loads this file so that they run beside the in-process
    // tests; only the run over the plan waits for the plan.
    fs.writeFileSync(notJson, '{"version": 3, "deployment": {');
    // dev is public on purpose, and says so to the pack as a user would.
    const declaredPublic = path.join(dir, "public.json");
    fs.writeFileSync(declaredPublic, JSON.stringify({ "lb-access-controlled": "advisory" }));
    const cases: Record<string, [string[], string?]> = {
        deployed: [[DEPLOYED, "--policy-pack-config", declaredPublic]],
        violating: [[VIOLATING, "--json", violationsFile]],
        noFile: [[]],
        unknownFlag: [[DEPLOYED, "--stack", "dev"]],
        missing: [[path.join(dir, "missing.json")]],
        notJson: [[notJson]],
        stdinNotExport: [["-"], '{"version": 3, "deployment": {"resources": {}}}'],
    };
    let runs: Record<string, CliResult>;
    before(async () => {
        const results = await Promise.all(
            Object.values(cases).map(([args, input]) => runCommandHere(policyCommand, args, input)),
        );
        runs = Object.fromEntries(Object.keys(cases).map((name, i) => [name, results[i]]));
    });

    it("judges a deployed stack's export, references resolved through outputs' self links and names alone", () => {
        const { status, stdout, stderr } = runs.deployed;
        assert.strictEqual(status, 0, stderr);
        assert.strictEqual(stderr, "");
        const lines = stdout.split("\n");
        assert.deepStrictEqual(lines.slice(0, 2), [
            `Checked 30 resources of ${DEPLOYED}.`,
            "Policy violations: 0 mandatory, 3 advisory",
        ]);
        assert.match(
            stdout,
            /\[advisory\] lb-access-controlled: gcp:compute\/regionBackendService:RegionBackendService dev-lb-backend\n/,
        );
        assert.match(
            stdout,
            /\[advisory\] lb-http-to-https-redirect: gcp:compute\/forwardingRule:ForwardingRule dev-lb-https\n/,
        );
        assert.match(
            stdout,
            /\[advisory\] lb-cloud-armor: gcp:compute\/regionBackendService:RegionBackendService dev-lb-backend\n/,
        );
    });

    it("refuses a public endpoint the pack's config does not declare public", () => {
        const violations = runPolicies(readFixture(DEPLOYED)).filter((v) => v.enforcementLevel === "mandatory");
        assert.deepStrictEqual(
            violations.map((v) => [v.policyName, v.urn?.split("::").pop()]),
            [["lb-access-controlled", "dev-lb-backend"]],
        );
        assert.match(
            violations[0].message,
            /^backend service dev-lb-backend serves Cloud Run to anyone on the internet/,
        );
    });

    it("follows the export's self links from the forwarding rule to the Cloud Run service, with no property dependencies", () => {
        const resources = readFixture(DEPLOYED);
        assert.ok(resources.every((r) => Object.keys(r.propertyDependencies).length === 0));
        // Auto-named: the self links name `dev-lb-https-proxy-0213d8a`, not the Pulumi name.
        const rule = resources.find((r) => r.type === TYPES.forwardingRule)!;
        assert.match(rule.inputs.target, /\/targetHttpsProxies\/dev-lb-https-proxy-[0-9a-f]{7}$/);
        const unguarded = resources.filter((r) => r.type !== TYPES.trafficExtension);
        const found = runPolicies(unguarded).filter(
            (v) => v.policyName === "model-armor-guards-https-forwarding-rules",
        );
        assert.deepStrictEqual(
            found.map((v) => [v.urn, v.message.split(", so ")[0]]),
            [
                [
                    rule.urn,
                    "HTTPS forwarding rule dev-lb-https is bound to no Model Armor traffic extension and reaches Cloud Run service dev-ollama of this stack",
                ],
            ],
        );
    });

    it("reads inputs merged with outputs, outputs first, secrets opaque, without the stack and its providers", () => {
        const resources = readFixture(DEPLOYED);
        assert.ok(resources.every((r) => r.type !== TYPES.stack && !r.type.startsWith("pulumi:providers:")));
        const key = resources.find((r) => r.type === TYPES.tlsPrivateKey)!;
        // Written with --show-secrets: the plaintext envelope holds a PEM key, and stays a secret.
        assert.strictEqual(key.inputs.privateKeyPem, SECRET);
        assert.deepStrictEqual(key.secretInputs, ["privateKeyPem"]);
        assert.strictEqual(resources.find((r) => r.type === TYPES.sslCertificate)!.inputs.privateKey, SECRET);
        assert.deepStrictEqual(
            runPolicies(resources).filter((v) => v.policyName === "no-plaintext-private-keys"),
            [],
        );
        assert.ok(!("__defaults" in resources.find((r) => r.type === TYPES.urlMap)!.inputs));

        // The violating stack's bucket sets uniform access only in its outputs (the provider's default).
        const bucket = readFixture(VIOLATING).find((r) => r.type === TYPES.bucket)!;
        assert.strictEqual(bucket.inputs.uniformBucketLevelAccess, true);
        const text = fs.readFileSync(path.join(ROOT, VIOLATING), "utf8");
        const inputsOnly = JSON.parse(text);
        for (const r of inputsOnly.deployment.resources) delete r.outputs;
        const locked = runPolicies(readStackExport(JSON.stringify(inputsOnly))).filter(
            (v) => v.policyName === "storage-bucket-locked-down",
        );
        assert.match(locked[0].message, /^uniformBucketLevelAccess is unset/);
    });

    it("judges the offline plan's --json (inputs only) as the plan does", async () => {
        const plan = await shippedPlan("dev");
        const resources = readStackExport(JSON.stringify(toStackExport(plan)));
        assert.strictEqual(resources.length, plan.resources.length - 1, "every resource but the stack");
        assert.strictEqual(
            formatViolations(runPolicies(resources, plan.policyConfig)),
            formatViolations(plan.violations),
        );
    });

    it("exits 1 on a mandatory violation and writes the violations as JSON", () => {
        const { status, stdout, stderr } = runs.violating;
        assert.strictEqual(status, 1);
        assert.strictEqual(stderr, "policy: a mandatory policy is violated (see above)\n");
        assert.match(stdout, /^Checked 3 resources of .*\nPolicy violations: 1 mandatory, 1 advisory\n/);
        assert.match(stdout, new RegExp(`\nWrote ${violationsFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n$`));
        const written = JSON.parse(fs.readFileSync(violationsFile, "utf8"));
        assert.deepStrictEqual(
            written.map((v: Record<string, string>) => Object.keys(v)),
            [
                ["policy", "enforcement", "urn", "message"],
                ["policy", "enforcement", "urn", "message"],
            ],
        );
        assert.deepStrictEqual(
            written.map((v: Record<string, string>) => [v.policy, v.enforcement, v.urn]),
            [
                [
                    "storage-no-public-acl",
                    "mandatory",
                    "urn:pulumi:prod::shop-llm::gcp:storage/bucketAccessControl:BucketAccessControl::shop-models-public",
                ],
                [
                    "model-armor-template-blocks",
                    "advisory",
                    "urn:pulumi:prod::shop-llm::gcp:modelarmor/template:Template::shop-prompt",
                ],
            ],
        );
        assert.match(written[0].message, /^grants entity "allUsers" \(role "READER"\).*\. Fix: /);
    });

    it("exits 2 with the usage line on wrong usage", () => {
        const usage =
            "usage: npm run policy -- <stack export file, or - for stdin> [--json <file>] [--policy-pack-config <file>]\n";
        assert.strictEqual(runs.noFile.status, 2);
        assert.strictEqual(runs.noFile.stderr, `policy: give exactly one stack export file\n${usage}`);
        assert.strictEqual(runs.unknownFlag.stderr, `policy: unknown argument "--stack"\n${usage}`);
        assert.strictEqual(runs.unknownFlag.status, 2);
    });

    it("exits 2 with one line for a file it cannot read or that is not a stack export", () => {
        assertOneLineError(
            runs.missing,
            /^policy: cannot read .*missing\.json: ENOENT: no such file or directory, .*\n$/,
        );
        assertOneLineError(runs.notJson, /^policy: .*broken\.json is not JSON \(.*\)\n$/);
        assertOneLineError(
            runs.stdinNotExport,
            /^policy: standard input has a "deployment\.resources" that is not a list\n$/,
        );
        assert.throws(() => readStackExport('{"version": 1, "checkpoint": {}}'), {
            constructor: StackExportError,
            message: /^is not a version 3 stack export \(version: 1\)/,
        });
        assert.throws(() => readStackExport('{"version": 3, "deployment": {"resources": [{"urn": "u"}]}}'), {
            constructor: StackExportError,
            message: 'has a deployment.resources[0] without a "urn" and a "type"',
        });
    });
});
