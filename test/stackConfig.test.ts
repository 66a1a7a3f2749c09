import * as assert from "assert";
import { ConfigurationError, formatProblem } from "../components";
import { parseStackConfig } from "../stacks/config";

/** A valid stack: only the keys without a default. */
const BASE: Record<string, unknown> = {
    "gcp:project": "my-project",
    "gcp:region": "us-central1",
    "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23" },
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

/** One mistake each: the config patch and the exact line a user sees. */
const RULES: [string, Record<string, unknown>, string][] = [
    ["gcp:project missing", { "gcp:project": undefined }, "gcp:project: is required: the Google Cloud project to deploy into"],
    ["gcp:project malformed", { "gcp:project": "My_Project" }, "gcp:project = \"My_Project\": must be a project ID: 6-30 lowercase letters, digits and hyphens, starting with a letter"],
    ["gcp:region malformed", { "gcp:region": "us central" }, "gcp:region = \"us central\": must be a Google Cloud region such as \"us-central1\""],
    ["GPU not offered in region", { "gcp:region": "us-west1" }, "gcp:region = \"us-west1\": Cloud Run offers nvidia-l4 only in us-central1, us-east4, europe-west1, europe-west4, asia-southeast1, asia-south1"],
    ["RTX not offered in region", { "gcp:region": "europe-west1", "guarded-llm:ollama": { gpuType: "nvidia-rtx-pro-6000" } }, "gcp:region = \"europe-west1\": Cloud Run offers nvidia-rtx-pro-6000 only in us-central1, europe-west4, asia-southeast1, asia-south2"],
    ["unknown project key", { "guarded-llm:olama": {} }, "guarded-llm:olama: unknown key (did you mean \"ollama\"?); known keys: ollama, loadBalancer, modelArmor, cloudArmor, namePrefix, enableApis, tlsCertificate, tlsPrivateKey"],
    ["unknown ollama key", { "guarded-llm:ollama": { modles: ["gemma:2b"] } }, "guarded-llm:ollama.modles: unknown key (did you mean \"models\"?); known keys: image, gpuType, gpuZonalRedundancy, cpu, memory, concurrency, numParallel, timeoutSeconds, minInstances, maxInstances, port, modelsMountPath, models, modelMountOptions, pullJob, enableRunAppUrl, insecureAllowAllIngress"],
    ["unknown loadBalancer key", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", httpsRedirect: true } }, "guarded-llm:loadBalancer.httpsRedirect: unknown key (did you mean \"httpRedirect\"?); known keys: network, proxySubnetCidr, proxySubnet, networkTier, tls, sslPolicy, httpRedirect, allowedPaths, allowUnscreenedPaths, refusedPathStatus, protectAddress, retainAddressOnDelete, securityPolicy"],
    ["unknown modelArmor key", { "guarded-llm:modelArmor": { failopen: true } }, "guarded-llm:modelArmor.failopen: unknown key (did you mean \"failOpen\"?); known keys: preset, prompt, response, failOpen, timeout, screen"],
    ["ollama not an object", { "guarded-llm:ollama": "gemma" }, "guarded-llm:ollama = \"gemma\": must be an object (a map of keys to values)"],
    ["cpu as text", { "guarded-llm:ollama": { cpu: "four" } }, "guarded-llm:ollama.cpu = \"four\": must be a whole number from 1 to 96"],
    ["cpu below L4 minimum", { "guarded-llm:ollama": { cpu: 2 } }, "guarded-llm:ollama.cpu = 2: nvidia-l4 needs at least 4 CPU"],
    ["cpu below RTX minimum", { "guarded-llm:ollama": { gpuType: "nvidia-rtx-pro-6000", cpu: 8, memory: "80Gi" } }, "guarded-llm:ollama.cpu = 8: nvidia-rtx-pro-6000 needs at least 20 CPU"],
    ["cpu above the L4 maximum", { "guarded-llm:ollama": { cpu: 16, memory: "32Gi" } }, "guarded-llm:ollama.cpu = 16: Cloud Run gives nvidia-l4 instances at most 8 CPU"],
    ["memory above the L4 maximum", { "guarded-llm:ollama": { cpu: 8, memory: "64Gi" } }, "guarded-llm:ollama.memory = \"64Gi\": Cloud Run gives nvidia-l4 instances at most 32Gi"],
    ["pull job CPU not a task size", { "guarded-llm:ollama": { pullJob: { cpu: 3 } } }, "guarded-llm:ollama.pullJob.cpu = 3: must be one of 1, 2, 4, 6, 8 (the CPU counts of a Cloud Run job task)"],
    ["pull job memory beyond its CPU", { "guarded-llm:ollama": { pullJob: { memory: "16Gi" } } }, "guarded-llm:ollama.pullJob.memory = \"16Gi\": needs pullJob.cpu of at least 4 (Cloud Run allows 8Gi with 2 CPU)"],
    ["memory unit", { "guarded-llm:ollama": { memory: "16GB" } }, "guarded-llm:ollama.memory = \"16GB\": must be a size in Mi or Gi, e.g. \"16Gi\""],
    ["memory below minimum", { "guarded-llm:ollama": { memory: "8Gi" } }, "guarded-llm:ollama.memory = \"8Gi\": nvidia-l4 needs at least 16Gi"],
    ["gpuType unknown", { "guarded-llm:ollama": { gpuType: "nvidia-a100" } }, "guarded-llm:ollama.gpuType = \"nvidia-a100\": must be one of nvidia-l4, nvidia-rtx-pro-6000"],
    ["gpuZonalRedundancy as text", { "guarded-llm:ollama": { gpuZonalRedundancy: "false" } }, "guarded-llm:ollama.gpuZonalRedundancy = \"false\": must be true or false"],
    ["concurrency zero", { "guarded-llm:ollama": { concurrency: 0 } }, "guarded-llm:ollama.concurrency = 0: must be from 1 to 1000"],
    ["numParallel too high", { "guarded-llm:ollama": { numParallel: 2000 } }, "guarded-llm:ollama.numParallel = 2000: must be from 1 to 1000"],
    ["timeout too long", { "guarded-llm:ollama": { timeoutSeconds: 4000 } }, "guarded-llm:ollama.timeoutSeconds = 4000: must be from 1 to 3600 seconds"],
    ["min above max", { "guarded-llm:ollama": { minInstances: 3, maxInstances: 2 } }, "guarded-llm:ollama.minInstances = 3: must not exceed maxInstances (2)"],
    ["maxInstances zero", { "guarded-llm:ollama": { maxInstances: 0 } }, "guarded-llm:ollama.maxInstances = 0: must be from 1 to 1000"],
    ["port out of range", { "guarded-llm:ollama": { port: 70000 } }, "guarded-llm:ollama.port = 70000: must be from 1 to 65535"],
    ["mount path relative", { "guarded-llm:ollama": { modelsMountPath: "models" } }, "guarded-llm:ollama.modelsMountPath = \"models\": must be an absolute path, e.g. \"/root/.ollama/models\""],
    ["models not a list", { "guarded-llm:ollama": { models: "gemma:2b" } }, "guarded-llm:ollama.models = \"gemma:2b\": must be a list"],
    ["model name invalid", { "guarded-llm:ollama": { models: ["Gemma 2B"] } }, "guarded-llm:ollama.models[0] = \"Gemma 2B\": must be an Ollama model name such as \"gemma:2b\""],
    ["model duplicate", { "guarded-llm:ollama": { models: ["llama3", "llama3:latest"] } }, "guarded-llm:ollama.models[1] = \"llama3:latest\": duplicates models[0]"],
    ["image empty", { "guarded-llm:ollama": { image: "" } }, "guarded-llm:ollama.image = \"\": must be a non-empty string"],
    ["image latest", { "guarded-llm:ollama": { image: "ollama/ollama:latest" } }, "guarded-llm:ollama.image = \"ollama/ollama:latest\": must name a pinned tag or digest, not \"latest\", e.g. \"ollama/ollama:0.13.5\""],
    ["image untagged", { "guarded-llm:ollama": { image: "ollama/ollama" } }, "guarded-llm:ollama.image = \"ollama/ollama\": must name a pinned tag or digest, not \"latest\", e.g. \"ollama/ollama:0.13.5\""],
    ["pullJob unknown key", { "guarded-llm:ollama": { pullJob: { memmory: "8Gi" } } }, "guarded-llm:ollama.pullJob.memmory: unknown key (did you mean \"memory\"?); known keys: cpu, memory, timeoutSeconds"],
    ["preset unknown", { "guarded-llm:modelArmor": { preset: "artcle" } }, "guarded-llm:modelArmor.preset = \"artcle\": must be one of recommended, article, strict (did you mean \"article\"?)"],
    ["filter type unknown", { "guarded-llm:modelArmor": { prompt: { raiFilters: [{ filterType: "VIOLENCE", confidenceLevel: "HIGH" }] } } }, "guarded-llm:modelArmor.prompt.raiFilters[0].filterType = \"VIOLENCE\": must be one of SEXUALLY_EXPLICIT, HATE_SPEECH, HARASSMENT, DANGEROUS"],
    ["confidence level unknown", { "guarded-llm:modelArmor": { response: { raiFilters: [{ filterType: "HARASSMENT", confidenceLevel: "MEDIUM" }] } } }, "guarded-llm:modelArmor.response.raiFilters[0].confidenceLevel = \"MEDIUM\": must be one of LOW_AND_ABOVE, MEDIUM_AND_ABOVE, HIGH"],
    ["enforcement unknown", { "guarded-llm:modelArmor": { prompt: { enforcement: "BLOCK" } } }, "guarded-llm:modelArmor.prompt.enforcement = \"BLOCK\": must be one of INSPECT_AND_BLOCK, INSPECT_ONLY"],
    ["error code as text", { "guarded-llm:modelArmor": { prompt: { errorCode: "799" } } }, "guarded-llm:modelArmor.prompt.errorCode = \"799\": must be a whole number from 400 to 999"],
    ["error code fractional", { "guarded-llm:modelArmor": { response: { errorCode: 798.5 } } }, "guarded-llm:modelArmor.response.errorCode = 798.5: must be a whole number from 400 to 999"],
    ["sdp basic and advanced", { "guarded-llm:modelArmor": { prompt: { sdp: { basic: true, inspectTemplate: "projects/p/locations/us-central1/inspectTemplates/t" } } } }, "guarded-llm:modelArmor.prompt.sdp = {\"basic\":true,\"inspectTemplate\":\"projects/p/locations/us-central1/inspectTemp...: basic and advanced Sensitive Data Protection cannot be combined: set sdp to true or false for basic, or to {inspectTemplate, deidentifyTemplate} for advanced"],
    ["callout timeout too long", { "guarded-llm:modelArmor": { timeout: "2s" } }, "guarded-llm:modelArmor.timeout = \"2s\": must be from 10ms to 1000ms, written like \"500ms\" or \"1s\""],
    ["callout timeout too short", { "guarded-llm:modelArmor": { timeout: "5ms" } }, "guarded-llm:modelArmor.timeout = \"5ms\": must be from 10ms to 1000ms, written like \"500ms\" or \"1s\""],
    ["failOpen as text", { "guarded-llm:modelArmor": { failOpen: "no" } }, "guarded-llm:modelArmor.failOpen = \"no\": must be true or false"],
    ["screen unknown", { "guarded-llm:modelArmor": { screen: "prompt" } }, "guarded-llm:modelArmor.screen = \"prompt\": must be one of both, prompts, responses (did you mean \"prompts\"?)"],
    ["proxy CIDR malformed", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.0/26" } }, "guarded-llm:loadBalancer.proxySubnetCidr = \"192.168.0/26\": must be an IPv4 range such as \"10.129.0.0/23\""],
    ["proxy CIDR too small", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.0.0/28" } }, "guarded-llm:loadBalancer.proxySubnetCidr = \"192.168.0.0/28\": must be /26 or larger (a proxy-only subnet needs at least 64 addresses; Google recommends /23)"],
    ["proxy CIDR host bits", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.0.10/26" } }, "guarded-llm:loadBalancer.proxySubnetCidr = \"192.168.0.10/26\": has host bits set (did you mean \"192.168.0.0/26\"?)"],
    ["proxy subnet missing", { "guarded-llm:loadBalancer": {} }, "guarded-llm:loadBalancer.proxySubnetCidr: is required unless proxySubnet names the proxy-only subnet that already exists in this VPC and region (only one may exist); Google recommends a /23, e.g. \"10.129.0.0/23\""],
    ["proxy subnet both", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", proxySubnet: "proxy-only" } }, "guarded-llm:loadBalancer.proxySubnet = \"proxy-only\": give either proxySubnetCidr (create the proxy-only subnet) or proxySubnet (reuse the existing one), not both"],
    ["network tier unknown", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", networkTier: "GOLD" } }, "guarded-llm:loadBalancer.networkTier = \"GOLD\": must be one of PREMIUM, STANDARD"],
    ["tls mode unknown", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "letsencrypt" } } }, "guarded-llm:loadBalancer.tls.mode = \"letsencrypt\": must be one of self-signed, managed, provided"],
    ["managed without domains", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "managed" } } }, "guarded-llm:loadBalancer.tls.domains: is required when tls.mode is \"managed\""],
    ["managed wildcard domain", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "managed", domains: ["*.example.com"] } } }, "guarded-llm:loadBalancer.tls.domains[0] = \"*.example.com\": must be a lowercase domain name such as \"llm.example.com\" (no wildcards)"],
    ["provided without key", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "provided" } }, "guarded-llm:tlsCertificate": "PEM" }, "guarded-llm:tlsPrivateKey: is required when loadBalancer.tls.mode is \"provided\": pulumi config set --secret tlsPrivateKey < key.pem"],
    ["provided key not secret", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "provided" } }, "guarded-llm:tlsCertificate": "PEM", "guarded-llm:tlsPrivateKey": "KEY" }, "guarded-llm:tlsPrivateKey: must be a secret: pulumi config set --secret tlsPrivateKey < key.pem"],
    ["TLS 1.0", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", sslPolicy: { minTlsVersion: "TLS_1_0" } } }, "guarded-llm:loadBalancer.sslPolicy.minTlsVersion = \"TLS_1_0\": TLS 1.0 and 1.1 are refused; must be one of TLS_1_2, TLS_1_3"],
    ["allowed path without slash", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", allowedPaths: ["v1/embeddings"] } }, "guarded-llm:loadBalancer.allowedPaths[0] = \"v1/embeddings\": must be an exact path starting with \"/\" (no \"*\", \"?\", \"#\" or spaces; at most 1024 characters), e.g. \"/v1/embeddings\""],
    ["allowed admin path", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", allowedPaths: ["/api/pull"] } }, "guarded-llm:loadBalancer.allowedPaths[0] = \"/api/pull\": is an Ollama admin path (it pulls, pushes, creates, copies or deletes models, or manages the ollama.com account) and is never routed; declare models in ollama.models instead (the pull job fetches them)"],
    ["allowed unscreened path without opt-in", { "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", allowedPaths: ["/api/generate"] } }, "guarded-llm:loadBalancer.allowedPaths[0] = \"/api/generate\": is Ollama inference that Model Armor does not screen (it screens only /v1/chat/completions, /v1/completions); set allowUnscreenedPaths: true to route it anyway"],
    ["enableApis as text", { "guarded-llm:enableApis": "yes" }, "guarded-llm:enableApis = \"yes\": must be true or false"],
    ["namePrefix invalid", { "guarded-llm:namePrefix": "Prod_1" }, "guarded-llm:namePrefix = \"Prod_1\": must be 1-12 lowercase letters, digits and hyphens, starting with a letter (it prefixes service account ids)"],
];

