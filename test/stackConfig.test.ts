import * as assert from "assert";
import { ConfigurationError, formatProblem } from "../components";
import { ENDPOINT_PART_KEYS } from "../components/guardedLlmEndpoint";
import { parseStackConfig, PROJECT_KEYS } from "../stacks/config";
import { buildStack } from "../stacks/program";
import { record } from "./harness";
import * as pulumi from "@pulumi/pulumi";
import { RULES } from "./fixtures/errorCatalogue";
import { CERTIFICATE_PEM, PRIVATE_KEY_PEM } from "./fixtures/pems";

/** A valid stack: only the keys without a default. */
const BASE: Record<string, unknown> = {
    "gcp:project": "my-project",
    "gcp:region": "us-central1",
    "guarded-llm:access": { mode: "public" },
    "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "self-signed" } },
};

/** The config map Pulumi would hold for BASE with `patch` applied (undefined removes a key). */
function configOf(patch: Record<string, unknown>): Record<string, string> {
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...BASE, ...patch })) {
        if (value !== undefined) config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}

function problemsOf(patch: Record<string, unknown>, secretKeys: string[] = []): string[] {
    try {
        parseStackConfig(configOf(patch), "dev", secretKeys);
    } catch (e) {
        assert.ok(e instanceof ConfigurationError, String(e));
        return e.problems.map(formatProblem);
    }
    return [];
}

