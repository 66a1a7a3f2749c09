import * as assert from "assert";
import * as gcp from "../components/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ResourceValidationPolicy } from "@pulumi/policy";
import {
    ModelArmorTemplates,
    ModelArmorTemplatesArgs,
    ModelArmorTrafficExtension,
    ModelArmorTrafficExtensionArgs,
    ModelBucket,
    OllamaService,
    OllamaServiceArgs,
} from "../components";
import { RegionalHttpsLoadBalancer, RegionalHttpsLoadBalancerArgs } from "../components/regionalHttpsLoadBalancer";
import { formatViolations, hasMandatoryViolation, runPolicies, Violation } from "../tools/policyRunner";
import { CloudArmorEdgeProtection, CloudArmorEdgeProtectionArgs } from "../components/cloudArmorEdgeProtection";
import { policies } from "../policy/policies";
import { UNKNOWN } from "../components/pure/values";
import { OLLAMA_PATHS } from "../components/pure/ollamaPaths";
import { ADMIN_PROBES } from "../components/pure/urlMapProbes";
import { RecordedResource } from "../tools/mockRuntime";
import { record } from "./harness";
import { TYPES } from "../components/pure/resourceTypes";

const SERVICE = TYPES.cloudRunService;
const JOB = TYPES.cloudRunJob;
const V1_SERVICE = TYPES.cloudRunV1Service;
const BUCKET = TYPES.bucket;
const EXTENSION = TYPES.trafficExtension;
const TEMPLATE = TYPES.modelArmorTemplate;
const URL_MAP = TYPES.urlMap;
const HTTPS_PROXY = TYPES.httpsProxy;
const SSL_POLICY = TYPES.sslPolicy;
const SSL_CERT = TYPES.sslCertificate;
const RULE = TYPES.forwardingRule;

const REGION = "us-central1";
const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n";
const template = (name: string, region = REGION) => `projects/test-project/locations/${region}/templates/${name}`;
/** The self link the mock runtime gives a compute resource of the test project. */
const link = (collection: string, name: string, scope = `regions/${REGION}`) =>
    `https://www.googleapis.com/compute/v1/projects/test-project/${scope}/${collection}/${name}`;

interface Options {
    ollama?: Partial<OllamaServiceArgs>;
    lb?: Partial<RegionalHttpsLoadBalancerArgs>;
    armor?: Partial<ModelArmorTemplatesArgs>;
    extension?: Partial<ModelArmorTrafficExtensionArgs> | false;
    /** Cloud Armor edge protection of the stack on the backend service, instead of an outside policy. */
    cloudArmor?: Omit<CloudArmorEdgeProtectionArgs, "region">;
}

const topologies = new Map<string, RecordedResource[]>();

/**
 * The guarded endpoint composed from the components by hand, secure by default plus the two optional hardenings
 * (HTTP redirect, Cloud Armor), with `options` applied. Built once per options: tests only read it (see `edited`).
 */
async function topology(options: Options = {}): Promise<RecordedResource[]> {
    const key = JSON.stringify(options);
    if (!topologies.has(key)) topologies.set(key, await build(options));
    return topologies.get(key)!;
}

async function build(options: Options): Promise<RecordedResource[]> {
    const { resources } = await record(() => {
        const bucket = new ModelBucket("models", { location: REGION });
        const ollama = new OllamaService("llm", {
            region: REGION,
            modelBucketName: bucket.bucketName,
            ...options.ollama,
        });
        const edge =
            options.cloudArmor && new CloudArmorEdgeProtection("edge", { region: REGION, ...options.cloudArmor });
        const lb = new RegionalHttpsLoadBalancer("lb", {
            region: REGION,
            cloudRunService: ollama.serviceName,
            access: { mode: "iap", accessors: ["group:ml@example.com"] },
            proxySubnetCidr: "192.168.16.0/23",
            tls: { mode: "self-signed" },
            httpRedirect: true,
            securityPolicy: "projects/test-project/regions/us-central1/securityPolicies/armor",
            ...options.lb,
            ...(edge ? { securityPolicy: edge.policy.selfLink } : {}),
        });
        const armor = new ModelArmorTemplates("guard", { region: REGION, ...options.armor });
        if (options.extension === false) return;
        new ModelArmorTrafficExtension("guard", {
            region: REGION,
            forwardingRuleSelfLink: lb.httpsForwardingRule.selfLink,
            promptTemplateId: armor.promptTemplateId,
            responseTemplateId: armor.responseTemplateId,
            screenedPaths: lb.routedPaths,
            ...options.extension,
        });
    });
    return resources.all;
}

/** A resource written by hand, as the recording runtime would record it. */
function resource(
    type: string,
    name: string,
    inputs: Record<string, any>,
    extra: Partial<RecordedResource> = {},
): RecordedResource {
    return {
        urn: `urn:pulumi:test::guarded-llm::${type}::${name}`,
        custom: true,
        type,
        name,
        inputs,
        secretInputs: [],
        dependencies: [],
        propertyDependencies: {},
        ...extra,
    };
}

/** A deep copy of `resources` in which `change` edited the inputs of the one resource of `type` named `name`. */
function edited(
    resources: RecordedResource[],
    type: string,
    name: string,
    change: (inputs: any, r: RecordedResource) => void,
): RecordedResource[] {
    const copy: RecordedResource[] = JSON.parse(JSON.stringify(resources));
    const target = copy.filter((r) => r.type === type && r.name === name);
    assert.strictEqual(target.length, 1, `one ${type} named ${name}`);
    change(target[0].inputs, target[0]);
    return copy;
}

const byType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);

/** Policies seen violated by some test; the last test checks that every policy of the pack is among them. */
const violated = new Set<string>();

/** The violations of `policyName` over `resources`, as [urn, message] pairs. */
function violationsOf(resources: RecordedResource[], policyName: string): Violation[] {
    assert.ok(
        policies.some((p) => p.name === policyName),
        `no policy named ${policyName}`,
    );
    const found = runPolicies(resources).filter((v) => v.policyName === policyName);
    if (found.length > 0) violated.add(policyName);
    return found;
}

/** Asserts that `policyName` reports exactly one violation per expected [resource name, message pattern]. */
function assertViolations(resources: RecordedResource[], policyName: string, expected: [string, RegExp][]): void {
    const found = violationsOf(resources, policyName);
    assert.strictEqual(found.length, expected.length, `${policyName}: ${JSON.stringify(found, null, 2)}`);
    expected.forEach(([name, pattern], i) => {
        assert.ok(found[i].urn?.endsWith(`::${name}`), `${policyName} blames ${found[i].urn}, expected ${name}`);
        assert.match(found[i].message, pattern);
        assert.match(found[i].message, /\. Fix: /, "says how to fix it");
    });
}

const assertClean = (resources: RecordedResource[], policyName: string) =>
    assert.deepStrictEqual(violationsOf(resources, policyName), [], policyName);

