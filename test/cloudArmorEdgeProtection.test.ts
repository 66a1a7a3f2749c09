import * as assert from "assert";
import { CloudArmorEdgeProtection, GuardedLlmEndpoint } from "../components";
import { assertProblems, record, refusal } from "./harness";
import { componentType, TYPES } from "../components/pure/resourceTypes";

const POLICY = TYPES.cloudArmorPolicy;

describe("CloudArmorEdgeProtection", () => {
    it("keeps the resources of stacks deployed when it was called EdgeSecurityPolicy", async () => {
        const { resources } = await record(() => new CloudArmorEdgeProtection("edge", { region: "us-central1" }));
        assert.deepStrictEqual(resources.one(componentType("CloudArmorEdgeProtection")).aliases, [
            { type: componentType("EdgeSecurityPolicy") },
        ]);
    });

    it("throttles every client IP to 60 requests a minute by default, answering 429 past it", async () => {
        const { resources } = await record(() => new CloudArmorEdgeProtection("edge", { region: "us-central1" }));
        const policy = resources.one(POLICY).inputs;
        assert.strictEqual(policy.type, "CLOUD_ARMOR");
        assert.deepStrictEqual(policy.rules, [
            {
                priority: 1000,
                description: "throttle each client IP; the rest of the minute gets 429",
                action: "throttle",
                match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
                rateLimitOptions: {
                    conformAction: "allow",
                    exceedAction: "deny(429)",
                    enforceOnKey: "IP",
                    rateLimitThreshold: { count: 60, intervalSec: 60 },
                },
            },
            {
                priority: 2147483647,
                description: "default rule",
                action: "allow",
                match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
            },
        ]);
    });

    it("admits only the allowlisted ranges, still throttled, and refuses the rest with 403", async () => {
        const { resources } = await record(
            () =>
                new CloudArmorEdgeProtection("edge", {
                    region: "us-central1",
                    requestsPerMinutePerClient: 20,
                    allowedSourceRanges: ["203.0.113.0/24"],
                }),
        );
        const [throttle, fallback] = resources.one(POLICY).inputs.rules;
        assert.deepStrictEqual(throttle.match.config.srcIpRanges, ["203.0.113.0/24"]);
        assert.strictEqual(throttle.rateLimitOptions.rateLimitThreshold.count, 20);
        assert.deepStrictEqual([fallback.action, fallback.match.config.srcIpRanges], ["deny(403)", ["*"]]);
    });

    it("is attached to the endpoint's backend service when cloudArmor is set", async () => {
        const { resources } = await record(
            () =>
                new GuardedLlmEndpoint("llm", {
                    region: "us-central1",
                    access: { mode: "public" },
                    loadBalancer: { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "self-signed" } },
                    cloudArmor: {},
                }),
        );
        const backend = resources.one(TYPES.backendService);
        assert.strictEqual(
            backend.inputs.securityPolicy,
            "https://www.googleapis.com/compute/v1/projects/test-project/regions/us-central1/securityPolicies/llm-edge",
        );
        assert.ok(backend.dependencies.includes(resources.one(POLICY).urn));
    });

    it("refuses malformed or too many source ranges and a rate that is not a whole number", async () => {
        const ranges = Array.from({ length: 11 }, (_, i) => `10.0.${i}.0/24`);
        assertProblems(
            await refusal(
                () =>
                    new CloudArmorEdgeProtection("edge", {
                        region: "us-central1",
                        requestsPerMinutePerClient: 0.5,
                        allowedSourceRanges: ranges,
                    }),
            ),
            [
                ["requestsPerMinutePerClient", 0.5],
                ["allowedSourceRanges", ranges],
            ],
        );
        assertProblems(
            await refusal(
                () =>
                    new CloudArmorEdgeProtection("edge", {
                        region: "us-central1",
                        allowedSourceRanges: ["10.0.0.300/24"],
                    }),
            ),
            [["allowedSourceRanges[0]", "10.0.0.300/24"]],
        );
    });
});
