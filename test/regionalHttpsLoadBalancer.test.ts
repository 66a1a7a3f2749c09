import * as assert from "assert";
import {
    RegionalHttpsLoadBalancer,
    regionalHttpsLoadBalancerWarnings,
    RegionalHttpsLoadBalancerArgs,
} from "../components/regionalHttpsLoadBalancer";
import { PROBE_PATHS, routeTable } from "../components/pure/routeTable";
import { routeRequest } from "../components/pure/urlMapRouter";
import { MOCK_ADDRESS } from "../tools/mockRuntime";
import { CERTIFICATE_PEM, PRIVATE_KEY_PEM } from "./fixtures/pems";
import { ARTICLE_CERTIFICATE_SUBJECT, assertProblems, record, Recorded, refusal } from "./harness";
import { componentType, TYPES } from "../components/pure/resourceTypes";

const COMPONENT = componentType("RegionalHttpsLoadBalancer");
const NEG = TYPES.networkEndpointGroup;
const BACKEND = TYPES.backendService;
const URL_MAP = TYPES.urlMap;
const HTTPS_PROXY = TYPES.httpsProxy;
const HTTP_PROXY = TYPES.httpProxy;
const SSL_CERT = TYPES.sslCertificate;
const SSL_POLICY = TYPES.sslPolicy;
const ADDRESS = TYPES.address;
const RULE = TYPES.forwardingRule;
const SUBNET = TYPES.subnetwork;
const DNS_AUTH = TYPES.dnsAuthorization;
const CM_CERT = TYPES.certificateManagerCertificate;
const TLS_KEY = TYPES.tlsPrivateKey;
const TLS_CERT = TYPES.tlsSelfSignedCert;

const BASE: RegionalHttpsLoadBalancerArgs = {
    region: "us-central1",
    cloudRunService: "ollama",
    access: { mode: "public" },
    proxySubnetCidr: "192.168.16.0/23",
    tls: { mode: "self-signed" },
};
const link = (collection: string, name: string) =>
    `https://www.googleapis.com/compute/v1/projects/test-project/regions/us-central1/${collection}/${name}`;
const BACKEND_LINK = link("backendServices", "lb-backend");

async function build(args: Partial<RegionalHttpsLoadBalancerArgs> = {}): Promise<Recorded> {
    const { resources } = await record(
        () => new RegionalHttpsLoadBalancer("lb", { ...BASE, ...args } as RegionalHttpsLoadBalancerArgs),
    );
    return resources;
}

/** The component's registered outputs. */
const outputs = (r: Recorded) => r.one(COMPONENT).outputs!;
const httpsRule = (r: Recorded) => r.one(RULE, "lb-https");

/** Builds with `args`, which must be refused with exactly these problems, before anything is registered. */
async function assertRefused(
    args: Partial<RegionalHttpsLoadBalancerArgs> | Record<string, unknown>,
    expected: [string, unknown?][],
) {
    assertProblems(
        await refusal(() => new RegionalHttpsLoadBalancer("lb", { ...BASE, ...args } as RegionalHttpsLoadBalancerArgs)),
        expected,
    );
}