describe("policy pack", () => {
    let secure: RecordedResource[];
    before(async () => {
        secure = await topology();
    });

    it("names every policy, with a description and an explicit enforcement level", () => {
        assert.deepStrictEqual(
            policies.map((p) => [p.name, p.enforcementLevel]),
            [
                ["cloud-run-ingress-via-load-balancer", "mandatory"],
                ["cloud-run-dedicated-service-account", "mandatory"],
                ["iam-no-public-members", "mandatory"],
                ["iam-no-basic-roles", "mandatory"],
                ["storage-bucket-locked-down", "mandatory"],
                ["storage-no-public-acl", "mandatory"],
                ["model-armor-fail-closed", "mandatory"],
                ["model-armor-regional-endpoint", "mandatory"],
                ["model-armor-settings-well-formed", "mandatory"],
                ["model-armor-events-match-templates", "mandatory"],
                ["model-armor-screens-both-directions", "mandatory"],
                ["model-armor-prompt-injection-on", "mandatory"],
                ["model-armor-template-blocks", "advisory"],
                ["model-armor-every-model-screened", "mandatory"],
                ["model-armor-templates-in-extension-project", "advisory"],
                ["model-armor-response-template-filters-on", "advisory"],
                ["model-armor-guards-https-forwarding-rules", "mandatory"],
                ["model-armor-screens-routed-paths", "mandatory"],
                ["model-armor-chain-runs-first", "mandatory"],
                ["lb-no-admin-paths", "mandatory"],
                ["lb-unscreened-inference-paths", "advisory"],
                ["lb-no-plaintext-http", "mandatory"],
                ["lb-tls-minimum-1-2", "mandatory"],
                ["lb-ssl-policy-strong-ciphers", "mandatory"],
                ["lb-http-to-https-redirect", "advisory"],
                ["lb-cloud-armor", "advisory"],
                ["lb-access-controlled", "mandatory"],
                ["lb-iap-has-accessors", "mandatory"],
                ["no-plaintext-private-keys", "mandatory"],
            ],
        );
        for (const policy of policies) assert.ok(policy.description.length > 20, policy.name);
    });

    it("passes the secure composition of the components (service, bucket, load balancer, templates, extension)", () => {
        assert.deepStrictEqual(runPolicies(secure), []);
        for (const type of [
            SERVICE,
            JOB,
            BUCKET,
            EXTENSION,
            TEMPLATE,
            URL_MAP,
            HTTPS_PROXY,
            SSL_POLICY,
            SSL_CERT,
            RULE,
        ]) {
            assert.ok(byType(secure, type).length > 0, `the passing fixture holds a ${type}`);
        }
    });

    describe("cloud-run-ingress-via-load-balancer", () => {
        const policy = "cloud-run-ingress-via-load-balancer";

        it("accepts load-balancer-only and internal-only ingress, v1 services by their annotation", () => {
            const internal = edited(secure, SERVICE, "llm", (i) => (i.ingress = "INGRESS_TRAFFIC_INTERNAL_ONLY"));
            assertClean(internal, policy);
            assertClean(
                [
                    resource(V1_SERVICE, "v1", {
                        metadata: {
                            annotations: { "run.googleapis.com/ingress": "internal-and-cloud-load-balancing" },
                        },
                    }),
                ],
                policy,
            );
        });

        it("refuses ingress from the internet, set or by default", async () => {
            const { resources } = await record(
                () => new OllamaService("llm", { region: REGION, modelBucketName: "b", insecureAllowAllIngress: true }),
            );
            assertViolations(resources.all, policy, [
                [
                    "llm",
                    /ingress lets in all traffic \("INGRESS_TRAFFIC_ALL"\).*Fix: remove guarded-llm:ollama\.insecureAllowAllIngress/,
                ],
            ]);
            assertViolations(
                [resource(SERVICE, "bare", { location: REGION }), resource(V1_SERVICE, "v1", { metadata: {} })],
                policy,
                [
                    [
                        "bare",
                        /ingress lets in all traffic \(unset: INGRESS_TRAFFIC_ALL\).*set ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"/,
                    ],
                    [
                        "v1",
                        /metadata\.annotations lets in all traffic \(unset: all\).*"run\.googleapis\.com\/ingress": "internal-and-cloud-load-balancing"/,
                    ],
                ],
            );
        });
    });

    describe("cloud-run-dedicated-service-account", () => {
        const policy = "cloud-run-dedicated-service-account";

        it("refuses an unset service account and the default compute one, on services and jobs", () => {
            const resources = edited(
                edited(secure, SERVICE, "llm", (i) => delete i.template.serviceAccount),
                JOB,
                "llm-model-pull",
                (i) => (i.template.template.serviceAccount = "123456789012-compute@developer.gserviceaccount.com"),
            );
            assertViolations([...resources, resource(V1_SERVICE, "v1", { template: { spec: {} } })], policy, [
                [
                    "llm-model-pull",
                    /template\.template\.serviceAccount is "123456789012-compute@developer\.gserviceaccount\.com".*Fix: create a service account for this workload alone/,
                ],
                [
                    "llm",
                    /template\.serviceAccount is unset, so it runs as the Compute Engine default service account.*Fix:/,
                ],
                ["v1", /template\.spec\.serviceAccountName is unset/],
            ]);
        });

        it("does not report an account that is unknown during preview", () => {
            assertClean(
                edited(secure, SERVICE, "llm", (i) => (i.template.serviceAccount = UNKNOWN)),
                policy,
            );
        });
    });

    describe("iam-no-public-members and iam-no-basic-roles", () => {
        const grants = [
            resource(TYPES.cloudRunServiceIamMember, "invoker", { role: "roles/run.invoker", member: "allUsers" }),
            resource(TYPES.projectIamBinding, "viewers", {
                role: "roles/viewer",
                members: ["user:a@example.com", "allAuthenticatedUsers"],
            }),
            resource(TYPES.bucketIamPolicy, "policy", {
                policyData: JSON.stringify({ bindings: [{ role: "roles/owner", members: ["group:ops@example.com"] }] }),
            }),
            resource(TYPES.projectIamPolicy, "preview", { policyData: UNKNOWN }),
        ];

        it("accepts grants of predefined roles to specific principals (the secure composition makes several)", () => {
            assert.ok(secure.some((r) => /IAMMember$/i.test(r.type)));
            assertClean(secure, "iam-no-public-members");
            assertClean(secure, "iam-no-basic-roles");
        });

        it("refuses allUsers and allAuthenticatedUsers in a member, a binding or a policy document", () => {
            assertViolations(grants, "iam-no-public-members", [
                [
                    "invoker",
                    /grants "roles\/run\.invoker" to "allUsers".*Fix: grant the role to a specific principal.*invokerIamDisabled: true/,
                ],
                ["viewers", /grants "roles\/viewer" to "allAuthenticatedUsers"/],
            ]);
        });

        it("refuses roles/owner, roles/editor and roles/viewer", () => {
            assertViolations(grants, "iam-no-basic-roles", [
                ["viewers", /grants the basic role "roles\/viewer".*Fix: grant the predefined role the task needs/],
                ["policy", /grants the basic role "roles\/owner"/],
            ]);
        });
    });

    describe("storage-bucket-locked-down", () => {
        it("refuses per-object ACLs, public access prevention left to inheritance and force-destroy", () => {
            const resources = edited(secure, BUCKET, "models", (i) => {
                delete i.uniformBucketLevelAccess;
                i.publicAccessPrevention = "inherited";
                i.forceDestroy = true;
            });
            assertViolations(resources, "storage-bucket-locked-down", [
                [
                    "models",
                    /uniformBucketLevelAccess is unset.*Fix: set uniformBucketLevelAccess to true \(ModelBucket does\)/,
                ],
                ["models", /publicAccessPrevention is "inherited".*Fix: set publicAccessPrevention to "enforced"/],
                ["models", /forceDestroy is true.*Fix: set forceDestroy to false/],
            ]);
        });
    });

    describe("model-armor-fail-closed", () => {
        it("refuses an extension that fails open", async () => {
            assertViolations(await topology({ extension: { failOpen: true } }), "model-armor-fail-closed", [
                [
                    "guard",
                    /extensionChains\[0\]\.extensions\[0\]\.failOpen is true.*Fix: set guarded-llm:modelArmor\.failOpen to false/,
                ],
            ]);
        });
    });

    describe("model-armor-regional-endpoint", () => {
        it("refuses a Model Armor endpoint outside the extension's location", () => {
            const resources = edited(
                secure,
                EXTENSION,
                "guard",
                (i) => (i.extensionChains[0].extensions[0].service = "modelarmor.europe-west4.rep.googleapis.com"),
            );
            assertViolations(resources, "model-armor-regional-endpoint", [
                [
                    "guard",
                    /service is "modelarmor\.europe-west4\.rep\.googleapis\.com".*Fix: set service to "modelarmor\.us-central1\.rep\.googleapis\.com"/,
                ],
            ]);
        });
    });

    describe("model-armor-settings-well-formed", () => {
        const withSettings = (settings: unknown) =>
            edited(
                secure,
                EXTENSION,
                "guard",
                (i) =>
                    (i.extensionChains[0].extensions[0].metadata =
                        settings === undefined ? {} : { model_armor_settings: settings }),
            );
        const policy = "model-armor-settings-well-formed";

        it("accepts prompt-only and response-only settings, and does not judge settings unknown during preview", () => {
            assertClean(
                withSettings(JSON.stringify([{ model: "default", user_prompt_template_id: template("p") }])),
                policy,
            );
            assertClean(
                withSettings(JSON.stringify([{ model: "gemma:2b", model_response_template_id: template("r") }])),
                policy,
            );
            assertClean(withSettings(UNKNOWN), policy);
        });

        it("refuses missing settings, an object instead of a string, and text that is not a JSON array", () => {
            assertViolations(withSettings(undefined), policy, [
                [
                    "guard",
                    /model_armor_settings is missing, so Model Armor has no template to apply\. Fix: let ModelArmorTrafficExtension write it/,
                ],
            ]);
            assertViolations(withSettings([{ model: "default" }]), policy, [
                ["guard", /must be one string holding a JSON array/],
            ]);
            assertViolations(withSettings("{not json"), policy, [
                ["guard", /must hold a non-empty JSON array, not "\{not json"/],
            ]);
        });

        it("refuses Agent Gateway keys, entries without model or template, bad paths and templates in another region", () => {
            const settings = JSON.stringify([
                { model: "default", request_template_id: template("p"), response_template_id: template("r") },
                { user_prompt_template_id: "guard-prompt" },
                { model: "default", model_response_template_id: template("r", "europe-west4") },
            ]);
            assertViolations(withSettings(settings), policy, [
                ["guard", /\[0\] sets request_template_id, a key of Agent Gateway extensions/],
                ["guard", /\[0\] sets response_template_id/],
                ["guard", /\[0\] names no template: set user_prompt_template_id and\/or model_response_template_id/],
                ["guard", /\[1\] needs a "model"/],
                ["guard", /\[1\]\.user_prompt_template_id = "guard-prompt" is not a template path/],
                [
                    "guard",
                    /\[2\]\.model_response_template_id is a template in europe-west4, but Model Armor is called in us-central1.*REGION the extension's location/,
                ],
            ]);
        });
    });

    describe("model-armor-events-match-templates", () => {
        it("refuses a template whose body is not among the extension's events", () => {
            const resources = edited(
                secure,
                EXTENSION,
                "guard",
                (i) => (i.extensionChains[0].extensions[0].supportedEvents = ["REQUEST_HEADERS", "REQUEST_BODY"]),
            );
            assertViolations(resources, "model-armor-events-match-templates", [
                [
                    "guard",
                    /names a response template \(model_response_template_id\) but its supportedEvents lack RESPONSE_BODY.*Fix: add RESPONSE_BODY \(with the other RESPONSE_\* events\)/,
                ],
            ]);
        });

        it("accepts one-sided screening chosen through the component", async () => {
            assertClean(await topology({ extension: { screen: "prompts" } }), "model-armor-events-match-templates");
        });
    });

    describe("model-armor-screens-both-directions", () => {
        it("refuses screening prompts only or responses only, unless the pack's config lowers it", async () => {
            const policy = "model-armor-screens-both-directions";
            assertViolations(await topology({ extension: { screen: "prompts" } }), policy, [
                [
                    "guard",
                    /does not screen responses \(needs RESPONSE_BODY.*Fix: set guarded-llm:modelArmor\.screen to "both"/,
                ],
            ]);
            assertViolations(await topology({ extension: { screen: "responses" } }), policy, [
                ["guard", /does not screen prompts/],
            ]);
            const oneSided = await topology({ extension: { screen: "prompts" } });
            assert.ok(runPolicies(oneSided).some((v) => v.policyName === policy && v.enforcementLevel === "mandatory"));
            assert.ok(runPolicies(oneSided, { [policy]: "advisory" }).every((v) => v.enforcementLevel === "advisory"));
        });
    });

    describe("model-armor-prompt-injection-on", () => {
        const policy = "model-armor-prompt-injection-on";

        it("refuses a prompt template without prompt injection detection, blaming the template", async () => {
            const resources = await topology({ armor: { prompt: { piAndJailbreak: { enabled: false } } } });
            assertViolations(resources, policy, [
                [
                    "guard-prompt",
                    /template "projects\/test-project\/locations\/us-central1\/templates\/guard-prompt" screens prompts \(user_prompt_template_id of guard\) but its prompt injection and jailbreak filter is "DISABLED"\. Fix: set guarded-llm:modelArmor\.prompt\.piAndJailbreak\.enabled to true/,
                ],
            ]);
        });

        it("ignores response templates, settings unknown during preview and templates outside the stack", () => {
            // The recommended preset (the secure fixture) detects injection on prompts only.
            const response = byType(secure, TEMPLATE).find((t) => t.name === "guard-response")!;
            assert.notStrictEqual(
                response.inputs.filterConfig.piAndJailbreakFilterSettings?.filterEnforcement,
                "ENABLED",
            );
            const disabled = edited(
                secure,
                TEMPLATE,
                "guard-prompt",
                (i) => (i.filterConfig.piAndJailbreakFilterSettings.filterEnforcement = "DISABLED"),
            );
            assertClean(
                edited(
                    disabled,
                    EXTENSION,
                    "guard",
                    (i) => (i.extensionChains[0].extensions[0].metadata.model_armor_settings = UNKNOWN),
                ),
                policy,
            );
            const elsewhere = JSON.stringify([{ model: "default", user_prompt_template_id: template("shared") }]);
            assertClean(
                edited(
                    disabled,
                    EXTENSION,
                    "guard",
                    (i) => (i.extensionChains[0].extensions[0].metadata.model_armor_settings = elsewhere),
                ),
                policy,
            );
        });
    });

    describe("model-armor-template-blocks", () => {
        it("advises blocking once an INSPECT_ONLY template is tuned", async () => {
            const { resources } = await record(
                () => new ModelArmorTemplates("guard", { region: REGION, prompt: { enforcement: "INSPECT_ONLY" } }),
            );
            assertViolations(resources.all, "model-armor-template-blocks", [
                [
                    "guard-prompt",
                    /enforcementType is INSPECT_ONLY.*Fix: .*set guarded-llm:modelArmor\.prompt\.enforcement \(or \.response\.enforcement\) to INSPECT_AND_BLOCK/,
                ],
            ]);
        });
    });

    describe("model-armor-guards-https-forwarding-rules", () => {
        it("refuses an HTTPS forwarding rule that no Model Armor extension is bound to", async () => {
            assertViolations(await topology({ extension: false }), "model-armor-guards-https-forwarding-rules", [
                [
                    "lb-https",
                    /HTTPS forwarding rule lb-https is bound to no Model Armor traffic extension.*Fix: add a ModelArmorTrafficExtension/,
                ],
            ]);
        });

        it("traces a rule list unknown during preview through its property dependencies", () => {
            assertClean(
                edited(secure, EXTENSION, "guard", (i) => (i.forwardingRules = [UNKNOWN])),
                "model-armor-guards-https-forwarding-rules",
            );
        });
    });

    describe("lb-no-admin-paths and lb-unscreened-inference-paths", () => {
        const refuse = { faultInjectionPolicy: { abort: { httpStatus: 404, percentage: 100 } } };
        const map = (pathMatcher: Record<string, unknown>, hosts = ["*"]) =>
            resource(URL_MAP, "map", {
                defaultService: "bs",
                defaultRouteAction: refuse,
                hostRules: [{ hosts, pathMatcher: "m" }],
                pathMatchers: [{ name: "m", defaultService: "bs", defaultRouteAction: refuse, ...pathMatcher }],
            });

        it("refuses a URL map that forwards an admin path, for any host", () => {
            const prefix = map({
                routeRules: [{ priority: 1, matchRules: [{ prefixMatch: "/api/" }], service: "ollama-bs" }],
            });
            const [violation] = violationsOf([prefix], "lb-no-admin-paths");
            assert.match(
                violation.message,
                /^routes \d+ Ollama admin paths to backend service "ollama-bs": \/api\/pull, \/api\/push, \/api\/create, \/api\/copy, \/api\/delete, \/api\/blobs, \/api\/me, \/api\/signout and \d+ more\. .*Fix: remove the path from guarded-llm:loadBalancer\.allowedPaths/,
            );
            const byHost = map({ pathRules: [{ paths: ["/api/pull"], service: "ollama-bs" }] }, ["*.example.com"]);
            assertViolations([byHost], "lb-no-admin-paths", [
                [
                    "map",
                    /routes 1 Ollama admin path \(Host: probe\.example\.com\) to backend service "ollama-bs": \/api\/pull\./,
                ],
            ]);
        });

        /** A map that refuses each literal admin path, then forwards what `rules` match (lower priority). */
        const refusingLiterals = (...rules: Record<string, unknown>[]) =>
            map({
                routeRules: [
                    ...OLLAMA_PATHS.admin.map((path, i) => ({
                        priority: i + 1,
                        matchRules: [{ fullPathMatch: path }],
                        service: "ollama-bs",
                        routeAction: refuse,
                    })),
                    ...rules.map((rule, i) => ({ priority: 100 + i, service: "ollama-bs", ...rule })),
                ],
            });

        it("probes below the refused literal paths: parameters, sub-paths and /api/user/keys/:encodedKey", () => {
            assertViolations([refusingLiterals({ matchRules: [{ prefixMatch: "/api/user/" }] })], "lb-no-admin-paths", [
                [
                    "map",
                    /routes 3 Ollama admin paths to backend service "ollama-bs": \/api\/user\/keys\/x, \/api\/user\/x, \/api\/user\/keys\/%78 \(Ollama reads \/api\/user\/keys\/x\)\. /,
                ],
            ]);
            // Everything but the eight literal paths reaches Ollama: blobs, user keys, sub-paths, encoded spellings.
            const [everything] = violationsOf(
                [refusingLiterals({ matchRules: [{ prefixMatch: "/" }] })],
                "lb-no-admin-paths",
            );
            const count = ADMIN_PROBES.length - OLLAMA_PATHS.admin.length;
            assert.match(
                everything.message,
                new RegExp(
                    `^routes ${count} Ollama admin paths to backend service "ollama-bs": /api/blobs/sha256-0, /api/user/keys/x, /api/pull/, /api/pull/x, /api/push/, /api/push/x, /api/create/, /api/create/x and ${count - 8} more\\. `,
                ),
            );
            for (const probe of [
                "/api/blobs/sha256-0",
                "/api/user/keys/x",
                "/api/signout/x",
                "/api/%70ull",
                "/%61pi/pull",
            ]) {
                assert.ok(ADMIN_PROBES.includes(probe), probe);
            }
        });

        it("judges a forwarded path as Ollama's router reads it, percent-decoded", () => {
            assertViolations(
                [refusingLiterals({ matchRules: [{ fullPathMatch: "/api/%70ull" }] })],
                "lb-no-admin-paths",
                [
                    [
                        "map",
                        /routes 1 Ollama admin path to backend service "ollama-bs": \/api\/%70ull \(Ollama reads \/api\/pull\)\. /,
                    ],
                ],
            );
            assertViolations([refusingLiterals({ matchRules: [{ prefixMatch: "/api/pul" }] })], "lb-no-admin-paths", [
                [
                    "map",
                    /: \/api\/pull\/, \/api\/pull\/x, \/api\/pul%6c \(Ollama reads \/api\/pull\), \/api\/pul%6C \(Ollama reads \/api\/pull\)\. /,
                ],
            ]);
            assertViolations(
                [refusingLiterals({ matchRules: [{ prefixMatch: "/%61pi/" }, { prefixMatch: "/api%2F" }] })],
                "lb-no-admin-paths",
                [
                    [
                        "map",
                        /routes 20 Ollama admin paths .*: \/%61pi\/pull \(Ollama reads \/api\/pull\), \/api%2Fpull \(Ollama reads \/api\/pull\), /,
                    ],
                ],
            );
        });

        it("refuses a URL map it cannot verify", () => {
            const regex = map({
                routeRules: [{ priority: 1, matchRules: [{ regexMatch: "^/v1/.*" }], service: "ollama-bs" }],
            });
            assertViolations([regex], "lb-no-admin-paths", [
                [
                    "map",
                    /cannot be verified: urlMap\.pathMatchers\[0\]\.routeRules\[0\]\.matchRules\[0\]: sets regexMatch, which routeRequest does not model\..*Fix: express the map with those/,
                ],
            ]);
        });

        it("does not judge a map whose routing is unknown during preview", () => {
            assertClean(
                [map({ routeRules: [{ priority: UNKNOWN, matchRules: [{ prefixMatch: "/" }], service: "bs" }] })],
                "lb-no-admin-paths",
            );
        });

        it("advises against unscreened inference paths, which the component only routes when explicitly allowed", async () => {
            const { resources } = await record(
                () =>
                    new RegionalHttpsLoadBalancer("lb", {
                        region: REGION,
                        cloudRunService: "ollama",
                        access: { mode: "public" },
                        proxySubnetCidr: "192.168.16.0/23",
                        tls: { mode: "self-signed" },
                        allowedPaths: ["/api/generate"],
                        allowUnscreenedPaths: true,
                    }),
            );
            assertViolations(resources.all, "lb-unscreened-inference-paths", [
                [
                    "lb-url-map",
                    /routes \/api\/generate to backend service ".*lb-backend": Model Armor screens only OpenAI-style bodies.*Fix: remove it from guarded-llm:loadBalancer\.allowedPaths/,
                ],
            ]);
            assertClean(resources.all, "lb-no-admin-paths");
        });
    });

    describe("lb-tls-minimum-1-2", () => {
        const policy = "lb-tls-minimum-1-2";

        it("refuses an SSL policy below TLS 1.2, blaming the policy", () => {
            assertViolations(
                edited(secure, SSL_POLICY, "lb-ssl-policy", (i) => (i.minTlsVersion = "TLS_1_1")),
                policy,
                [
                    [
                        "lb-ssl-policy",
                        /SSL policy lb-ssl-policy of HTTPS proxy lb-https-proxy has minTlsVersion "TLS_1_1"\. Fix: attach a RegionSslPolicy with minTlsVersion "TLS_1_2"/,
                    ],
                ],
            );
            assertViolations(
                edited(secure, SSL_POLICY, "lb-ssl-policy", (i) => delete i.minTlsVersion),
                policy,
                [["lb-ssl-policy", /has minTlsVersion unset \(GCP's default, TLS_1_0\)/]],
            );
        });

        it("refuses a proxy without an SSL policy or with one this stack does not manage", () => {
            assertViolations(
                edited(secure, HTTPS_PROXY, "lb-https-proxy", (i) => delete i.sslPolicy),
                policy,
                [
                    [
                        "lb-https-proxy",
                        /HTTPS proxy lb-https-proxy has no sslPolicy, so it accepts TLS 1\.0 and 1\.1\. Fix:/,
                    ],
                ],
            );
            const shared = edited(secure, HTTPS_PROXY, "lb-https-proxy", (i, r) => {
                i.sslPolicy = "projects/shared/regions/us-central1/sslPolicies/company";
                r.propertyDependencies.sslPolicy = [];
            });
            assertViolations(shared, policy, [
                [
                    "lb-https-proxy",
                    /uses SSL policy "projects\/shared\/.*company", which this stack does not manage.*Fix: manage the SSL policy in this stack/,
                ],
            ]);
        });

        it("follows the reference as a real preview shows it: unknown, with the policy in its property dependencies", () => {
            const preview = edited(
                edited(secure, HTTPS_PROXY, "lb-https-proxy", (i) => (i.sslPolicy = UNKNOWN)),
                SSL_POLICY,
                "lb-ssl-policy",
                (i) => (i.minTlsVersion = "TLS_1_0"),
            );
            assertViolations(preview, policy, [["lb-ssl-policy", /minTlsVersion "TLS_1_0"/]]);
        });

        it("follows a self link or a name when there are no property dependencies", () => {
            const byLink = edited(secure, HTTPS_PROXY, "lb-https-proxy", (i, r) => {
                i.sslPolicy =
                    "https://www.googleapis.com/compute/v1/projects/test-project/regions/us-central1/sslPolicies/tls12";
                r.propertyDependencies = {};
            });
            const named = edited(byLink, SSL_POLICY, "lb-ssl-policy", (i) => (i.name = "tls12"));
            assertClean(named, policy);
            assertViolations(
                edited(named, SSL_POLICY, "lb-ssl-policy", (i) => (i.minTlsVersion = "TLS_1_0")),
                policy,
                [["lb-ssl-policy", /TLS_1_0/]],
            );
        });
    });

    describe("lb-http-to-https-redirect", () => {
        it("advises an HTTP-to-HTTPS redirect on the HTTPS rule's address", async () => {
            assertViolations(await topology({ lb: { httpRedirect: false } }), "lb-http-to-https-redirect", [
                [
                    "lb-https",
                    /HTTPS forwarding rule lb-https has no port-80 rule on its address that redirects to HTTPS.*Fix: set guarded-llm:loadBalancer\.httpRedirect to true/,
                ],
            ]);
        });

        it("does not count a port-80 rule on another address", () => {
            const elsewhere = edited(secure, RULE, "lb-http", (i, r) => {
                i.ipAddress = "198.51.100.7";
                r.propertyDependencies.ipAddress = [];
            });
            assertViolations(elsewhere, "lb-http-to-https-redirect", [["lb-https", /no port-80 rule/]]);
        });
    });

    describe("lb-access-controlled", () => {
        const policy = "lb-access-controlled";

        it("accepts IAP on the backend service, or a Cloud Armor policy that admits listed sources only", async () => {
            assertClean(await topology({}), policy);
            assertClean(
                await topology({
                    lb: { access: { mode: "public" } },
                    cloudArmor: { allowedSourceRanges: ["203.0.113.0/24"] },
                }),
                policy,
            );
        });

        it("refuses an external backend in front of Cloud Run that anyone may call, unless the pack's config declares it public", async () => {
            const open = await topology({ lb: { access: { mode: "public" }, securityPolicy: undefined } });
            assertViolations(open, policy, [
                [
                    "lb-backend",
                    /serves Cloud Run to anyone on the internet: no Identity-Aware Proxy and no Cloud Armor source allowlist.*Fix: set guarded-llm:access/,
                ],
            ]);
            const throttled = await topology({ lb: { access: { mode: "public" } }, cloudArmor: {} });
            assertViolations(throttled, policy, [["lb-backend", /anyone on the internet/]]);
            const declared = runPolicies(open, { [policy]: "advisory" }).filter((v) => v.policyName === policy);
            assert.deepStrictEqual(
                declared.map((v) => v.enforcementLevel),
                ["advisory"],
            );
        });

        it("leaves internal load balancers alone: the VPC bounds who may call", async () => {
            assertClean(
                await topology({ lb: { access: { mode: "internal", subnet: "apps" }, networkTier: undefined } }),
                policy,
            );
        });
    });

    describe("lb-iap-has-accessors", () => {
        it("refuses IAP that grants the accessor role to nobody", async () => {
            const noGrants = (await topology({})).filter((r) => r.type !== TYPES.iapBackendServiceIamMember);
            assertViolations(noGrants, "lb-iap-has-accessors", [
                ["lb-backend", /grants roles\/iap\.httpsResourceAccessor to nobody/],
            ]);
            assertClean(await topology({}), "lb-iap-has-accessors");
            const projectWide = resource(TYPES.projectIamMember, "accessors", {
                project: "test-project",
                role: "roles/iap.httpsResourceAccessor",
                member: "group:ml@example.com",
            });
            assertClean([...noGrants, projectWide], "lb-iap-has-accessors");
        });
    });

    describe("lb-cloud-armor", () => {
        it("advises a Cloud Armor policy on the external backend service", async () => {
            assertViolations(await topology({ lb: { securityPolicy: undefined } }), "lb-cloud-armor", [
                [
                    "lb-backend",
                    /has no securityPolicy.*Fix: set guarded-llm:cloudArmor.*RegionalHttpsLoadBalancer args\.securityPolicy/,
                ],
            ]);
        });
    });

    describe("no-plaintext-private-keys", () => {
        const policy = "no-plaintext-private-keys";

        it("accepts keys in the inputs the providers keep secret, as CrossGuard sees them (unwrapped)", () => {
            assertClean(
                edited(secure, SSL_CERT, "lb-cert", (i) => (i.privateKey = PEM)),
                policy,
            );
            assertClean([resource(TYPES.secretVersion, "key", { secretData: PEM })], policy);
        });

        it("refuses a key in an environment variable, a label or a description", () => {
            const leaky = edited(secure, SERVICE, "llm", (i) => {
                i.template.containers[0].envs.push({ name: "TLS_KEY", value: PEM });
                i.labels = { key: PEM };
            });
            assertViolations([...leaky, resource(URL_MAP, "notes", { description: `backup: ${PEM}` })], policy, [
                [
                    "llm",
                    /template\.containers\.0\.envs\.5\.value holds a PEM private key in plain text.*Fix: store the key in Secret Manager/,
                ],
                ["llm", /labels\.key holds a PEM private key/],
                ["notes", /description holds a PEM private key/],
            ]);
        });

        it("never sees a key the program passed as a secret in the offline plan, which records it as [secret]", async () => {
            const { resources } = await record(
                () =>
                    new gcp.cloudrunv2.Service("svc", {
                        location: REGION,
                        ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
                        template: {
                            serviceAccount: "svc@test-project.iam.gserviceaccount.com",
                            containers: [{ image: "i:1", envs: [{ name: "KEY", value: pulumi.secret(PEM) }] }],
                        },
                    }),
            );
            assert.deepStrictEqual(resources.one(SERVICE).secretInputs, ["template"]);
            assertClean(resources.all, policy);
        });
    });

    describe("lb-no-plaintext-http", () => {
        it("refuses an HTTP proxy whose URL map forwards to the Ollama backend instead of redirecting", () => {
            const plaintext = edited(secure, URL_MAP, "lb-http-redirect", (i) => {
                delete i.defaultUrlRedirect;
                i.defaultService = link("backendServices", "lb-backend");
            });
            assertViolations(plaintext, "lb-no-plaintext-http", [
                [
                    "lb-http-proxy",
                    /HTTP proxy lb-http-proxy uses URL map lb-http-redirect, which forwards requests to backend service https:\/\/.*\/backendServices\/lb-backend instead of only redirecting: prompts and responses cross the network in plaintext.*Fix: serve Ollama through an HTTPS proxy only/,
                ],
            ]);
            // The port-80 rule is also a way to the Cloud Run service that Model Armor does not guard.
            assertViolations(plaintext, "model-armor-guards-https-forwarding-rules", [
                [
                    "lb-http",
                    /^forwarding rule lb-http is bound to no Model Armor traffic extension and reaches Cloud Run service llm of this stack/,
                ],
            ]);
        });
    });

    describe("lb-ssl-policy-strong-ciphers", () => {
        const policy = "lb-ssl-policy-strong-ciphers";
        const custom = (customFeatures: string[]) =>
            edited(secure, SSL_POLICY, "lb-ssl-policy", (i) => Object.assign(i, { profile: "CUSTOM", customFeatures }));

        it("refuses a CUSTOM profile with RSA key exchange or 3DES suites", () => {
            const weak = custom([
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_RSA_WITH_AES_128_CBC_SHA",
                "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            ]);
            assertViolations(weak, policy, [
                [
                    "lb-ssl-policy",
                    /^profile CUSTOM enables TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA, outside the MODERN profile's cipher suites.*Fix: use profile "MODERN" or "RESTRICTED"/,
                ],
            ]);
        });

        it("accepts a CUSTOM profile of ECDHE suites only", () => {
            assertClean(
                custom(["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"]),
                policy,
            );
        });
    });

    describe("storage-no-public-acl", () => {
        it("refuses access controls and ACLs that grant allUsers or allAuthenticatedUsers", () => {
            const acls = [
                resource(TYPES.bucketAccessControl, "bucket-acl", {
                    bucket: "models",
                    entity: "allUsers",
                    role: "READER",
                }),
                resource(TYPES.defaultObjectAccessControl, "default-acl", {
                    bucket: "models",
                    entity: "allAuthenticatedUsers",
                    role: "READER",
                }),
                resource(TYPES.objectAccessControl, "object-acl", {
                    bucket: "models",
                    object: "manifest",
                    entity: "allUsers",
                    role: "READER",
                }),
                resource(TYPES.bucketAcl, "acl", { bucket: "models", roleEntities: ["READER:allUsers"] }),
                resource(TYPES.objectAcl, "predefined", { bucket: "models", object: "m", predefinedAcl: "publicRead" }),
                resource(TYPES.bucketAccessControl, "team", {
                    bucket: "models",
                    entity: "group-ml@example.com",
                    role: "READER",
                }),
            ];
            assertViolations(acls, "storage-no-public-acl", [
                [
                    "bucket-acl",
                    /^grants entity "allUsers" \(role "READER"\), i\.e\. access for anyone on the internet.*Fix: remove the ACL/,
                ],
                ["default-acl", /^grants entity "allAuthenticatedUsers"/],
                ["object-acl", /^grants entity "allUsers"/],
                ["acl", /^grants roleEntities "READER:allUsers"/],
                ["predefined", /^grants predefinedAcl "publicRead"/],
            ]);
        });
    });

    describe("model-armor-every-model-screened", () => {
        it("refuses a served model whose entry lacks the prompt template that the other entries name", () => {
            const settings = JSON.stringify([
                { model: "gemma:2b", model_response_template_id: template("guard-response") },
                {
                    model: "default",
                    user_prompt_template_id: template("guard-prompt"),
                    model_response_template_id: template("guard-response"),
                },
            ]);
            const resources = edited(
                secure,
                EXTENSION,
                "guard",
                (i) => (i.extensionChains[0].extensions[0].metadata.model_armor_settings = settings),
            );
            assertViolations(resources, "model-armor-every-model-screened", [
                [
                    "guard",
                    /extensionChains\[0\]\.extensions\[0\]\.metadata\.model_armor_settings\[0\] \(model "gemma:2b"\) has no user_prompt_template_id while other entries have one: prompts to that model pass Model Armor unscreened\. Fix: give every entry the same user_prompt_template_id/,
                ],
            ]);
        });
    });

    describe("model-armor-screens-routed-paths", () => {
        const policy = "model-armor-screens-routed-paths";
        const withCel = (celExpression: string) =>
            edited(secure, EXTENSION, "guard", (i) => (i.extensionChains[0].matchCondition = { celExpression }));

        it("refuses a match condition that selects fewer paths than the URL map routes to the backend", () => {
            const narrow = withCel(
                'request.path == "/v1/chat/completions" || request.path.startsWith("/v1/chat/completions?")',
            );
            assertViolations(narrow, policy, [
                [
                    "guard",
                    /^URL map lb-url-map routes \/v1\/completions, \/v1\/models to a backend, but the Model Armor chain extensionChains\[0\] of guard does not match them: those requests reach Ollama without being screened\. Fix: /,
                ],
            ]);
            assertViolations(withCel('request.path == "/healthz"'), policy, [
                ["guard", /routes \/v1\/chat\/completions, \/v1\/completions, \/v1\/models to a backend/],
            ]);
        });

        it("finds the paths a prefix route adds, encoded spellings included", () => {
            const prefixed = edited(secure, URL_MAP, "lb-url-map", (i) =>
                i.pathMatchers[0].routeRules.splice(0, 0, {
                    priority: 0,
                    matchRules: [{ prefixMatch: "/v1/" }],
                    service: link("backendServices", "lb-backend"),
                }),
            );
            assertViolations(prefixed, policy, [
                [
                    "guard",
                    /^URL map lb-url-map routes \/v1\/, \/v1\/x, \/v1\/embeddings, \/v1\/responses, \/v1\/messages, \/v1\/chat\/completions\/x, \/v1\/chat\/%63ompletions, \/v1\/chat\/completion%73 and 2 more to a backend/,
                ],
            ]);
        });

        it("reports a match condition it cannot read as unverifiable, not as passed", () => {
            assertViolations(withCel('request.path.contains("/v1/")'), policy, [
                [
                    "guard",
                    /^extensionChains\[0\]\.matchCondition of guard cannot be verified: the pack reads only request\.path, request\.host and request\.backend_service_name compared \(==, startsWith, matches\) and joined by \|\| and &&, not "request\.path\.contains\(\\"\/v1\/\\"\)".*Fix: write it as request\.path == "\/p"/,
                ],
            ]);
        });

        it("accepts a condition that matches every routed path, however it is written", () => {
            assertClean(withCel('(request.path.startsWith("/v1/")) || request.path == "/"'), policy);
            assertClean(withCel('request.path.matches("^/v1/")'), policy);
            assertClean(withCel("true"), policy);
        });
    });

    describe("model-armor-chain-runs-first", () => {
        const policy = "model-armor-chain-runs-first";
        const withChainBefore = (celExpression?: string) =>
            edited(secure, EXTENSION, "guard", (i) =>
                i.extensionChains.unshift({
                    name: "audit",
                    ...(celExpression === undefined ? {} : { matchCondition: { celExpression } }),
                    extensions: [
                        {
                            name: "audit",
                            service: link("backendServices", "audit-callouts"),
                            supportedEvents: ["REQUEST_HEADERS"],
                        },
                    ],
                }),
            );

        it("refuses an earlier chain whose condition overlaps the Model Armor chain's", () => {
            assertViolations(withChainBefore('request.path.startsWith("/v1/chat/")'), policy, [
                [
                    "guard",
                    /^extensionChains\[0\] of guard comes before the Model Armor chain extensionChains\[1\] and matches \/v1\/chat\/completions too first: only the first matching chain runs, so Model Armor never screens those requests\. Fix: move the Model Armor chain first/,
                ],
            ]);
            assertViolations(withChainBefore(), policy, [
                ["guard", /matches \/v1\/chat\/completions, \/v1\/completions, \/v1\/models too first/],
            ]);
            assertViolations(withChainBefore('request.method == "POST"'), policy, [
                ["guard", /its matchCondition "request\.method == \\"POST\\"" cannot be read, so it may take any path/],
            ]);
        });

        it("accepts an earlier chain for other paths", () => {
            assertClean(withChainBefore('request.path == "/healthz"'), policy);
            // The load balancer routes requests without a host name (one "*" rule): a chain for one host takes none.
            assertClean(withChainBefore('request.host == "a.example.com"'), policy);
            assertClean(withChainBefore('request.path == "/healthz"'), "model-armor-screens-routed-paths");
        });
    });

    describe("model-armor-guards-https-forwarding-rules, every way to the Cloud Run service", () => {
        const global =
            (scope = "global") =>
            (collection: string, name: string) =>
                link(collection, name, scope);
        /** A global external Application Load Balancer in front of the same Cloud Run service, written by hand. */
        const secondLoadBalancer = () => {
            const g = global();
            return [
                resource(TYPES.networkEndpointGroup, "global-neg", {
                    region: REGION,
                    networkEndpointType: "SERVERLESS",
                    cloudRun: { service: "llm" },
                }),
                resource(TYPES.globalBackendService, "global-backend", {
                    loadBalancingScheme: "EXTERNAL_MANAGED",
                    backends: [{ group: link("networkEndpointGroups", "global-neg") }],
                }),
                resource(TYPES.globalUrlMap, "global-map", { defaultService: g("backendServices", "global-backend") }),
                resource(TYPES.globalHttpsProxy, "global-proxy", {
                    urlMap: g("urlMaps", "global-map"),
                    sslCertificates: [g("sslCertificates", "global-cert")],
                }),
                resource(TYPES.globalForwardingRule, "global-https", {
                    loadBalancingScheme: "EXTERNAL_MANAGED",
                    portRange: "443",
                    target: g("targetHttpsProxies", "global-proxy"),
                }),
            ];
        };

        it("refuses a second, global load balancer in front of the same service without Model Armor", () => {
            assertViolations([...secure, ...secondLoadBalancer()], "model-armor-guards-https-forwarding-rules", [
                [
                    "global-https",
                    /^HTTPS forwarding rule global-https is bound to no Model Armor traffic extension and reaches Cloud Run service llm of this stack, so prompts and responses reach Ollama unscreened\. Fix: /,
                ],
            ]);
        });

        it("follows a literal self link with no property dependency recorded", async () => {
            const literal = (resources: RecordedResource[], collection: string) =>
                edited(resources, RULE, "lb-https", (i, r) => {
                    i.target = link(collection, "lb-https-proxy");
                    r.propertyDependencies = {};
                });
            const unguarded = await topology({ extension: false });
            assertViolations(literal(unguarded, "targetHttpsProxies"), "model-armor-guards-https-forwarding-rules", [
                [
                    "lb-https",
                    /^HTTPS forwarding rule lb-https is bound to no Model Armor traffic extension and reaches Cloud Run service llm/,
                ],
            ]);
            // A link to another collection names another resource, even under the same name.
            assertClean(literal(unguarded, "targetHttpProxies"), "model-armor-guards-https-forwarding-rules");
            assertClean(literal(secure, "targetHttpsProxies"), "model-armor-guards-https-forwarding-rules");
        });
    });

    describe("model-armor-templates-in-extension-project", () => {
        it("advises when the templates are in another project than the extension's, where the pack cannot read them", () => {
            const shared = (name: string) => `projects/shared-armor/locations/${REGION}/templates/${name}`;
            const settings = JSON.stringify([
                { model: "default", user_prompt_template_id: shared("p"), model_response_template_id: shared("r") },
            ]);
            const elsewhere = edited(secure, EXTENSION, "guard", (i) => {
                i.project = "test-project";
                i.extensionChains[0].extensions[0].metadata.model_armor_settings = settings;
            });
            assertViolations(elsewhere, "model-armor-templates-in-extension-project", [
                [
                    "guard",
                    /^guard applies template "projects\/shared-armor\/locations\/us-central1\/templates\/p" of project "shared-armor", not of its own project "test-project": the policy pack cannot read that template's filters.*Fix: manage the templates in this stack/,
                ],
                ["guard", /templates\/r" of project "shared-armor"/],
            ]);
            const own = edited(secure, EXTENSION, "guard", (i) => (i.project = "test-project"));
            assertClean(own, "model-armor-templates-in-extension-project");
        });
    });

    describe("model-armor-response-template-filters-on", () => {
        const policy = "model-armor-response-template-filters-on";
        const allOff = {
            raiSettings: { raiFilters: [] },
            piAndJailbreakFilterSettings: { filterEnforcement: "DISABLED" },
            maliciousUriFilterSettings: { filterEnforcement: "DISABLED" },
            sdpSettings: { basicConfig: { filterEnforcement: "DISABLED" } },
        };

        it("advises against a response template whose every filter is off", () => {
            const off = edited(secure, TEMPLATE, "guard-response", (i) => (i.filterConfig = allOff));
            assertViolations(off, policy, [
                [
                    "guard-response",
                    /^template "projects\/test-project\/locations\/us-central1\/templates\/guard-response" screens responses \(model_response_template_id of guard\) but turns every filter off.*Fix: turn on the filters responses need/,
                ],
            ]);
            const sdp = {
                ...allOff,
                sdpSettings: { advancedConfig: { inspectTemplate: "projects/p/locations/l/inspectTemplates/t" } },
            };
            assertClean(
                edited(secure, TEMPLATE, "guard-response", (i) => (i.filterConfig = sdp)),
                policy,
            );
        });
    });

    describe("runPolicies", () => {
        it("hands policies props that throw on unknown values, as CrossGuard does, and reports that as advisory", () => {
            const naive: ResourceValidationPolicy = {
                name: "naive",
                description: "reads a value without caring whether it is known",
                enforcementLevel: "mandatory",
                validateResource: (args, report) => {
                    if (args.props.ingress !== "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER") report("open");
                },
            };
            const preview = [resource(SERVICE, "svc", { ingress: UNKNOWN })];
            assert.deepStrictEqual(runPolicies(preview, {}, [naive]), [
                {
                    policyName: "naive",
                    enforcementLevel: "advisory",
                    urn: preview[0].urn,
                    message:
                        "can't run policy naive during preview: string value at .ingress can't be known during preview",
                },
            ]);
        });

        it("applies the policy pack config: enforcement levels and disabled policies", () => {
            const open = [
                resource(SERVICE, "svc", {
                    ingress: "INGRESS_TRAFFIC_ALL",
                    template: { serviceAccount: "svc@p.iam.gserviceaccount.com" },
                }),
            ];
            assert.deepStrictEqual(
                runPolicies(open).map((v) => [v.policyName, v.enforcementLevel]),
                [["cloud-run-ingress-via-load-balancer", "mandatory"]],
            );
            assert.deepStrictEqual(
                runPolicies(open, { "cloud-run-ingress-via-load-balancer": { enforcementLevel: "advisory" } }).map(
                    (v) => v.enforcementLevel,
                ),
                ["advisory"],
            );
            assert.deepStrictEqual(runPolicies(open, { "cloud-run-ingress-via-load-balancer": "disabled" }), []);
        });

        it("formats violations for the offline plan, mandatory first, and says whether the plan must fail", async () => {
            const violations = runPolicies(
                await topology({ lb: { httpRedirect: false }, extension: { failOpen: true } }),
            );
            assert.strictEqual(hasMandatoryViolation(violations), true);
            assert.strictEqual(
                hasMandatoryViolation(violations.filter((v) => v.enforcementLevel === "advisory")),
                false,
            );
            const text = formatViolations(violations);
            assert.match(text, /^Policy violations: 1 mandatory, 1 advisory\n/);
            assert.match(
                text,
                /\n {2}\[mandatory\] model-armor-fail-closed: gcp:networkservices\/lbTrafficExtension:LbTrafficExtension guard\n {6}extensionChains/,
            );
            assert.ok(
                text.indexOf("[mandatory]") <
                    text.indexOf(
                        "[advisory] lb-http-to-https-redirect: gcp:compute/forwardingRule:ForwardingRule lb-https",
                    ),
            );
            assert.strictEqual(formatViolations([]), "Policies: no violations.");
        });
    });

    // Mocha runs a suite's own tests before its nested suites: this one comes last.
    describe("coverage", () => {
        it("has a violating fixture for every policy", () => {
            assert.deepStrictEqual(
                policies.map((p) => p.name).filter((name) => !violated.has(name)),
                [],
            );
        });
    });
});
