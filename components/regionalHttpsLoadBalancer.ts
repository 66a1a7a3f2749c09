import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { classifyOllamaPath, DEFAULT_ALLOWED_PATHS, KNOWN_OLLAMA_PATHS, OLLAMA_PATHS } from "./ollamaPaths";
import { routeTable, RouteTableRow } from "./routes";
import { checkComponentArgs, didYouMean, Problems } from "./validation";

/** A certificate generated in the program, as the article does with openssl; for development only. */
export interface SelfSignedTlsArgs {
    readonly mode: "self-signed";
}

/** A Google-managed Certificate Manager certificate, authorised by DNS records the user creates. */
export interface ManagedTlsArgs {
    readonly mode: "managed";
    /** Domains of the certificate, e.g. `["llm.example.com"]`; the first one is the endpoint URL's host. */
    readonly domains: readonly string[];
}

/** A certificate and private key the user supplies. */
export interface ProvidedTlsArgs {
    readonly mode: "provided";
    /** PEM certificate chain, leaf first. */
    readonly certificate: pulumi.Input<string>;
    /** PEM private key of the certificate; stored as a Pulumi secret. */
    readonly privateKey: pulumi.Input<string>;
}

export type TlsArgs = SelfSignedTlsArgs | ManagedTlsArgs | ProvidedTlsArgs;

/** The SSL policy of the HTTPS proxy. */
export interface SslPolicyArgs {
    /** Cipher profile; `RESTRICTED` is required with TLS 1.3 minimum. @default "MODERN" */
    readonly profile?: "COMPATIBLE" | "MODERN" | "RESTRICTED";
    /** Oldest TLS version accepted; TLS 1.0 and 1.1 are refused. @default "TLS_1_2" */
    readonly minTlsVersion?: "TLS_1_2" | "TLS_1_3";
}

/**
 * Arguments of {@link RegionalHttpsLoadBalancer}. Field names match the `guarded-llm:loadBalancer` stack config keys.
 * Give exactly one of `proxySubnetCidr` and `proxySubnet`.
 */
export interface RegionalHttpsLoadBalancerArgs {
    /** Region of every resource; must be the Cloud Run service's region. */
    readonly region: string;
    /** Project of every resource. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /** Name of the Cloud Run service behind the load balancer (e.g. `OllamaService.serviceName`). */
    readonly cloudRunService: pulumi.Input<string>;
    /** VPC of the forwarding rules and the proxy-only subnet: a name or a self link. @default "default" */
    readonly network?: pulumi.Input<string>;
    /**
     * Create the VPC's proxy-only subnet for this region with this IPv4 range: /26 or larger, Google recommends /23.
     * Only one may exist per VPC and region; a second load balancer there gives `proxySubnet` instead.
     * @default none: one of `proxySubnetCidr` and `proxySubnet` is required
     */
    readonly proxySubnetCidr?: string;
    /**
     * Reuse the existing proxy-only subnet of this VPC and region: its name or self link (e.g. another load
     * balancer's `proxySubnet.selfLink`). @default none: one of `proxySubnetCidr` and `proxySubnet` is required
     */
    readonly proxySubnet?: pulumi.Input<string>;
    /** Network tier of the address and the forwarding rules. @default "PREMIUM" */
    readonly networkTier?: "PREMIUM" | "STANDARD";
    /**
     * How the HTTPS proxy gets its certificate. No default: `self-signed` teaches clients to skip certificate
     * checks, so it must be chosen explicitly (development only); production uses `managed` or `provided`.
     */
    readonly tls: TlsArgs;
    /** The SSL policy of the HTTPS proxy. @default { profile: "MODERN", minTlsVersion: "TLS_1_2" } */
    readonly sslPolicy?: SslPolicyArgs;
    /** Also listen on port 80 of the same address and redirect every request to HTTPS. @default false */
    readonly httpRedirect?: boolean;
    /**
     * Exact paths routed to Ollama in addition to {@link DEFAULT_ALLOWED_PATHS}. Admin paths (`/api/pull`, ...) are
     * refused; inference Model Armor does not screen (`/api/generate`, ...) needs `allowUnscreenedPaths`.
     * @default []
     */
    readonly allowedPaths?: readonly string[];
    /** Accept inference paths Model Armor does not screen in `allowedPaths`; each adds a warning. @default false */
    readonly allowUnscreenedPaths?: boolean;
    /** Status the load balancer answers every other path with. @default 404 */
    readonly refusedPathStatus?: 403 | 404;
    /** A regional Cloud Armor policy (`compute.RegionSecurityPolicy`) for the backend service. @default none */
    readonly securityPolicy?: pulumi.Input<string>;
    /** Protect the static IP address from `pulumi destroy` and replacement: clients and DNS point at it. @default true */
    readonly protectAddress?: boolean;
    /** Leave the static IP address reserved in GCP when it is removed from the program. @default false */
    readonly retainAddressOnDelete?: boolean;
}

