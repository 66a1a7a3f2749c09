import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { routeRequest } from "../components";
import { readStackFile } from "../tools/stackFile";
import { ARTICLE_CERTIFICATE_SUBJECT, envOf, Recorded, shippedPlan, STACKS_DIR } from "./harness";
import { EXTENSION_METADATA_LIMIT } from "../components/pure/modelArmorSettings";
import { TYPES } from "../components/pure/resourceTypes";
import { PROBE_PATHS, routedHosts } from "../components/pure/routeTable";
import { runPolicies } from "../tools/policyRunner";
import { renderRoutes } from "../tools/routeReport";

const STACK_FILES = fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

async function planOf(stack: string): Promise<Recorded> {
    const plan = await shippedPlan(stack);
    return new Recorded(plan.resources, plan.warnings);
}

describe("shipped stacks", () => {
    it("ships dev, prod, internal and fleet", () => {
        assert.deepStrictEqual(STACK_FILES.sort(), [
            "Pulumi.dev.yaml",
            "Pulumi.fleet.yaml",
            "Pulumi.internal.yaml",
            "Pulumi.prod.yaml",
        ]);
    });

    for (const file of STACK_FILES) {
        const stack = file.slice("Pulumi.".length, -".yaml".length);
        describe(`${stack} stack`, () => {
            it("builds, with every regional resource in gcp:region and the service locked to the load balancer", async () => {
                const config = readStackFile(path.join(STACKS_DIR, file)).config;
                const r = await planOf(stack);
                for (const res of r.all.filter((x) => x.custom)) {
                    const location = res.inputs.location ?? res.inputs.region;
                    if (location !== undefined)
                        assert.strictEqual(location.toLowerCase(), config["gcp:region"], res.urn);
                    if (res.inputs.project !== undefined)
                        assert.strictEqual(res.inputs.project, config["gcp:project"], res.urn);
                }
                for (const service of r.ofType(TYPES.cloudRunService)) {
                    assert.strictEqual(service.inputs.ingress, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER");
                    assert.strictEqual(service.inputs.defaultUriDisabled, true);
                    assert.doesNotMatch(service.inputs.template.containers[0].image, /:latest$|^[^:]+$/);
                }
            });

            it("routes only the screened inference paths and /v1/models to Ollama; admin, native and unknown paths never", async () => {
                const r = await planOf(stack);
                const urlMap = r.one(TYPES.urlMap, `${stack}-lb-url-map`).inputs;
                for (const host of routedHosts(urlMap)) {
                    for (const path of ["/v1/chat/completions", "/v1/completions"]) {
                        assert.strictEqual(routeRequest(urlMap, path, host).kind, "backend", `${host} ${path}`);
                    }
                    for (const path of PROBE_PATHS) {
                        assert.strictEqual(routeRequest(urlMap, path, host).kind, "refused", `${host} ${path}`);
                    }
                }
            });

            it("binds a fail-closed Model Armor extension to the HTTPS forwarding rule, after both templates", async () => {
                const r = await planOf(stack);
                const ext = r.one(TYPES.trafficExtension);
                const https = r.one(TYPES.forwardingRule, `${stack}-lb-https`);
                assert.ok(ext.dependencies.includes(https.urn));
                const callout = ext.inputs.extensionChains[0].extensions[0];
                assert.strictEqual(callout.failOpen, false);
                assert.strictEqual(callout.service, `modelarmor.${ext.inputs.location}.rep.googleapis.com`);
                const [prompt, response] = ["prompt", "response"].map((side) =>
                    r.one(TYPES.modelArmorTemplate, `${stack}-armor-${side}`),
                );
                const settings = JSON.parse(callout.metadata.model_armor_settings);
                assert.strictEqual(settings[settings.length - 1].model, "default");
                for (const entry of settings) {
                    assert.deepStrictEqual(entry, {
                        model: entry.model,
                        user_prompt_template_id: `projects/${prompt.inputs.project}/locations/${prompt.inputs.location}/templates/${prompt.inputs.templateId}`,
                        model_response_template_id: `projects/${response.inputs.project}/locations/${response.inputs.location}/templates/${response.inputs.templateId}`,
                    });
                }
                assert.ok(ext.propertyDependencies.extensionChains.includes(prompt.urn));
                assert.ok(ext.propertyDependencies.extensionChains.includes(response.urn));
            });

            it("creates the forwarding rules after the proxy-only subnet and protects the address", async () => {
                const r = await planOf(stack);
                const subnet = r.one(TYPES.subnetwork);
                for (const rule of r.ofType(TYPES.forwardingRule)) assert.ok(r.dependsOn(rule, subnet), rule.name);
                assert.strictEqual(r.one(TYPES.address).protect, true);
            });

            it("keeps the extension's metadata within GCP's 1 KiB: keys and values together", async () => {
                const metadata = (await planOf(stack)).one(TYPES.trafficExtension).inputs.extensionChains[0]
                    .extensions[0].metadata;
                const bytes = Object.entries(metadata).reduce(
                    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
                    0,
                );
                assert.ok(bytes < EXTENSION_METADATA_LIMIT, `${bytes} bytes`);
            });

            it("replaces what owns an address and port, or a VPC's one proxy-only subnet, delete-first; the extension follows its rule", async () => {
                const r = await planOf(stack);
                for (const one of [...r.ofType(TYPES.forwardingRule), r.one(TYPES.subnetwork)]) {
                    assert.strictEqual(one.deleteBeforeReplace, true, one.name);
                }
                const extension = r.one(TYPES.trafficExtension);
                const httpsRule = r.ofType(TYPES.forwardingRule).find((rule) => rule.inputs.portRange === "443")!;
                assert.deepStrictEqual(extension.propertyDependencies.forwardingRules, [httpsRule.urn]);
                assert.deepStrictEqual(
                    [extension.replaceOnChanges, extension.deleteBeforeReplace],
                    [["forwardingRules"], true],
                );
            });

            it("grants nothing to allUsers or allAuthenticatedUsers and uses no default service account", async () => {
                const r = await planOf(stack);
                const text = JSON.stringify(r.all.map((x) => x.inputs));
                assert.doesNotMatch(text, /allUsers|allAuthenticatedUsers|-compute@developer\.gserviceaccount\.com/);
                for (const run of [...r.ofType(TYPES.cloudRunService)]) {
                    assert.match(run.inputs.template.serviceAccount, /@.+\.iam\.gserviceaccount\.com$/);
                }
            });
        });
    }

    it("dev reproduces every Cloud Run setting of the article's gcloud run deploy", async () => {
        const r = await planOf("dev");
        const service = r.one(TYPES.cloudRunService).inputs;
        const t = service.template;
        const c = t.containers[0];
        assert.deepStrictEqual(
            {
                region: service.location,
                cpu: c.resources.limits.cpu,
                memory: c.resources.limits.memory,
                gpu: c.resources.limits["nvidia.com/gpu"],
                gpuType: t.nodeSelector.accelerator,
                noGpuZonalRedundancy: t.gpuZonalRedundancyDisabled,
                port: c.ports.containerPort,
                timeout: t.timeout,
                concurrency: t.maxInstanceRequestConcurrency,
                numParallel: envOf(c, "OLLAMA_NUM_PARALLEL"),
                noCpuThrottling: c.resources.cpuIdle === false,
                maxInstances: t.scaling.maxInstanceCount,
                minInstances: t.scaling.minInstanceCount,
                mountPath: c.volumeMounts[0].mountPath,
                volume: c.volumeMounts[0].name,
            },
            {
                region: "us-central1",
                cpu: "4",
                memory: "16Gi",
                gpu: "1",
                gpuType: "nvidia-l4",
                noGpuZonalRedundancy: true,
                port: 11434,
                timeout: "600s",
                concurrency: 4,
                numParallel: "4",
                noCpuThrottling: true,
                maxInstances: 1,
                minInstances: 0,
                mountPath: "/root/.ollama/models",
                volume: "ollama-model",
            },
        );
        // --allow-unauthenticated becomes "no IAM check behind the load balancer", never an allUsers grant.
        assert.strictEqual(service.invokerIamDisabled, true);
        assert.deepStrictEqual(r.one(TYPES.cloudRunJob).inputs.template.template.containers[0].args, ["gemma:2b"]);
    });

    it("dev reproduces the article's load balancer, steps 1 to 5", async () => {
        const r = await planOf("dev");
        const one = (type: string) => r.one(`gcp:compute/${type}`).inputs;
        assert.deepStrictEqual(
            one("regionNetworkEndpointGroup:RegionNetworkEndpointGroup").networkEndpointType,
            "SERVERLESS",
        );
        assert.strictEqual(one("regionNetworkEndpointGroup:RegionNetworkEndpointGroup").cloudRun.service, "dev-ollama");
        const backend = one("regionBackendService:RegionBackendService");
        assert.deepStrictEqual(
            [backend.loadBalancingScheme, backend.protocol, backend.region],
            ["EXTERNAL_MANAGED", "HTTPS", "us-central1"],
        );
        assert.deepStrictEqual(r.one(TYPES.tlsSelfSignedCert).inputs.subject, ARTICLE_CERTIFICATE_SUBJECT);
        assert.strictEqual(r.one(TYPES.tlsSelfSignedCert).inputs.validityPeriodHours, 365 * 24);
        assert.deepStrictEqual(
            [r.one(TYPES.tlsPrivateKey).inputs.algorithm, r.one(TYPES.tlsPrivateKey).inputs.rsaBits],
            ["RSA", 2048],
        );
        assert.strictEqual(one("regionSslCertificate:RegionSslCertificate").privateKey, "[secret]");
        assert.ok(one("regionTargetHttpsProxy:RegionTargetHttpsProxy").sslCertificates.length === 1);
        const subnet = one("subnetwork:Subnetwork");
        assert.deepStrictEqual(
            [subnet.purpose, subnet.role, subnet.network, subnet.ipCidrRange],
            ["REGIONAL_MANAGED_PROXY", "ACTIVE", "default", "192.168.0.0/26"],
        );
        assert.strictEqual(one("address:Address").region, "us-central1");
        const rule = one("forwardingRule:ForwardingRule");
        assert.deepStrictEqual([rule.portRange, rule.loadBalancingScheme], ["443", "EXTERNAL_MANAGED"]);
        assert.strictEqual(r.ofType(TYPES.urlMap).length, 1, "no redirect map in dev");
    });

    it("dev reproduces every setting of the article's Model Armor template, on the prompt and the response template", async () => {
        const r = await planOf("dev");
        const message =
            "Guardian, a critical flaw has been detected in the very incantation you are attempting to cast.";
        for (const side of ["prompt", "response"]) {
            const t = r.one(TYPES.modelArmorTemplate, `dev-armor-${side}`).inputs;
            assert.strictEqual(t.location, "us-central1");
            assert.deepStrictEqual(t.filterConfig, {
                raiSettings: {
                    raiFilters: [
                        { filterType: "HATE_SPEECH", confidenceLevel: "MEDIUM_AND_ABOVE" },
                        { filterType: "HARASSMENT", confidenceLevel: "MEDIUM_AND_ABOVE" },
                        { filterType: "SEXUALLY_EXPLICIT", confidenceLevel: "MEDIUM_AND_ABOVE" },
                    ],
                },
                sdpSettings: { basicConfig: { filterEnforcement: "ENABLED" } },
                piAndJailbreakFilterSettings: { filterEnforcement: "ENABLED", confidenceLevel: "LOW_AND_ABOVE" },
                maliciousUriFilterSettings: { filterEnforcement: "ENABLED" },
            });
            assert.deepStrictEqual(t.templateMetadata, {
                enforcementType: "INSPECT_AND_BLOCK",
                customPromptSafetyErrorCode: 799,
                customPromptSafetyErrorMessage: message,
                customLlmResponseSafetyErrorCode: 798,
                customLlmResponseSafetyErrorMessage: message,
                ignorePartialInvocationFailures: true,
                logTemplateOperations: true,
                logSanitizeOperations: true,
            });
        }
    });

    it("dev keeps the article's block codes 798/799, with a warning that clients retry them; prod's templates answer 4xx", async () => {
        assert.deepStrictEqual(
            (await shippedPlan("dev")).warnings.filter((w) => /errorCode/.test(w)),
            [
                "prompt.errorCode 799 is not a client error (HTTP defines statuses up to 599; clients treat 5xx and unknown codes as server errors): the OpenAI SDKs retry it, sending the blocked prompt to Model Armor again; use a 4xx such as 403",
                "response.errorCode 798 is not a client error (HTTP defines statuses up to 599; clients treat 5xx and unknown codes as server errors): the OpenAI SDKs retry it, generating the blocked answer again on the GPU; use a 4xx such as 403",
            ],
        );
        assert.deepStrictEqual(
            (await shippedPlan("prod")).warnings.filter((w) => /errorCode/.test(w)),
            [],
        );
        for (const template of (await planOf("prod")).ofType(TYPES.modelArmorTemplate)) {
            const code = template.inputs.templateMetadata.customPromptSafetyErrorCode;
            assert.ok(code === undefined || (code >= 400 && code < 500), `${template.name}: ${code}`);
        }
    });

    it("prod uses a managed certificate for its domain and redirects HTTP to HTTPS on the same address", async () => {
        const r = await planOf("prod");
        const cert = r.one(TYPES.certificateManagerCertificate);
        assert.deepStrictEqual(cert.inputs.managed.domains, ["llm.example.com"]);
        assert.strictEqual(cert.inputs.location, "us-central1");
        assert.deepStrictEqual(r.one(TYPES.httpsProxy).inputs.certificateManagerCertificates.length, 1);
        const http = r.one(TYPES.forwardingRule, "prod-lb-http");
        const https = r.one(TYPES.forwardingRule, "prod-lb-https");
        assert.strictEqual(http.inputs.portRange, "80");
        assert.strictEqual(http.inputs.ipAddress, https.inputs.ipAddress);
        const redirect = r.one(TYPES.urlMap, "prod-lb-http-redirect").inputs;
        assert.deepStrictEqual(routeRequest(redirect, "/v1/chat/completions"), {
            kind: "redirect",
            status: 308,
            redirect: { httpsRedirect: true, redirectResponseCode: "PERMANENT_REDIRECT", stripQuery: false },
        });
        assert.ok(r.ofType(TYPES.projectService).some((s) => s.inputs.service === "certificatemanager.googleapis.com"));
    });

    it("prod keeps one instance warm with a pinned image and more concurrency per GPU", async () => {
        const t = (await planOf("prod")).one(TYPES.cloudRunService).inputs.template;
        assert.strictEqual(t.scaling.minInstanceCount, 1);
        assert.strictEqual(t.maxInstanceRequestConcurrency, 8);
        assert.strictEqual(envOf(t.containers[0], "OLLAMA_NUM_PARALLEL"), "8");
        assert.match(t.containers[0].image, /^ollama\/ollama:\d+\.\d+\.\d+$/);
    });
});

describe("deploy order", () => {
    /** The longest chain of one-after-another creations ending at each resource, counted in custom resources. */
    function depths(r: Recorded): Map<string, number> {
        const custom = new Map(r.all.filter((x) => x.custom).map((x) => [x.urn, x]));
        const memo = new Map<string, number>();
        const depth = (urn: string): number => {
            if (memo.has(urn)) return memo.get(urn)!;
            const deps = custom.get(urn)!.dependencies.filter((d) => custom.has(d));
            const value = 1 + Math.max(0, ...deps.map(depth));
            memo.set(urn, value);
            return value;
        };
        for (const urn of custom.keys()) depth(urn);
        return memo;
    }
    const LOAD_BALANCER = [
        TYPES.networkEndpointGroup,
        TYPES.backendService,
        TYPES.urlMap,
        TYPES.httpsProxy,
        TYPES.forwardingRule,
        TYPES.trafficExtension,
        TYPES.projectIamMember,
        TYPES.modelArmorTemplate,
    ];

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the load balancer, templates and extension are at most 8 creations deep and never wait for the model pull`, async () => {
            const r = await planOf(stack);
            const depth = depths(r);
            const job = r.one(TYPES.cloudRunJob);
            for (const res of r.all.filter((x) => LOAD_BALANCER.includes(x.type as (typeof LOAD_BALANCER)[number]))) {
                assert.ok(depth.get(res.urn)! <= 8, `${res.name} is ${depth.get(res.urn)} deep`);
                assert.ok(!r.dependsOn(res, job), `${res.name} waits for the pull job`);
            }
            const service = r.one(TYPES.cloudRunService);
            assert.ok(r.dependsOn(service, job), "the service still waits for the pull job");
            assert.strictEqual(r.one(TYPES.networkEndpointGroup).inputs.cloudRun.service, service.inputs.name);
        });
    }
});

describe("who may call", () => {
    it("prod lets only its accessors through IAP, and the pack refuses prod with access control removed", async () => {
        const plan = await shippedPlan("prod");
        const r = new Recorded(plan.resources);
        const backend = r.one(TYPES.backendService);
        assert.deepStrictEqual(backend.inputs.iap, { enabled: true });
        assert.deepStrictEqual(
            r.ofType(TYPES.iapBackendServiceIamMember).map((g) => g.inputs.member),
            ["group:llm-users@example.com"],
        );
        assert.ok(r.ofType(TYPES.projectService).some((api) => api.inputs.service === "iap.googleapis.com"));
        assert.match(
            renderRoutes(plan.resources).join("\n"),
            /who may call: IAP: only group:llm-users@example.com; anyone else is refused by IAP before/,
        );
        const opened = plan.resources.map((res) =>
            res.urn === backend.urn ? { ...res, inputs: { ...res.inputs, iap: undefined } } : res,
        );
        const mandatory = runPolicies(opened)
            .filter((v) => v.enforcementLevel === "mandatory")
            .map((v) => v.policyName);
        assert.deepStrictEqual(mandatory, ["lb-access-controlled"]);
        const unGranted = plan.resources.filter((res) => res.type !== TYPES.iapBackendServiceIamMember);
        assert.deepStrictEqual(
            runPolicies(unGranted)
                .filter((v) => v.enforcementLevel === "mandatory")
                .map((v) => v.policyName),
            ["lb-iap-has-accessors"],
        );
    });

    it("internal is reachable from the VPC only: internal scheme for the rule and the extension, a private address", async () => {
        const r = await planOf("internal");
        assert.strictEqual(r.one(TYPES.trafficExtension).inputs.loadBalancingScheme, "INTERNAL_MANAGED");
        assert.ok(
            r.ofType(TYPES.forwardingRule).every((rule) => rule.inputs.loadBalancingScheme === "INTERNAL_MANAGED"),
        );
        assert.strictEqual(r.one(TYPES.address).inputs.addressType, "INTERNAL");
        assert.strictEqual(r.one(TYPES.dnsRecordSet).inputs.name, "llm.internal.example.com.");
        assert.ok(r.ofType(TYPES.projectService).some((s) => s.inputs.service === "dns.googleapis.com"));
    });

    it("dev is public on purpose: warned about, and declared to the pack, which then advises", async () => {
        const plan = await shippedPlan("dev");
        assert.ok(plan.warnings.some((w) => w.startsWith("access.mode public")));
        assert.deepStrictEqual(plan.policyConfig, { "lb-access-controlled": "advisory" });
        assert.ok(
            plan.violations.some((v) => v.policyName === "lb-access-controlled" && v.enforcementLevel === "advisory"),
        );
    });
});