describe("stack config validation", () => {
    it("accepts the minimal config; defaults are applied by the components", () => {
        const config = parseStackConfig(configOf({}), "dev");
        assert.deepStrictEqual(config, {
            project: "my-project",
            region: "us-central1",
            namePrefix: "dev",
            loadBalancer: { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "self-signed" } },
            access: { mode: "public" },
        });
    });

    for (const [rule, patch, message] of RULES) {
        it(`refuses: ${rule}`, () => assert.deepStrictEqual(problemsOf(patch), [message]));
    }

    it("reports every mistake of a config at once, one line each", () => {
        assert.deepStrictEqual(
            problemsOf({
                "gcp:region": undefined,
                "guarded-llm:ollama": { cpu: 2, memory: "16GB", modles: ["gemma:2b"] },
                "guarded-llm:modelArmor": { preset: "strict", failOpen: "no", timeout: "2s" },
                "guarded-llm:loadBalancer": {
                    tls: { mode: "self-signed" },
                    proxySubnetCidr: "192.168.0.0/28",
                    allowedPaths: ["/api/delete"],
                },
            }),
            [
                'gcp:region: is required: the region of every resource, e.g. "us-central1"',
                'guarded-llm:ollama.modles: unknown key (did you mean "models"?); known keys: image, gpuType, gpuZonalRedundancy, cpu, memory, concurrency, numParallel, timeoutSeconds, minInstances, maxInstances, port, modelsMountPath, models, modelMountOptions, pullJob, enableRunAppUrl, insecureAllowAllIngress, labels, preloadModels',
                "guarded-llm:ollama.cpu = 2: nvidia-l4 needs at least 4 CPU",
                'guarded-llm:ollama.memory = "16GB": must be a size in Mi or Gi, e.g. "16Gi"',
                'guarded-llm:loadBalancer.proxySubnetCidr = "192.168.0.0/28": must be /26 or larger (a proxy-only subnet needs at least 64 addresses; Google recommends /23)',
                'guarded-llm:loadBalancer.allowedPaths[0] = "/api/delete": is an Ollama admin path (it pulls, pushes, creates, copies or deletes models, or manages the ollama.com account) and is never routed; declare models in ollama.models instead (the pull job fetches them)',
                'guarded-llm:modelArmor.failOpen = "no": must be true or false',
                'guarded-llm:modelArmor.timeout = "2s": must be from 10ms to 1000ms, written like "500ms" or "1s"',
            ],
        );
    });

    it("accepts a provided certificate whose key is a secret, and keeps the key secret", async () => {
        const config = parseStackConfig(
            configOf({
                "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "provided" } },
                "guarded-llm:tlsCertificate": CERTIFICATE_PEM,
                "guarded-llm:tlsPrivateKey": PRIVATE_KEY_PEM,
            }),
            "dev",
            ["guarded-llm:tlsPrivateKey"],
        );
        const tls = config.loadBalancer.tls as { mode: string; certificate: string; privateKey: unknown };
        assert.strictEqual(
            await new Promise((resolve) => pulumi.output(tls.certificate).apply(resolve)),
            CERTIFICATE_PEM,
        );
        assert.ok((tls.privateKey as { isSecret?: unknown }).isSecret !== undefined, "the key is a secret Output");
    });

    it("refuses a provided certificate that is not PEM, under the key the user typed, never printing the key", () => {
        const problems = problemsOf(
            {
                "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "provided" } },
                "guarded-llm:tlsCertificate": "my certificate",
                "guarded-llm:tlsPrivateKey": "not a key",
            },
            ["guarded-llm:tlsPrivateKey"],
        );
        assert.deepStrictEqual(problems, [
            "guarded-llm:tlsCertificate: must be a PEM certificate chain, leaf first (-----BEGIN CERTIFICATE----- ...)",
            "guarded-llm:tlsPrivateKey: must be a PEM private key (-----BEGIN PRIVATE KEY----- ...)",
        ]);
    });

    it("answers a value of any wrong type, at any key, with a line for that key, never a TypeError", () => {
        const wrong: unknown[] = [null, 2.5, -1, "x", "", true, [], {}, ["x"], [null], { a: 1 }];
        const keyed: [string, (value: unknown) => Record<string, unknown>][] = [
            ...PROJECT_KEYS.map((k): [string, (v: unknown) => Record<string, unknown>] => [
                k,
                (v) => ({ [`guarded-llm:${k}`]: v }),
            ]),
            ...Object.entries(ENDPOINT_PART_KEYS).flatMap(([part, keys]) =>
                keys.map((k): [string, (v: unknown) => Record<string, unknown>] => [
                    `${part}.${k}`,
                    (v) => ({ [`guarded-llm:${part}`]: { ...(BASE[`guarded-llm:${part}`] as object), [k]: v } }),
                ]),
            ),
        ];
        for (const [name, patch] of keyed) {
            for (const value of wrong) {
                let problems: string[];
                try {
                    problems = problemsOf(patch(value));
                } catch (e) {
                    return assert.fail(`${name} = ${JSON.stringify(value)} threw ${String(e)}`);
                }
                const accepted = problems.length === 0;
                const named = problems.some((line) => line.includes(name.split(".")[0]));
                assert.ok(accepted || named, `${name} = ${JSON.stringify(value)}: ${problems.join("; ")}`);
            }
        }
    });

    it("warns about choices that weaken the guard, once each, from the components", async () => {
        const config = parseStackConfig(
            configOf({
                "guarded-llm:loadBalancer": {
                    proxySubnetCidr: "192.168.16.0/23",
                    allowedPaths: ["/api/generate"],
                    allowUnscreenedPaths: true,
                    tls: { mode: "managed", domains: ["llm.example.com"] },
                },
                "guarded-llm:modelArmor": { failOpen: true, screen: "prompts" },
            }),
            "dev",
        );
        const { warnings } = await record(() => buildStack(config));
        assert.deepStrictEqual(warnings, [
            "allowedPaths: /api/generate reaches Ollama UNSCREENED: Model Armor only screens /v1/chat/completions and /v1/completions",
            "access.mode public: anyone on the internet may call the allowed paths, with no client identity; add guarded-llm:cloudArmor's source allowlist and throttle, or use iap or internal",
            'modelArmor.screen is "prompts": Model Armor screens prompts only',
            "modelArmor.failOpen is true: when a Model Armor callout fails or times out, traffic passes UNSCREENED",
        ]);
    });
});