/** A DNS record the user must create. */
export interface DnsRecord {
    readonly name: string;
    readonly type: string;
    readonly data: string;
}

export const TLS_MODES = ["self-signed", "managed", "provided"] as const;
export const NETWORK_TIERS = ["PREMIUM", "STANDARD"] as const;
const SSL_PROFILES = ["COMPATIBLE", "MODERN", "RESTRICTED"] as const;
const MIN_TLS_VERSIONS = ["TLS_1_2", "TLS_1_3"] as const;
const TLS_FIELDS: Record<(typeof TLS_MODES)[number], readonly string[]> = {
    "self-signed": [],
    managed: ["domains"],
    provided: ["certificate", "privateKey"],
};

/** The subject of the self-signed certificate: the article's `openssl req -subj` (seed 000, step 3). */
export const SELF_SIGNED_SUBJECT = {
    country: "US",
    province: "CA",
    locality: "Mountain View",
    organization: "tech",
    organizationalUnit: "AI",
    commonName: "internal.ai",
} as const;

/** The read-only path that hands out each model's Modelfile and system prompt. */
const SHOWS_SYSTEM_PROMPT = "/api/show";
const ALLOWLIST_MATCHER = "allowlist";
/** The catch-all refusal comes last whatever paths are added: the lowest precedence GCP accepts. */
const CATCH_ALL_PRIORITY = 2147483647;