describe("stack config validation", () => {
    it("accepts the minimal config; defaults are applied by the components", () => {
        const config = parseStackConfig(configOf({}), "dev");
        assert.deepStrictEqual(
            { ...config, warnings: undefined },
            {
                project: "my-project", region: "us-central1", namePrefix: "dev", enableApis: true, ollama: {},
                loadBalancer: { proxySubnetCidr: "192.168.16.0/23" }, modelArmor: {}, warnings: undefined,
            },
        );
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
                "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.0.0/28", allowedPaths: ["/api/delete"] },
            }),
            [
                'gcp:region: is required: the region of every resource, e.g. "us-central1"',
                'guarded-llm:ollama.modles: unknown key (did you mean "models"?); known keys: image, gpuType, gpuZonalRedundancy, cpu, memory, concurrency, numParallel, timeoutSeconds, minInstances, maxInstances, port, modelsMountPath, models, modelMountOptions, pullJob, enableRunAppUrl, insecureAllowAllIngress',
                "guarded-llm:ollama.cpu = 2: nvidia-l4 needs at least 4 CPU",
                'guarded-llm:ollama.memory = "16GB": must be a size in Mi or Gi, e.g. "16Gi"',
                'guarded-llm:loadBalancer.proxySubnetCidr = "192.168.0.0/28": must be /26 or larger (a proxy-only subnet needs at least 64 addresses; Google recommends /23)',
                'guarded-llm:loadBalancer.allowedPaths[0] = "/api/delete": is an Ollama admin path (it pulls, pushes, creates, copies or deletes models, or manages the ollama.com account) and is never routed; declare models in ollama.models instead (the pull job fetches them)',
                'guarded-llm:modelArmor.failOpen = "no": must be true or false',
                'guarded-llm:modelArmor.timeout = "2s": must be from 10ms to 1000ms, written like "500ms" or "1s"',
            ],
        );
    });

    it("accepts a provided certificate whose key is a secret, and keeps the key secret", () => {
        const config = parseStackConfig(
            configOf({
                "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "provided" } },
                "guarded-llm:tlsCertificate": "CERT PEM",
                "guarded-llm:tlsPrivateKey": "KEY PEM",
            }),
            "dev",
            ["guarded-llm:tlsPrivateKey"],
        );
        const tls = config.loadBalancer.tls as { mode: string; certificate: string; privateKey: unknown };
        assert.strictEqual(tls.certificate, "CERT PEM");
        assert.ok((tls.privateKey as { isSecret?: unknown }).isSecret !== undefined, "the key is a secret Output");
    });

    it("warns about choices that weaken the guard", () => {
        const config = parseStackConfig(
            configOf({
                "guarded-llm:loadBalancer": { proxySubnetCidr: "192.168.16.0/23", allowedPaths: ["/api/generate"], allowUnscreenedPaths: true, tls: { mode: "managed", domains: ["llm.example.com"] } },
                "guarded-llm:modelArmor": { failOpen: true, screen: "prompts" },
            }),
            "dev",
        );
        assert.deepStrictEqual(config.warnings, [
            "allowedPaths: /api/generate reaches Ollama UNSCREENED: Model Armor only screens /v1/chat/completions and /v1/completions",
            'modelArmor.screen is "prompts": Model Armor screens prompts only',
            "modelArmor.failOpen is true: when a Model Armor callout fails or times out, traffic passes UNSCREENED",
        ]);
    });
});