describe("RegionalHttpsLoadBalancer", () => {
    it("puts the Cloud Run service behind a serverless NEG and an EXTERNAL_MANAGED HTTPS backend service with request logs", async () => {
        const r = await build();
        const neg = r.one(NEG).inputs;
        assert.deepStrictEqual(
            [neg.region, neg.networkEndpointType, neg.cloudRun],
            ["us-central1", "SERVERLESS", { service: "ollama" }],
        );
        const backend = r.one(BACKEND).inputs;
        assert.strictEqual(backend.loadBalancingScheme, "EXTERNAL_MANAGED");
        assert.strictEqual(backend.protocol, "HTTPS");
        assert.deepStrictEqual(backend.backends, [
            { group: link("networkEndpointGroups", "lb-neg"), balancingMode: "UTILIZATION", capacityScaler: 1 },
        ]);
        assert.deepStrictEqual(backend.logConfig, { enable: true, sampleRate: 1 });
        for (const absent of ["healthChecks", "portName", "timeoutSec", "securityPolicy"])
            assert.ok(!(absent in backend), absent);
        assert.ok(r.dependsOn(r.one(BACKEND), r.one(NEG)));
    });

    it("attaches a Cloud Armor policy when given", async () => {
        const r = await build({ securityPolicy: "projects/p/regions/us-central1/securityPolicies/armor" });
        assert.strictEqual(
            r.one(BACKEND).inputs.securityPolicy,
            "projects/p/regions/us-central1/securityPolicies/armor",
        );
    });

    it("routes only the default allowlist to Ollama: the recorded URL map refuses every probe path with 404", async () => {
        const map = (await build()).one(URL_MAP).inputs;
        for (const path of ["/v1/chat/completions", "/v1/completions", "/v1/models"]) {
            assert.deepStrictEqual(routeRequest(map, path), { kind: "backend", service: BACKEND_LINK }, path);
            assert.deepStrictEqual(
                routeRequest(map, path, "llm.example.com"),
                { kind: "backend", service: BACKEND_LINK },
                path,
            );
        }
        for (const path of [...PROBE_PATHS, "/V1/chat/completions", "/v1//completions", "/api/tags", "/api/version"]) {
            assert.deepStrictEqual(routeRequest(map, path), { kind: "refused", status: 404 }, path);
        }
        assert.deepStrictEqual(
            routeRequest({ ...map, hostRules: [] }, "/v1/models"),
            { kind: "refused", status: 404 },
            "the map's own default refuses too",
        );
    });

    it("matches each allowed path exactly and refuses everything else through the last route rule", async () => {
        const matcher = (await build()).one(URL_MAP).inputs.pathMatchers[0];
        assert.deepStrictEqual(
            matcher.routeRules.map((rule: any) => rule.matchRules),
            [
                [{ fullPathMatch: "/v1/chat/completions" }],
                [{ fullPathMatch: "/v1/completions" }],
                [{ fullPathMatch: "/v1/models" }],
                [{ prefixMatch: "/" }],
            ],
        );
        assert.deepStrictEqual(matcher.routeRules[3].routeAction, {
            faultInjectionPolicy: { abort: { httpStatus: 404, percentage: 100 } },
        });
    });

    it("exposes the route table of the recorded URL map", async () => {
        const r = await build({ refusedPathStatus: 403 });
        const table = outputs(r).routeTable;
        assert.deepStrictEqual(table, routeTable(r.one(URL_MAP).inputs));
        assert.deepStrictEqual(
            table.filter((row: any) => row.reachesOllama).map((row: any) => [row.path, row.screened]),
            [
                ["/v1/chat/completions", true],
                ["/v1/completions", true],
                ["/v1/models", false],
            ],
        );
        assert.ok(table.filter((row: any) => !row.reachesOllama).every((row: any) => row.route.status === 403));
    });

    it("adds allowed paths exactly; unscreened inference needs the explicit opt-in and is reported as a warning", async () => {
        const r = await build({
            allowedPaths: ["/api/tags", "/api/generate", "/v1/models"],
            allowUnscreenedPaths: true,
        });
        assert.deepStrictEqual(outputs(r).routedPaths, [
            "/v1/chat/completions",
            "/v1/completions",
            "/v1/models",
            "/api/tags",
            "/api/generate",
        ]);
        const map = r.one(URL_MAP).inputs;
        assert.strictEqual(routeRequest(map, "/api/generate").kind, "backend");
        assert.strictEqual(routeRequest(map, "/api/tags").kind, "backend");
        assert.strictEqual(routeRequest(map, "/api/generate/x").kind, "refused");
        assert.strictEqual(routeRequest(map, "/api/chat").kind, "refused");
        assert.deepStrictEqual(
            r.warnings.filter((w: string) => w.startsWith("allowedPaths")),
            [
                "allowedPaths: /api/generate reaches Ollama UNSCREENED: Model Armor only screens /v1/chat/completions and /v1/completions",
            ],
        );
    });

    it("refuses admin paths, and unscreened inference without the opt-in, naming each path", async () => {
        await assertRefused(
            {
                allowedPaths: [
                    "/api/pull",
                    "/api/blobs/sha256-x",
                    "/api/generate",
                    "/api/show",
                    "v1/embeddings",
                    "/v1/completion",
                ],
            },
            [
                ["allowedPaths[0]", "/api/pull"],
                ["allowedPaths[1]", "/api/blobs/sha256-x"],
                ["allowedPaths[2]", "/api/generate"],
                ["allowedPaths[4]", "v1/embeddings"],
                ["allowedPaths[5]", "/v1/completion"],
            ],
        );
    });

    it("warns that /api/show leaks system prompts when it is allowed", async () => {
        const r = await build({ allowedPaths: ["/api/show"] });
        assert.ok(
            r.warnings.includes(
                "allowedPaths: /api/show shows every client each model's Modelfile, parameters and system prompt",
            ),
        );
    });

    describe("TLS", () => {
        it("self-signed (chosen explicitly): RSA 2048 and the article's subject, valid 365 days, its key a secret on the SSL certificate", async () => {
            const r = await build();
            assert.deepStrictEqual(r.one(TLS_KEY).inputs, { algorithm: "RSA", rsaBits: 2048 });
            const cert = r.one(TLS_CERT).inputs;
            assert.deepStrictEqual(cert.subject, ARTICLE_CERTIFICATE_SUBJECT);
            assert.strictEqual(cert.validityPeriodHours, 8760);
            const ssl = r.one(SSL_CERT);
            assert.strictEqual(ssl.inputs.privateKey, "[secret]");
            assert.ok(ssl.secretInputs.includes("privateKey"));
            assert.ok(
                r.dependsOn(ssl, r.one(TLS_CERT)) && r.dependsOn(ssl, r.one(TLS_KEY)),
                "built from the generated certificate and key",
            );
            assert.strictEqual(ssl.inputs.region, "us-central1");
            assert.deepStrictEqual(r.one(HTTPS_PROXY).inputs.sslCertificates, [link("sslCertificates", "lb-cert")]);
            assert.ok(r.warnings.some((w: string) => w.startsWith("tls.mode self-signed")));
            assert.strictEqual(outputs(r).endpointUrl, `https://${MOCK_ADDRESS}`);
        });

        it("managed: a regional DNS authorization per domain and a Certificate Manager certificate on the proxy, DNS records as output", async () => {
            const r = await build({
                tls: { mode: "managed", domains: ["llm.example.com", "api.example.com"] },
                access: { mode: "iap", accessors: ["group:ml@example.com"] },
            });
            const auths = r.ofType(DNS_AUTH);
            assert.deepStrictEqual(
                auths.map((a) => [a.inputs.domain, a.inputs.location, a.inputs.type]),
                [
                    ["llm.example.com", "us-central1", "PER_PROJECT_RECORD"],
                    ["api.example.com", "us-central1", "PER_PROJECT_RECORD"],
                ],
            );
            const cert = r.one(CM_CERT).inputs;
            assert.strictEqual(cert.location, "us-central1");
            assert.deepStrictEqual(cert.managed, {
                domains: ["llm.example.com", "api.example.com"],
                dnsAuthorizations: ["lb-dns-auth-0-id", "lb-dns-auth-1-id"],
            });
            const proxy = r.one(HTTPS_PROXY).inputs;
            assert.deepStrictEqual(proxy.certificateManagerCertificates, [
                "projects/test-project/locations/us-central1/certificates/lb-cert",
            ]);
            assert.ok(!("sslCertificates" in proxy));
            assert.strictEqual(r.ofType(SSL_CERT).length + r.ofType(TLS_KEY).length, 0);
            assert.deepStrictEqual(outputs(r).dnsRecords, [
                { name: "llm.example.com.", type: "A", data: MOCK_ADDRESS },
                { name: "api.example.com.", type: "A", data: MOCK_ADDRESS },
                {
                    name: "_acme-challenge.llm.example.com.",
                    type: "CNAME",
                    data: "lb-dns-auth-0.mock.authorize.certificatemanager.goog.",
                },
                {
                    name: "_acme-challenge.api.example.com.",
                    type: "CNAME",
                    data: "lb-dns-auth-1.mock.authorize.certificatemanager.goog.",
                },
            ]);
            assert.strictEqual(outputs(r).endpointUrl, "https://llm.example.com");
            assert.deepStrictEqual(r.warnings, []);
        });

        it("provided: the given certificate and key, both recorded as secrets (the SDK also hides the certificate)", async () => {
            const r = await build({
                tls: {
                    mode: "provided",
                    certificate: CERTIFICATE_PEM,
                    privateKey: PRIVATE_KEY_PEM,
                },
            });
            const ssl = r.one(SSL_CERT);
            assert.deepStrictEqual([ssl.inputs.certificate, ssl.inputs.privateKey], ["[secret]", "[secret]"]);
            assert.deepStrictEqual(ssl.secretInputs.sort(), ["certificate", "privateKey"]);
            assert.strictEqual(r.ofType(TLS_KEY).length, 0);
            assert.deepStrictEqual(outputs(r).dnsRecords, []);
        });

        it("refuses fields of another mode, missing fields and bad domains", async () => {
            await assertRefused({ tls: { mode: "self-signed", domains: ["a.example.com"] } }, [["tls.domains"]]);
            await assertRefused({ tls: { mode: "managed" } }, [["tls.domains"]]);
            await assertRefused({ tls: { mode: "managed", domains: ["*.example.com"] } }, [
                ["tls.domains[0]", "*.example.com"],
            ]);
            await assertRefused({ tls: { mode: "letsencrypt" } }, [["tls.mode", "letsencrypt"]]);
        });

        it("attaches a regional SSL policy with TLS 1.2 minimum and the MODERN profile; TLS 1.0 and 1.1 are refused", async () => {
            const r = await build();
            const policy = r.one(SSL_POLICY).inputs;
            assert.deepStrictEqual(
                [policy.region, policy.minTlsVersion, policy.profile],
                ["us-central1", "TLS_1_2", "MODERN"],
            );
            assert.strictEqual(r.one(HTTPS_PROXY).inputs.sslPolicy, link("sslPolicies", "lb-ssl-policy"));
            const restricted = await build({ sslPolicy: { profile: "RESTRICTED", minTlsVersion: "TLS_1_3" } });
            assert.deepStrictEqual(
                [restricted.one(SSL_POLICY).inputs.profile, restricted.one(SSL_POLICY).inputs.minTlsVersion],
                ["RESTRICTED", "TLS_1_3"],
            );
            await assertRefused({ sslPolicy: { minTlsVersion: "TLS_1_1" } }, [["sslPolicy.minTlsVersion", "TLS_1_1"]]);
            await assertRefused({ sslPolicy: { minTlsVersion: "TLS_1_3" } }, [["sslPolicy.profile", "MODERN"]]);
        });
    });

    describe("proxy-only subnet", () => {
        it("creates it from the CIDR on the network, and the forwarding rule waits for it", async () => {
            const r = await build({ network: "llm-vpc" });
            const subnet = r.one(SUBNET);
            assert.deepStrictEqual(
                [
                    subnet.inputs.ipCidrRange,
                    subnet.inputs.network,
                    subnet.inputs.region,
                    subnet.inputs.purpose,
                    subnet.inputs.role,
                ],
                ["192.168.16.0/23", "llm-vpc", "us-central1", "REGIONAL_MANAGED_PROXY", "ACTIVE"],
            );
            assert.ok(httpsRule(r).dependencies.includes(subnet.urn), "forwarding rule dependsOn the subnet");
            assert.strictEqual(httpsRule(r).inputs.network, "llm-vpc");
        });

        it("warns when the CIDR is in the range the auto-mode default network keeps for itself", () => {
            const warning =
                'proxySubnetCidr 10.129.0.0/23 is inside 10.128.0.0/9, which an auto-mode VPC such as "default" keeps for its own subnets: GCP refuses it there; use e.g. 192.168.16.0/23, or a custom-mode network';
            assert.ok(
                regionalHttpsLoadBalancerWarnings({
                    region: "us-central1",
                    cloudRunService: "llm",
                    access: { mode: "iap", accessors: ["group:ml@example.com"] },
                    proxySubnetCidr: "10.129.0.0/23",
                    tls: { mode: "managed", domains: ["a.example.com"] },
                }).includes(warning),
            );
            assert.deepStrictEqual(
                regionalHttpsLoadBalancerWarnings({
                    region: "us-central1",
                    cloudRunService: "llm",
                    access: { mode: "iap", accessors: ["group:ml@example.com"] },
                    proxySubnetCidr: "10.129.0.0/23",
                    network: "llm-vpc",
                    tls: { mode: "managed", domains: ["a.example.com"] },
                }),
                [],
            );
        });

        it("reuses an existing one, waiting for it when it comes from another load balancer in the program", async () => {
            const byName = await build({ proxySubnetCidr: undefined, proxySubnet: "proxy-only" });
            assert.strictEqual(byName.ofType(SUBNET).length, 0);
            assert.strictEqual(byName.one(RULE).inputs.network, "default");

            const { resources } = await record(() => {
                const first = new RegionalHttpsLoadBalancer("first", BASE);
                new RegionalHttpsLoadBalancer("second", {
                    ...BASE,
                    proxySubnetCidr: undefined,
                    proxySubnet: first.proxySubnet!.selfLink,
                });
            });
            assert.strictEqual(resources.ofType(SUBNET).length, 1);
            assert.ok(resources.one(RULE, "second-https").dependencies.includes(resources.one(SUBNET).urn));
        });

        it("needs exactly one of proxySubnetCidr and proxySubnet, and a /26 or larger range", async () => {
            await assertRefused({ proxySubnet: "proxy-only" }, [["proxySubnet", "proxy-only"]]);
            await assertRefused({ proxySubnetCidr: undefined }, [["proxySubnetCidr"]]);
            await assertRefused({ proxySubnetCidr: "192.168.0.0/27" }, [["proxySubnetCidr", "192.168.0.0/27"]]);
            await assertRefused({ proxySubnetCidr: "10.129.1.0/23" }, [["proxySubnetCidr", "10.129.1.0/23"]]);
            await assertRefused(
                { proxySubnetCidr: undefined, proxySubnet: "projects/p/regions/europe-west4/subnetworks/proxy" },
                [["proxySubnet", "projects/p/regions/europe-west4/subnetworks/proxy"]],
            );
        });
    });

    describe("address and forwarding rule", () => {
        it("serves HTTPS on 443 of a protected static external IP, EXTERNAL_MANAGED, on the default network", async () => {
            const r = await build();
            const address = r.one(ADDRESS);
            assert.deepStrictEqual(
                [address.inputs.addressType, address.inputs.networkTier, address.protect, address.retainOnDelete],
                ["EXTERNAL", "PREMIUM", true, undefined],
            );
            const rule = httpsRule(r).inputs;
            assert.deepStrictEqual(
                [
                    rule.loadBalancingScheme,
                    rule.ipProtocol,
                    rule.portRange,
                    rule.ipAddress,
                    rule.network,
                    rule.networkTier,
                    rule.target,
                ],
                [
                    "EXTERNAL_MANAGED",
                    "TCP",
                    "443",
                    MOCK_ADDRESS,
                    "default",
                    "PREMIUM",
                    link("targetHttpsProxies", "lb-https-proxy"),
                ],
            );
            assert.ok(r.dependsOn(r.one(RULE), address));
            assert.strictEqual(outputs(r).httpsForwardingRule, link("forwardingRules", "lb-https"));
            assert.strictEqual(outputs(r).ipAddress, MOCK_ADDRESS);
        });

        it("can retain the address on delete instead of protecting it", async () => {
            const address = (await build({ protectAddress: false, retainAddressOnDelete: true })).one(ADDRESS);
            assert.deepStrictEqual([address.protect, address.retainOnDelete], [undefined, true]);
        });

        it("uses the same network tier on the address and every forwarding rule", async () => {
            const r = await build({ networkTier: "STANDARD", httpRedirect: true });
            assert.strictEqual(r.one(ADDRESS).inputs.networkTier, "STANDARD");
            assert.deepStrictEqual(
                r.ofType(RULE).map((rule) => rule.inputs.networkTier),
                ["STANDARD", "STANDARD"],
            );
        });
    });

    describe("who may call", () => {
        const IAP = {
            mode: "iap",
            accessors: ["group:ml@example.com", "serviceAccount:app@p.iam.gserviceaccount.com"],
        } as const;

        it("iap: IAP with the Google-managed client on the backend service, each accessor granted the accessor role there", async () => {
            const r = await build({ access: IAP });
            const backend = r.one(BACKEND);
            assert.deepStrictEqual(backend.inputs.iap, { enabled: true });
            const grants = r.ofType(TYPES.iapBackendServiceIamMember);
            assert.deepStrictEqual(
                grants.map((g) => [g.inputs.member, g.inputs.role, g.inputs.webRegionBackendService, g.inputs.region]),
                IAP.accessors.map((m) => [m, "roles/iap.httpsResourceAccessor", "lb-backend", "us-central1"]),
            );
            assert.ok(!r.warnings.some((w) => w.startsWith("access.")), "no warning about who may call");
        });

        it("internal: INTERNAL_MANAGED everywhere, a private address in the subnet, no network tier, an optional private DNS record", async () => {
            const subnet = "projects/p/regions/us-central1/subnetworks/apps";
            const dns = { zone: "internal-zone", name: "llm.internal.example.com." };
            const r = await build({
                access: { mode: "internal", subnet, address: "10.10.0.5", dns },
                httpRedirect: true,
            });
            assert.strictEqual(r.one(BACKEND).inputs.loadBalancingScheme, "INTERNAL_MANAGED");
            assert.strictEqual(r.one(BACKEND).inputs.iap, undefined);
            const address = r.one(ADDRESS).inputs;
            assert.deepStrictEqual(
                [address.addressType, address.subnetwork, address.address, address.purpose, address.networkTier],
                ["INTERNAL", subnet, "10.10.0.5", "SHARED_LOADBALANCER_VIP", undefined],
            );
            for (const rule of r.ofType(RULE)) {
                assert.deepStrictEqual(
                    [rule.inputs.loadBalancingScheme, rule.inputs.subnetwork, rule.inputs.networkTier],
                    ["INTERNAL_MANAGED", subnet, undefined],
                );
            }
            const record = r.one(TYPES.dnsRecordSet).inputs;
            assert.deepStrictEqual(
                [record.managedZone, record.name, record.type, record.rrdatas],
                [dns.zone, dns.name, "A", ["10.10.0.5"]],
            );
            assert.strictEqual(outputs(r).endpointUrl, "https://llm.internal.example.com");
            const managed = await build({
                access: { mode: "internal", subnet },
                tls: { mode: "managed", domains: ["llm.internal.example.com"] },
            });
            assert.strictEqual(
                managed.one(ADDRESS).inputs.purpose,
                "SHARED_LOADBALANCER_VIP",
                "shared before a redirect is added",
            );
            assert.deepStrictEqual(
                outputs(managed).dnsRecords.map((record: { type: string }) => record.type),
                ["CNAME"],
                "the private address is not for public DNS",
            );
        });

        it("public: as before, with a warning", async () => {
            const r = await build();
            assert.strictEqual(r.one(BACKEND).inputs.loadBalancingScheme, "EXTERNAL_MANAGED");
            assert.ok(r.warnings.some((w) => w.startsWith("access.mode public: anyone on the internet")));
        });

        it("refuses a missing mode, empty or public accessors, and keys of another mode", async () => {
            await assertRefused({ access: undefined }, [["access"]]);
            await assertRefused({ access: { mode: "iap", accessors: [] } }, [["access.accessors", []]]);
            await assertRefused({ access: { mode: "iap", accessors: ["allUsers"] } }, [
                ["access.accessors[0]", "allUsers"],
            ]);
            await assertRefused({ access: { mode: "iap" } }, [["access.accessors"]]);
            await assertRefused({ access: { mode: "internal", accessors: ["group:a@b.c"], subnet: "apps" } }, [
                ["access.accessors"],
            ]);
            await assertRefused({ access: { mode: "internal" } }, [["access.subnet"]]);
            await assertRefused(
                { access: { mode: "internal", subnet: "projects/p/regions/europe-west4/subnetworks/apps" } },
                [["access.subnet", "projects/p/regions/europe-west4/subnetworks/apps"]],
            );
            await assertRefused({ access: { mode: "internal", subnet: "apps" }, networkTier: "PREMIUM" }, [
                ["networkTier", "PREMIUM"],
            ]);
            await assertRefused({ access: { mode: "public", subnet: "apps" } }, [["access.subnet"]]);
        });
    });

    describe("HTTP to HTTPS redirect", () => {
        it("is off by default: one URL map, one proxy, one forwarding rule", async () => {
            const r = await build();
            assert.deepStrictEqual(
                [r.ofType(URL_MAP).length, r.ofType(HTTP_PROXY).length, r.ofType(RULE).length],
                [1, 0, 1],
            );
        });

        it("adds a redirecting URL map, an HTTP proxy and a port-80 rule on the same address", async () => {
            const r = await build({ httpRedirect: true });
            const redirectMap = r.one(URL_MAP, "lb-http-redirect").inputs;
            assert.deepStrictEqual(routeRequest(redirectMap, "/v1/chat/completions"), {
                kind: "redirect",
                status: 308,
                redirect: { httpsRedirect: true, redirectResponseCode: "PERMANENT_REDIRECT", stripQuery: false },
            });
            assert.strictEqual(r.one(HTTP_PROXY).inputs.urlMap, link("urlMaps", "lb-http-redirect"));
            const http = r.one(RULE, "lb-http");
            assert.deepStrictEqual(
                [http.inputs.portRange, http.inputs.target, http.inputs.ipAddress],
                ["80", link("targetHttpProxies", "lb-http-proxy"), httpsRule(r).inputs.ipAddress],
            );
            assert.ok(http.dependencies.includes(r.one(SUBNET).urn));
        });
    });

    it("reports every problem at once, before registering anything", async () => {
        await assertRefused(
            { region: "Central", networkTier: "GOLD", network: "Bad Net", httpRedirect: "yes", refusedPathStatus: 500 },
            [
                ["region", "Central"],
                ["network", "Bad Net"],
                ["networkTier", "GOLD"],
                ["httpRedirect", "yes"],
                ["refusedPathStatus", 500],
            ],
        );
    });
});