const NAME = "[a-z]([-a-z0-9]{0,61}[a-z0-9])?";
const NAME_PATTERN = new RegExp(`^${NAME}$`);
const NETWORK_PATTERN = new RegExp(`^(${NAME}|(https://www\\.googleapis\\.com/compute/v1/)?projects/[^/]+/global/networks/${NAME})$`);
const SUBNET_LINK_PATTERN = new RegExp(`^(https://www\\.googleapis\\.com/compute/v1/)?projects/[^/]+/regions/([^/]+)/subnetworks/${NAME}$`);
const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A `fullPathMatch` value: 1..1024 characters, matched exactly, so no wildcards, queries or fragments. */
const EXACT_PATH_PATTERN = /^\/[^*?#\s]{0,1023}$/;

export function validateRegionalHttpsLoadBalancerArgs(args: RegionalHttpsLoadBalancerArgs, problems: Problems): void {
    const regionValid = problems.region("region", args.region);
    if (typeof args.network === "string") {
        problems.matches("network", args.network, NETWORK_PATTERN, 'must be a VPC name such as "default" or a network self link');
    }
    validateProxySubnet(args, problems, regionValid);
    if (args.networkTier !== undefined) problems.oneOf("networkTier", args.networkTier, NETWORK_TIERS);
    if (args.tls === undefined) {
        problems.add("tls", undefined, 'is required: { mode: "managed", domains: [...] } or { mode: "provided" } in production, { mode: "self-signed" } for development only');
    } else if (problems.object("tls", args.tls)) {
        validateTls(args.tls, problems.under("tls."));
    }
    if (args.sslPolicy !== undefined && problems.object("sslPolicy", args.sslPolicy)) {
        validateSslPolicy(args.sslPolicy, problems.under("sslPolicy."));
    }
    for (const field of ["httpRedirect", "allowUnscreenedPaths", "protectAddress", "retainAddressOnDelete"] as const) {
        if (args[field] !== undefined) problems.boolean(field, args[field]);
    }
    if (args.refusedPathStatus !== undefined && args.refusedPathStatus !== 403 && args.refusedPathStatus !== 404) {
        problems.add("refusedPathStatus", args.refusedPathStatus, "must be 403 or 404");
    }
    if (args.allowedPaths !== undefined && problems.array("allowedPaths", args.allowedPaths)) {
        args.allowedPaths.forEach((path, i) => validateAllowedPath(problems, `allowedPaths[${i}]`, path, args.allowUnscreenedPaths === true));
    }
}

function validateProxySubnet(args: RegionalHttpsLoadBalancerArgs, problems: Problems, regionValid: boolean): void {
    const { proxySubnetCidr: cidr, proxySubnet: existing } = args;
    if (cidr !== undefined && existing !== undefined) {
        problems.add("proxySubnet", typeof existing === "string" ? existing : undefined,
            "give either proxySubnetCidr (create the proxy-only subnet) or proxySubnet (reuse the existing one), not both");
    } else if (cidr === undefined && existing === undefined) {
        problems.add("proxySubnetCidr", undefined,
            'is required unless proxySubnet names the proxy-only subnet that already exists in this VPC and region (only one may exist); Google recommends a /23, e.g. "192.168.16.0/23"');
    } else if (cidr !== undefined) {
        validateProxySubnetCidr(problems, cidr);
    } else if (typeof existing === "string") {
        const link = SUBNET_LINK_PATTERN.exec(existing);
        if (!link && !NAME_PATTERN.test(existing)) {
            problems.add("proxySubnet", existing, "must be a subnet name or a subnetwork self link (projects/P/regions/R/subnetworks/NAME)");
        } else if (link && regionValid && link[2] !== args.region) {
            problems.add("proxySubnet", existing, `is in region ${link[2]}; the proxy-only subnet must be in the load balancer's region (${args.region})`);
        }
    }
}

function validateProxySubnetCidr(problems: Problems, cidr: unknown): void {
    const match = typeof cidr === "string" ? CIDR_PATTERN.exec(cidr) : null;
    const octets = match ? match.slice(1, 5).map(Number) : [];
    const prefix = match ? Number(match[5]) : NaN;
    if (!match || octets.some((o) => o > 255) || prefix > 32) {
        problems.add("proxySubnetCidr", cidr, 'must be an IPv4 range such as "192.168.16.0/23"');
        return;
    }
    if (prefix > 26) {
        problems.add("proxySubnetCidr", cidr, "must be /26 or larger (a proxy-only subnet needs at least 64 addresses; Google recommends /23)");
        return;
    }
    const size = 2 ** (32 - prefix);
    const start = octets.reduce((ip, octet) => ip * 256 + octet, 0);
    if (start % size !== 0) {
        const base = start - (start % size);
        const canonical = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join(".");
        problems.add("proxySubnetCidr", cidr, `has host bits set (did you mean "${canonical}/${prefix}"?)`);
    }
}

function validateTls(value: Record<string, unknown>, problems: Problems): void {
    problems.knownKeys(value, ["mode", ...Object.values(TLS_FIELDS).flat()]);
    if (!problems.oneOf("mode", value.mode, TLS_MODES)) return;
    const mode = value.mode;
    for (const [otherMode, fields] of Object.entries(TLS_FIELDS)) {
        for (const field of fields) {
            if (otherMode === mode && value[field] === undefined) {
                problems.add(field, undefined, `is required when tls.mode is "${mode}"`);
            } else if (otherMode !== mode && value[field] !== undefined) {
                problems.add(field, undefined, `applies only when tls.mode is "${otherMode}"`);
            }
        }
    }
    if (mode === "managed" && value.domains !== undefined && problems.array("domains", value.domains)) {
        if (value.domains.length === 0) problems.add("domains", value.domains, 'must name at least one domain, e.g. ["llm.example.com"]');
        const seen = new Set<unknown>();
        value.domains.forEach((domain, i) => {
            if (seen.has(domain)) problems.add(`domains[${i}]`, domain, "is listed twice");
            seen.add(domain);
            problems.matches(`domains[${i}]`, domain, DOMAIN_PATTERN, 'must be a lowercase domain name such as "llm.example.com" (no wildcards)');
        });
    }
    if (mode === "provided") {
        for (const field of TLS_FIELDS.provided) {
            if (typeof value[field] === "string") problems.nonEmptyString(field, value[field]);
        }
    }
}

function validateSslPolicy(value: Record<string, unknown>, problems: Problems): void {
    problems.knownKeys(value, ["profile", "minTlsVersion"]);
    if (value.profile !== undefined) problems.oneOf("profile", value.profile, SSL_PROFILES);
    if (value.minTlsVersion === "TLS_1_0" || value.minTlsVersion === "TLS_1_1") {
        problems.add("minTlsVersion", value.minTlsVersion, `TLS 1.0 and 1.1 are refused; must be one of ${MIN_TLS_VERSIONS.join(", ")}`);
    } else if (value.minTlsVersion !== undefined && problems.oneOf("minTlsVersion", value.minTlsVersion, MIN_TLS_VERSIONS)) {
        // GCP refuses TLS_1_3 with any other profile (provider docs of RegionSslPolicy.minTlsVersion).
        if (value.minTlsVersion === "TLS_1_3" && (value.profile ?? "MODERN") !== "RESTRICTED") {
            problems.add("profile", value.profile ?? "MODERN", 'must be "RESTRICTED" when minTlsVersion is "TLS_1_3"');
        }
    }
}

function validateAllowedPath(problems: Problems, field: string, path: unknown, allowUnscreened: boolean): void {
    if (!problems.matches(field, path, EXACT_PATH_PATTERN,
        'must be an exact path starting with "/" (no "*", "?", "#" or spaces; at most 1024 characters), e.g. "/v1/embeddings"')) {
        return;
    }
    switch (classifyOllamaPath(path)) {
        case "admin":
            problems.add(field, path, "is an Ollama admin path (it pulls, pushes, creates, copies or deletes models, or manages the ollama.com account) and is never routed; declare models in ollama.models instead (the pull job fetches them)");
            break;
        case "unscreened-inference":
            if (!allowUnscreened) {
                problems.add(field, path, `is Ollama inference that Model Armor does not screen (it screens only ${OLLAMA_PATHS["screened-inference"].join(", ")}); set allowUnscreenedPaths: true to route it anyway`);
            }
            break;
        case "unknown":
            problems.add(field, path, `is not an Ollama API path this library knows${didYouMean(path, KNOWN_OLLAMA_PATHS)}`);
            break;
    }
}

/** Does a CIDR overlap 10.128.0.0/9, the range of an auto-mode VPC's subnets? */
function inAutoModeRange(cidr: string): boolean {
    const [a, b] = cidr.split(/[./]/).map(Number);
    return a === 10 && b >= 128;
}

/** Every path routed to Ollama: the defaults, then `allowedPaths` in order, each once. */
export function routedPaths(args: Pick<RegionalHttpsLoadBalancerArgs, "allowedPaths">): string[] {
    return [...new Set([...DEFAULT_ALLOWED_PATHS, ...(args.allowedPaths ?? [])])];
}

/** What the offline plan and `pulumi up` should warn about for these (valid) args. */
export function regionalHttpsLoadBalancerWarnings(
    args: Pick<RegionalHttpsLoadBalancerArgs, "allowedPaths" | "tls" | "network" | "proxySubnetCidr">,
): string[] {
    const warnings = routedPaths(args).flatMap((path) => {
        if (classifyOllamaPath(path) === "unscreened-inference") {
            return [`allowedPaths: ${path} reaches Ollama UNSCREENED: Model Armor only screens ${OLLAMA_PATHS["screened-inference"].join(" and ")}`];
        }
        if (path.toLowerCase() === SHOWS_SYSTEM_PROMPT) {
            return [`allowedPaths: ${path} shows every client each model's Modelfile, parameters and system prompt`];
        }
        return [];
    });
    if ((args.network ?? "default") === "default" && args.proxySubnetCidr !== undefined && inAutoModeRange(args.proxySubnetCidr)) {
        warnings.push(`proxySubnetCidr ${args.proxySubnetCidr} is inside 10.128.0.0/9, which an auto-mode VPC such as "default" keeps for its own subnets: GCP refuses it there; use e.g. 192.168.16.0/23, or a custom-mode network`);
    }
        if (args.tls?.mode === "self-signed") {
        warnings.push(`tls.mode self-signed: clients must trust the certificate for ${SELF_SIGNED_SUBJECT.commonName} explicitly or skip verification; use "managed" or "provided" in production`);
    }
    return warnings;
}

/**
 * The allowlist URL map: each routed path matched EXACTLY (`fullPathMatch`, so `/v1/chat/completions/x` cannot
 * ride on an allowed path) and forwarded to `backend`; every other path, and every default, answered by the load
 * balancer itself with a fault-injection abort of 100% that never reaches the backend. The provider docs ask each
 * rule for one of service, weighted backend services or redirect, so the refusals name the backend too; the abort
 * answers before anything is forwarded.
 */
function allowlistUrlMap<S extends pulumi.Input<string>>(backend: S, paths: readonly string[], refusedStatus: number) {
    const refuse = { faultInjectionPolicy: { abort: { httpStatus: refusedStatus, percentage: 100 } } };
    return {
        defaultService: backend,
        defaultRouteAction: refuse,
        hostRules: [{ hosts: ["*"], pathMatcher: ALLOWLIST_MATCHER }],
        pathMatchers: [
            {
                name: ALLOWLIST_MATCHER,
                defaultService: backend,
                defaultRouteAction: refuse,
                routeRules: [
                    ...paths.map((path, i) => ({ priority: i + 1, matchRules: [{ fullPathMatch: path }], service: backend })),
                    { priority: CATCH_ALL_PRIORITY, matchRules: [{ prefixMatch: "/" }], service: backend, routeAction: refuse },
                ],
            },
        ],
    };
}

/**
 * A regional external Application Load Balancer in front of one Cloud Run service (seed 000, steps 1-5): serverless
 * NEG, backend service, URL map with the path allowlist, TLS certificate, SSL policy, HTTPS proxy, static IP,
 * forwarding rule, the region's proxy-only subnet (created or reused), and optionally an HTTP-to-HTTPS redirect.
 */
export class RegionalHttpsLoadBalancer extends pulumi.ComponentResource {
    /** The backend service in front of the serverless NEG. */
    public readonly backendService: gcp.compute.RegionBackendService;
    /** The URL map implementing the path allowlist. */
    public readonly urlMap: gcp.compute.RegionUrlMap;
    /** The static external IP address. */
    public readonly address: gcp.compute.Address;
    /** The port-443 forwarding rule; a Model Armor traffic extension binds to its `selfLink`. */
    public readonly httpsForwardingRule: gcp.compute.ForwardingRule;
    /** The exact paths routed to Ollama: {@link DEFAULT_ALLOWED_PATHS}, then `allowedPaths`. */
    public readonly routedPaths: readonly string[];
    /** The proxy-only subnet, when this load balancer created it (share its `selfLink` as another's `proxySubnet`). */
    public readonly proxySubnet?: gcp.compute.Subnetwork;
    /** The static IP address. */
    public readonly ipAddress: pulumi.Output<string>;
    /** `https://` and the first managed domain, else the IP address. */
    public readonly endpointUrl: pulumi.Output<string>;
    /** DNS records to create for managed TLS: each domain's A record and its authorisation CNAME. Else empty. */
    public readonly dnsRecords: pulumi.Output<DnsRecord[]>;
    /** Which paths reach Ollama, which of those Model Armor screens, and which the load balancer refuses. */
    public readonly routeTable: pulumi.Output<RouteTableRow[]>;
    /** What the offline plan should warn about (unscreened paths, a self-signed certificate). */
    public readonly warnings: string[];

    constructor(name: string, args: RegionalHttpsLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs("RegionalHttpsLoadBalancer", name, args, validateRegionalHttpsLoadBalancerArgs, [
            41,
            "compute resource names (e.g. <name>-http-redirect plus Pulumi's 8-character suffix) must stay within 63 characters",
        ]);
        super("guarded-llm:index:RegionalHttpsLoadBalancer", name, {}, opts);

        const { region, project } = args;
        const network = args.network ?? "default";
        const networkTier = args.networkTier ?? "PREMIUM";
        const tlsArgs = args.tls;
        const paths = routedPaths(args);
        this.routedPaths = paths;
        const refusedStatus = args.refusedPathStatus ?? 404;
        this.warnings = regionalHttpsLoadBalancerWarnings(args);

        if (args.proxySubnetCidr !== undefined) {
            this.proxySubnet = new gcp.compute.Subnetwork(
                `${name}-proxy-only`,
                { project, region, network, ipCidrRange: args.proxySubnetCidr, purpose: "REGIONAL_MANAGED_PROXY", role: "ACTIVE" },
                { parent: this },
            );
        }
        // Forwarding rules take no subnet input, yet GCP refuses them until the region's proxy-only subnet exists. An
        // Output in `dependsOn` also waits for the resources it came from (@pulumi/pulumi runtime/dependsOn.ts), so a
        // reused subnet given as another load balancer's output is waited for just like a created one.
        const afterProxySubnet = pulumi.output(this.proxySubnet?.selfLink ?? args.proxySubnet!).apply(() => []);

        const neg = new gcp.compute.RegionNetworkEndpointGroup(
            `${name}-neg`,
            { project, region, networkEndpointType: "SERVERLESS", cloudRun: { service: args.cloudRunService } },
            { parent: this },
        );
        // No health checks and no portName: serverless NEGs accept neither. No timeoutSec either: the Cloud Run
        // request timeout (OllamaService.timeoutSeconds) bounds a request; community Terraform for serverless NEG
        // backends reports that the API rejects timeoutSec there. Google's page saying so was not found: UNCONFIRMED.
        this.backendService = new gcp.compute.RegionBackendService(
            `${name}-backend`,
            {
                project,
                region,
                loadBalancingScheme: "EXTERNAL_MANAGED",
                protocol: "HTTPS",
                // The provider requires a capacityScaler on non-INTERNAL backend services.
                backends: [{ group: neg.selfLink, balancingMode: "UTILIZATION", capacityScaler: 1 }],
                logConfig: { enable: true, sampleRate: 1 },
                securityPolicy: args.securityPolicy,
            },
            { parent: this },
        );
        this.urlMap = new gcp.compute.RegionUrlMap(
            `${name}-url-map`,
            { project, region, ...allowlistUrlMap(this.backendService.selfLink, paths, refusedStatus) },
            { parent: this },
        );
        // Computed from the same builder as the URL map, so it is the map's routing, with the backend's real link.
        this.routeTable = this.backendService.selfLink.apply((backend) => routeTable(allowlistUrlMap(backend, paths, refusedStatus)));

        const certificate = this.certificate(name, tlsArgs, region, project);
        const sslPolicy = new gcp.compute.RegionSslPolicy(
            `${name}-ssl-policy`,
            {
                project,
                region,
                profile: args.sslPolicy?.profile ?? "MODERN",
                // GCP's default is TLS_1_0.
                minTlsVersion: args.sslPolicy?.minTlsVersion ?? "TLS_1_2",
            },
            { parent: this },
        );
        const httpsProxy = new gcp.compute.RegionTargetHttpsProxy(
            `${name}-https-proxy`,
            { project, region, urlMap: this.urlMap.selfLink, sslPolicy: sslPolicy.selfLink, ...certificate.proxyArgs },
            { parent: this },
        );

        this.address = new gcp.compute.Address(
            `${name}-ip`,
            { project, region, addressType: "EXTERNAL", networkTier },
            { parent: this, protect: args.protectAddress ?? true, retainOnDelete: args.retainAddressOnDelete ?? false },
        );
        this.ipAddress = this.address.address;
        const forwardingRule = (suffix: string, port: number, target: pulumi.Input<string>) =>
            new gcp.compute.ForwardingRule(
                `${name}-${suffix}`,
                {
                    project,
                    region,
                    loadBalancingScheme: "EXTERNAL_MANAGED",
                    ipProtocol: "TCP",
                    portRange: String(port),
                    ipAddress: this.address.address,
                    target,
                    network,
                    // Must equal the address's tier.
                    networkTier,
                },
                { parent: this, dependsOn: afterProxySubnet },
            );
        this.httpsForwardingRule = forwardingRule("https", 443, httpsProxy.selfLink);

        if (args.httpRedirect) {
            const redirectMap = new gcp.compute.RegionUrlMap(
                `${name}-http-redirect`,
                {
                    project,
                    region,
                    // 308 keeps the method and body, so an API client's POST is retried as a POST over HTTPS.
                    defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: "PERMANENT_REDIRECT", stripQuery: false },
                },
                { parent: this },
            );
            const httpProxy = new gcp.compute.RegionTargetHttpProxy(
                `${name}-http-proxy`,
                { project, region, urlMap: redirectMap.selfLink },
                { parent: this },
            );
            forwardingRule("http", 80, httpProxy.selfLink);
        }

        this.endpointUrl = tlsArgs.mode === "managed"
            ? pulumi.output(`https://${tlsArgs.domains[0]}`)
            : pulumi.interpolate`https://${this.address.address}`;
        this.dnsRecords = pulumi
            .all([this.address.address, certificate.authorizationRecords])
            .apply(([ip, authorizations]) => [
                ...(tlsArgs.mode === "managed" ? tlsArgs.domains : []).map((domain) => ({ name: `${domain}.`, type: "A", data: ip })),
                ...authorizations,
            ]);
        this.registerOutputs({
            endpointUrl: this.endpointUrl,
            ipAddress: this.ipAddress,
            httpsForwardingRule: this.httpsForwardingRule.selfLink,
            routedPaths: this.routedPaths,
            dnsRecords: this.dnsRecords,
            routeTable: this.routeTable,
            warnings: this.warnings,
        });
    }

    /** The HTTPS proxy's certificate arguments for the TLS mode, and the DNS authorisation records it needs. */
    private certificate(name: string, tlsArgs: TlsArgs, region: string, project?: pulumi.Input<string>) {
        const sslCertificate = (certificate: pulumi.Input<string>, privateKey: pulumi.Input<string>) =>
            new gcp.compute.RegionSslCertificate(
                `${name}-cert`,
                // Certificates are immutable: a new one replaces the old under a new auto-generated name, created
                // before the old one is deleted, so the proxy always has one. @pulumi/gcp 9.x also marks both PEMs
                // secret itself; the explicit wrap keeps the key secret whatever the SDK does.
                { project, region, certificate, privateKey: pulumi.secret(privateKey) },
                { parent: this },
            );
        switch (tlsArgs.mode) {
            case "self-signed": {
                // openssl genrsa 2048; openssl req -new -x509 -days 365 -subj "/C=US/ST=CA/L=Mountain View/O=tech/OU=AI/CN=internal.ai"
                const key = new tls.PrivateKey(`${name}-tls-key`, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
                const cert = new tls.SelfSignedCert(
                    `${name}-tls-cert`,
                    {
                        privateKeyPem: key.privateKeyPem,
                        subject: SELF_SIGNED_SUBJECT,
                        // Clients check the name in subjectAltName, not the CN.
                        dnsNames: [SELF_SIGNED_SUBJECT.commonName],
                        validityPeriodHours: 365 * 24,
                        // A `pulumi up` in the last 30 days replaces the certificate before it expires.
                        earlyRenewalHours: 30 * 24,
                        allowedUses: ["key_encipherment", "digital_signature", "server_auth"],
                    },
                    { parent: this },
                );
                return { proxyArgs: { sslCertificates: [sslCertificate(cert.certPem, key.privateKeyPem).selfLink] }, authorizationRecords: [] };
            }
            case "provided":
                return {
                    proxyArgs: { sslCertificates: [sslCertificate(tlsArgs.certificate, tlsArgs.privateKey).selfLink] },
                    authorizationRecords: [],
                };
            case "managed": {
                // Regional load balancers cannot use classic Google-managed certificates: a regional Certificate
                // Manager certificate, DNS-authorised, attached to the proxy directly (no certificate map).
                const authorizations = tlsArgs.domains.map(
                    (domain, i) =>
                        new gcp.certificatemanager.DnsAuthorization(
                            `${name}-dns-auth-${i}`,
                            { project, location: region, domain, type: "PER_PROJECT_RECORD" },
                            { parent: this },
                        ),
                );
                const managed = new gcp.certificatemanager.Certificate(
                    `${name}-cert`,
                    {
                        project,
                        location: region,
                        managed: { domains: [...tlsArgs.domains], dnsAuthorizations: authorizations.map((a) => a.id) },
                    },
                    { parent: this },
                );
                return {
                    proxyArgs: { certificateManagerCertificates: [managed.id] },
                    authorizationRecords: pulumi
                        .all(authorizations.map((a) => a.dnsResourceRecords))
                        .apply((records) => records.flat().map(({ name: recordName, type, data }) => ({ name: recordName, type, data }))),
                };
            }
        }
    }
}

