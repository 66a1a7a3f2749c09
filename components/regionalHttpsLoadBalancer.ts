import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import {
    DnsRecord,
    DOMAIN_EXPECTED,
    DOMAIN_PATTERN,
    proxyCertificate,
    SELF_SIGNED_SUBJECT,
    TlsArgs,
    validateTls,
} from "./loadBalancerTls";
import {
    proxyOnlySubnet,
    ProxySubnetArgs,
    proxySubnetWarnings,
    RESOURCE_NAME,
    validateProxySubnet,
} from "./proxySubnet";
import { allowlistUrlMap, routedPaths, servicesUrlMap } from "./pure/allowlistUrlMap";
import { classifyOllamaPath, KNOWN_OLLAMA_PATHS, OLLAMA_PATHS } from "./pure/ollamaPaths";
import { componentType } from "./pure/resourceTypes";
import { routeTableByHost, RouteTableRow } from "./pure/routeTable";
import { checkComponentArgs, declareArgKeys, definedOnly, didYouMean, Problems } from "./validation";
import { isPlainObject } from "./pure/values";
import { certificateDnsNames } from "./pure/pem";
import {
    ACCESS_REQUIRED,
    AccessArgs,
    grantIapAccess,
    loadBalancingSchemeOf,
    validateAccess,
    whoMayCall,
} from "./access";

/** The SSL policy of the HTTPS proxy. */
export interface SslPolicyArgs {
    /** Cipher profile; `RESTRICTED` is required with TLS 1.3 minimum. @default "MODERN" */
    readonly profile?: "COMPATIBLE" | "MODERN" | "RESTRICTED";
    /** Oldest TLS version accepted; TLS 1.0 and 1.1 are refused. @default "TLS_1_2" */
    readonly minTlsVersion?: "TLS_1_2" | "TLS_1_3";
}

/** One of several Cloud Run services behind a {@link RegionalHttpsLoadBalancer}. */
export interface LoadBalancerServiceArgs {
    /** Names the service's NEG, backend service and path matcher: 1-20 lowercase letters, digits and hyphens. */
    readonly name: string;
    /** Name of the Cloud Run service. */
    readonly cloudRunService: pulumi.Input<string>;
    /** Host routing: requests for this host name (a domain of the certificate) go to the service. */
    readonly host?: string;
    /**
     * Path routing: `<pathPrefix>/v1/chat/completions` goes to the service as `/v1/chat/completions`; one segment such
     * as `/coder`. Whether Model Armor recognises the rewritten OpenAI path is UNCONFIRMED (the verify command checks).
     */
    readonly pathPrefix?: string;
}

/**
 * Arguments of {@link RegionalHttpsLoadBalancer}. Field names match the `guarded-llm:loadBalancer` stack config keys.
 * Give exactly one of `proxySubnetCidr` and `proxySubnet`.
 */
export interface RegionalHttpsLoadBalancerArgs extends ProxySubnetArgs {
    /** Region of every resource; must be the Cloud Run service's region. */
    readonly region: string;
    /** Project of every resource. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /**
     * Name of the one Cloud Run service behind the load balancer (e.g. `OllamaService.serviceName`), reached on every
     * host. Give either this or `services`.
     */
    readonly cloudRunService?: pulumi.Input<string>;
    /**
     * Several Cloud Run services behind the one address, each reached by its own host (every service sets `host`) or
     * by a path prefix (every service sets `pathPrefix`). Give either this or `cloudRunService`.
     */
    readonly services?: readonly LoadBalancerServiceArgs[];
    /**
     * Who may call: `{ mode: "iap", accessors }`, `{ mode: "internal", subnet }` or `{ mode: "public" }`. No default:
     * a public endpoint must be chosen explicitly.
     */
    readonly access: AccessArgs;
    /** VPC of the forwarding rules and the proxy-only subnet: a name or a self link. @default "default" */
    readonly network?: pulumi.Input<string>;
    /** Network tier of the address and the forwarding rules (external load balancers only). @default "PREMIUM" */
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
     * Exact paths routed to Ollama in addition to the default allowlist (`/v1/chat/completions`, `/v1/completions`,
     * `/v1/models`). Admin paths (`/api/pull`, ...) are refused; inference Model Armor does not screen
     * (`/api/generate`, ...) needs `allowUnscreenedPaths`. @default []
     */
    readonly allowedPaths?: readonly string[];
    /** Accept inference paths Model Armor does not screen in `allowedPaths`; each adds a warning. @default false */
    readonly allowUnscreenedPaths?: boolean;
    /** Status the load balancer answers every other path with. @default 404 */
    readonly refusedPathStatus?: 403 | 404;
    /** Self link of a regional Cloud Armor policy (`compute.RegionSecurityPolicy`) for the backend service. @default none */
    readonly securityPolicy?: pulumi.Input<string>;
    /** Protect the static IP address from `pulumi destroy` and replacement: clients and DNS point at it. @default true */
    readonly protectAddress?: boolean;
    /** Leave the static IP address reserved in GCP when it is removed from the program. @default false */
    readonly retainAddressOnDelete?: boolean;
}

export const REGIONAL_HTTPS_LOAD_BALANCER_ARG_KEYS = declareArgKeys<RegionalHttpsLoadBalancerArgs>()({
    config: [
        "network",
        "proxySubnetCidr",
        "proxySubnet",
        "networkTier",
        "tls",
        "sslPolicy",
        "httpRedirect",
        "allowedPaths",
        "allowUnscreenedPaths",
        "refusedPathStatus",
        "protectAddress",
        "retainAddressOnDelete",
        "securityPolicy",
    ],
    codeOnly: ["region", "project", "cloudRunService", "services", "access"],
});
const SERVICE_ARG_KEYS = declareArgKeys<LoadBalancerServiceArgs>()({
    config: ["name", "host", "pathPrefix"],
    codeOnly: ["cloudRunService"],
});

/** A service name: it names compute resources and a path matcher, after the load balancer's own name. */
export const SERVICE_NAME_PATTERN = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;
export const SERVICE_NAME_EXPECTED = "must be 1-20 lowercase letters, digits and hyphens, starting with a letter";
/** A path prefix: one segment, so that no prefix can hold another. */
export const PATH_PREFIX_PATTERN = /^\/[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;
/** First segments of Ollama's own paths: a prefix named so would read as one of them. */
const RESERVED_PREFIXES = ["/v1", "/api"];
const SSL_POLICY_ARG_KEYS = declareArgKeys<SslPolicyArgs>()({ config: ["profile", "minTlsVersion"], codeOnly: [] });

export const NETWORK_TIERS = ["PREMIUM", "STANDARD"] as const;
const SSL_PROFILES = ["COMPATIBLE", "MODERN", "RESTRICTED"] as const;
const MIN_TLS_VERSIONS = ["TLS_1_2", "TLS_1_3"] as const;

export const REGIONAL_HTTPS_LOAD_BALANCER_DEFAULTS = {
    network: "default",
    networkTier: "PREMIUM" as (typeof NETWORK_TIERS)[number],
    // GCP's own default minimum is TLS_1_0.
    sslPolicy: { profile: "MODERN", minTlsVersion: "TLS_1_2" } as Required<SslPolicyArgs>,
    httpRedirect: false,
    allowedPaths: [] as readonly string[],
    allowUnscreenedPaths: false,
    refusedPathStatus: 404 as 403 | 404,
    protectAddress: true,
    retainAddressOnDelete: false,
};

/** {@link RegionalHttpsLoadBalancerArgs} with every default applied. */
export type ResolvedRegionalHttpsLoadBalancerArgs = RegionalHttpsLoadBalancerArgs &
    Omit<typeof REGIONAL_HTTPS_LOAD_BALANCER_DEFAULTS, "network"> & { readonly network: pulumi.Input<string> };

/** Applies the defaults: the one place they are written. Total over any input. */
export function resolveRegionalHttpsLoadBalancerArgs(
    args: RegionalHttpsLoadBalancerArgs,
): ResolvedRegionalHttpsLoadBalancerArgs {
    const given = definedOnly(args);
    return {
        ...REGIONAL_HTTPS_LOAD_BALANCER_DEFAULTS,
        ...given,
        region: args.region,
        access: args.access,
        tls: args.tls,
        sslPolicy: { ...REGIONAL_HTTPS_LOAD_BALANCER_DEFAULTS.sslPolicy, ...definedOnly(given.sslPolicy) },
    };
}

/** Component names longer than this make compute names (`<name>-http-redirect` + Pulumi's suffix) exceed 63. */
export const REGIONAL_HTTPS_LOAD_BALANCER_NAME_LIMIT = [
    41,
    "compute resource names (e.g. <name>-http-redirect plus Pulumi's 8-character suffix) must stay within 63 characters",
] as const;

const NETWORK_PATTERN = new RegExp(
    `^(${RESOURCE_NAME}|(https://www\\.googleapis\\.com/compute/v1/)?projects/[^/]+/global/networks/${RESOURCE_NAME})$`,
);
/** A `fullPathMatch` value: 1..1024 characters, matched exactly, so no wildcards, queries or fragments. */
/**
 * A `fullPathMatch` value the URL map and the extension's CEL string can both carry as written: 1..1024 ASCII path
 * characters (RFC 3986 `pchar` and `/`), without `*` (a wildcard), `%` (Ollama matches the decoded path, the load
 * balancer the encoded one), quotes, backslashes, spaces or control characters.
 */
const EXACT_PATH_PATTERN = /^\/[A-Za-z0-9\-._~!$&'()+,;=:@/]{0,1023}$/;
/** A `.` or `..` segment: resolved by clients and proxies, so the path that reaches Ollama is not the one allowed. */
const DOT_SEGMENT = /\/\.{1,2}(\/|$)/;
/** The read-only path that hands out each model's Modelfile and system prompt. */
const SHOWS_SYSTEM_PROMPT = "/api/show";

export function validateRegionalHttpsLoadBalancerArgs(args: RegionalHttpsLoadBalancerArgs, problems: Problems): void {
    const { config, codeOnly } = REGIONAL_HTTPS_LOAD_BALANCER_ARG_KEYS;
    problems.knownKeys(args as object as Record<string, unknown>, [...config, ...codeOnly]);
    const regionValid = problems.region("region", args.region);
    if (typeof args.network === "string") {
        problems.matches(
            "network",
            args.network,
            NETWORK_PATTERN,
            'must be a VPC name such as "default" or a network self link',
        );
    }
    validateProxySubnet(args, problems, regionValid);
    if ((args.cloudRunService === undefined) === (args.services === undefined)) {
        problems.add(
            "services",
            undefined,
            "give either cloudRunService (one service) or services (several), not both",
        );
    } else if (args.services !== undefined) {
        validateServices(args.services, args.tls, problems);
    }
    const byHost = Array.isArray(args.services) && args.services.some((s) => isPlainObject(s) && s.host !== undefined);
    if (byHost && args.access?.mode === "internal" && args.access.dns === undefined) {
        problems
            .under("access.")
            .add(
                "dns",
                undefined,
                "is required with access.mode internal and services reached by host: each host needs an A record in a Cloud DNS private zone, made in access.dns.zone",
            );
    }
    if (args.access === undefined) {
        problems.add("access", undefined, ACCESS_REQUIRED);
    } else if (problems.object("access", args.access)) {
        validateAccess(args.access, problems.under("access."), args.region);
    }
    if (args.networkTier !== undefined && args.access?.mode === "internal") {
        problems.add(
            "networkTier",
            args.networkTier,
            "applies only to external load balancers (access.mode iap or public)",
        );
    } else if (args.networkTier !== undefined) problems.oneOf("networkTier", args.networkTier, NETWORK_TIERS);
    if (args.tls === undefined) {
        problems.add(
            "tls",
            undefined,
            'is required: { mode: "managed", domains: [...] } or { mode: "provided" } in production, { mode: "self-signed" } for development only',
        );
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
        args.allowedPaths.forEach((path, i) =>
            validateAllowedPath(problems, `allowedPaths[${i}]`, path, args.allowUnscreenedPaths === true),
        );
    }
}

/**
 * Several services: named uniquely, all reached by host or all by path prefix, hosts and prefixes distinct, and
 * every host a name the certificate covers (managed domains, or a provided certificate's names).
 */
function validateServices(services: unknown, tls: unknown, problems: Problems): void {
    if (!problems.array("services", services)) return;
    if (services.length === 0) problems.add("services", services, "must name at least one service");
    const seen = new Map<string, string>();
    /** Records `value` of `field` once per service; a repeat is reported under the later service. */
    const distinct = (item: Problems, field: string, value: unknown, what: string, service: unknown) => {
        const earlier = seen.get(`${what}:${String(value).toLowerCase()}`);
        if (earlier !== undefined)
            item.add(field, value, `repeats the ${what} of ${earlier}: each service needs its own`);
        else seen.set(`${what}:${String(value).toLowerCase()}`, `service ${JSON.stringify(service)}`);
    };
    // The first service says how every service is reached; one that differs is reported.
    const first: unknown = services[0];
    const firstByHost = isPlainObject(first) ? first.host !== undefined : undefined;
    const covered = certificateNames(tls);
    services.forEach((service, i) => {
        const at = `services[${i}]`;
        if (!problems.object(at, service)) return;
        const item = problems.under(`${at}.`);
        item.knownKeys(service, [...SERVICE_ARG_KEYS.config, ...SERVICE_ARG_KEYS.codeOnly]);
        if (item.matches("name", service.name, SERVICE_NAME_PATTERN, SERVICE_NAME_EXPECTED)) {
            distinct(item, "name", service.name, "name", service.name);
        }
        if ((service.host === undefined) === (service.pathPrefix === undefined)) {
            item.add("host", undefined, "give either host (host routing) or pathPrefix (path routing)");
        } else if (firstByHost !== undefined && (service.host !== undefined) !== firstByHost) {
            item.add(
                service.host === undefined ? "pathPrefix" : "host",
                service.host ?? service.pathPrefix,
                "mixes host and path routing: every service sets host, or every service sets pathPrefix",
            );
        }
        if (service.host !== undefined && item.matches("host", service.host, DOMAIN_PATTERN, DOMAIN_EXPECTED)) {
            distinct(item, "host", service.host, "host", service.name);
            if (covered !== undefined && !covered.names.some((name) => coversHost(name, service.host as string))) {
                item.add(
                    "host",
                    service.host,
                    `is not a name of the certificate (${covered.source}): add it to the certificate, or route the service by a host the certificate names`,
                );
            }
        }
        if (
            service.pathPrefix !== undefined &&
            item.matches(
                "pathPrefix",
                service.pathPrefix,
                PATH_PREFIX_PATTERN,
                'must be one path segment of 1-32 lowercase letters, digits and hyphens after "/", e.g. "/coder"',
            )
        ) {
            if (RESERVED_PREFIXES.includes(service.pathPrefix)) {
                item.add(
                    "pathPrefix",
                    service.pathPrefix,
                    `collides with Ollama's own paths (${RESERVED_PREFIXES.join(", ")}); choose a name such as "/coder"`,
                );
            } else distinct(item, "pathPrefix", service.pathPrefix, "path prefix", service.name);
        }
    });
}

/** Does certificate name `name` (`llm.example.com`, or a wildcard `*.example.com` for one label) cover `host`? */
function coversHost(name: string, host: string): boolean {
    if (!name.startsWith("*.")) return name === host;
    const label = host.slice(0, host.length - name.length + 1);
    return host.endsWith(name.slice(1)) && label !== "" && !label.includes(".");
}

/** The names a certificate covers, where they can be known before deploying; undefined when they cannot. */
function certificateNames(tls: unknown): { names: string[]; source: string } | undefined {
    if (!isPlainObject(tls)) return undefined;
    if (tls.mode === "managed" && Array.isArray(tls.domains)) {
        return { names: tls.domains.map(String), source: `loadBalancer.tls.domains lists ${tls.domains.join(", ")}` };
    }
    if (tls.mode === "provided" && typeof tls.certificate === "string") {
        const names = certificateDnsNames(tls.certificate);
        return names === undefined
            ? undefined
            : { names, source: `the provided certificate names ${names.join(", ")}` };
    }
    // A self-signed certificate is made for every host.
    return undefined;
}

function validateSslPolicy(value: Record<string, unknown>, problems: Problems): void {
    problems.knownKeys(value, SSL_POLICY_ARG_KEYS.config);
    if (value.profile !== undefined) problems.oneOf("profile", value.profile, SSL_PROFILES);
    if (value.minTlsVersion === "TLS_1_0" || value.minTlsVersion === "TLS_1_1") {
        problems.add(
            "minTlsVersion",
            value.minTlsVersion,
            `TLS 1.0 and 1.1 are refused; must be one of ${MIN_TLS_VERSIONS.join(", ")}`,
        );
    } else if (
        value.minTlsVersion !== undefined &&
        problems.oneOf("minTlsVersion", value.minTlsVersion, MIN_TLS_VERSIONS)
    ) {
        // GCP refuses TLS_1_3 with any other profile (provider docs of RegionSslPolicy.minTlsVersion).
        const profile = value.profile ?? REGIONAL_HTTPS_LOAD_BALANCER_DEFAULTS.sslPolicy.profile;
        if (value.minTlsVersion === "TLS_1_3" && profile !== "RESTRICTED") {
            problems.add("profile", profile, 'must be "RESTRICTED" when minTlsVersion is "TLS_1_3"');
        }
    }
}

function validateAllowedPath(problems: Problems, field: string, path: unknown, allowUnscreened: boolean): void {
    if (
        !problems.matches(
            field,
            path,
            EXACT_PATH_PATTERN,
            'must be an exact path starting with "/", of ASCII letters, digits and - . _ ~ ! $ & \' ( ) + , ; = : @ / (no "*", "?", "#", "%", quotes, backslashes or spaces; at most 1024 characters), e.g. "/v1/embeddings"',
        )
    ) {
        return;
    }
    if (DOT_SEGMENT.test(path)) {
        problems.add(
            field,
            path,
            'must not contain "." or ".." segments: they are resolved before the path reaches Ollama, so another path than the one allowed would be served',
        );
        return;
    }
    switch (classifyOllamaPath(path)) {
        case "admin":
            problems.add(
                field,
                path,
                "is an Ollama admin path (it pulls, pushes, creates, copies or deletes models, or manages the ollama.com account) and is never routed; declare models in ollama.models instead (the pull job fetches them)",
            );
            break;
        case "unscreened-inference":
            if (!allowUnscreened) {
                problems.add(
                    field,
                    path,
                    `is Ollama inference that Model Armor does not screen (it screens only ${OLLAMA_PATHS["screened-inference"].join(", ")}); set allowUnscreenedPaths: true to route it anyway`,
                );
            }
            break;
        case "unknown":
            problems.add(
                field,
                path,
                `is not an Ollama API path this library knows${didYouMean(path, KNOWN_OLLAMA_PATHS)}`,
            );
            break;
    }
}

/** Choices in these (valid) args that weaken the guard or that GCP would refuse. */
export function regionalHttpsLoadBalancerWarnings(args: RegionalHttpsLoadBalancerArgs): string[] {
    const resolved = resolveRegionalHttpsLoadBalancerArgs(args);
    const warnings = routedPaths(resolved.allowedPaths).flatMap((path) => {
        if (classifyOllamaPath(path) === "unscreened-inference") {
            return [
                `allowedPaths: ${path} reaches Ollama UNSCREENED: Model Armor only screens ${OLLAMA_PATHS["screened-inference"].join(" and ")}`,
            ];
        }
        if (path.toLowerCase() === SHOWS_SYSTEM_PROMPT) {
            return [`allowedPaths: ${path} shows every client each model's Modelfile, parameters and system prompt`];
        }
        return [];
    });
    warnings.push(...proxySubnetWarnings(resolved.network, resolved.proxySubnetCidr));
    if (resolved.access?.mode === "public") {
        warnings.push(
            "access.mode public: anyone on the internet may call the allowed paths, with no client identity; add guarded-llm:cloudArmor's source allowlist and throttle, or use iap or internal",
        );
    }
    if (resolved.tls?.mode === "self-signed") {
        warnings.push(
            `tls.mode self-signed: clients must trust the certificate for ${SELF_SIGNED_SUBJECT.commonName} explicitly or skip verification; use "managed" or "provided" in production`,
        );
    }
    return warnings;
}

/**
 * A regional external Application Load Balancer in front of one Cloud Run service: serverless NEG, backend service,
 * URL map with the path allowlist, TLS certificate, SSL policy, HTTPS proxy, static IP, forwarding rule, the region's
 * proxy-only subnet (created or reused), and optionally an HTTP-to-HTTPS redirect.
 */
export class RegionalHttpsLoadBalancer extends pulumi.ComponentResource {
    /** The backend service in front of the serverless NEG (the first service's, with `services`). */
    public readonly backendService: gcp.compute.RegionBackendService;
    /** Every backend service: one per service of `services`, in order, or the one of `cloudRunService`. */
    public readonly backendServices: gcp.compute.RegionBackendService[];
    /** With `services`: each service's URL by name (`https://` and its host, or the endpoint URL and its prefix). */
    public readonly serviceUrls: Readonly<Record<string, pulumi.Output<string>>>;
    /** The URL map implementing the path allowlist. */
    public readonly urlMap: gcp.compute.RegionUrlMap;
    /** The static IP address: external, or a private one of the VPC with `access.mode` internal. */
    public readonly address: gcp.compute.Address;
    /** `EXTERNAL_MANAGED`, or `INTERNAL_MANAGED` with `access.mode` internal; a traffic extension must use the same. */
    public readonly loadBalancingScheme: "EXTERNAL_MANAGED" | "INTERNAL_MANAGED";
    /** Who may call, and what anyone else gets. */
    public readonly whoMayCall: string;
    /** The principals' IAP grants, with `access.mode` iap. */
    public readonly iapGrants: pulumi.CustomResource[];
    /** The port-443 forwarding rule; a Model Armor traffic extension binds to its `selfLink`. */
    public readonly httpsForwardingRule: gcp.compute.ForwardingRule;
    /** The exact paths routed to Ollama: the default allowlist, then `allowedPaths`. */
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

    constructor(name: string, args: RegionalHttpsLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs(
            "RegionalHttpsLoadBalancer",
            name,
            args,
            validateRegionalHttpsLoadBalancerArgs,
            REGIONAL_HTTPS_LOAD_BALANCER_NAME_LIMIT,
        );
        super(componentType("RegionalHttpsLoadBalancer"), name, {}, opts);
        for (const warning of regionalHttpsLoadBalancerWarnings(args)) pulumi.log.warn(warning, this);
        const resolved = resolveRegionalHttpsLoadBalancerArgs(args);
        const { region, project, network, tls: tlsArgs, access } = resolved;
        const scheme = loadBalancingSchemeOf(access);
        // Internal load balancers have no network tier.
        const networkTier = access.mode === "internal" ? undefined : resolved.networkTier;
        this.loadBalancingScheme = scheme;
        this.whoMayCall = whoMayCall(access);
        this.routedPaths = routedPaths(resolved.allowedPaths);

        const { subnet, afterSubnet } = proxyOnlySubnet(name, { ...resolved, network }, this);
        this.proxySubnet = subnet;
        const routes = resolved.services?.map((service) => ({
            ...service,
            backend: this.serverlessBackend(`${name}-${service.name}`, service.cloudRunService, resolved),
        }));
        this.backendServices = routes?.map((r) => r.backend) ?? [
            this.serverlessBackend(name, resolved.cloudRunService!, resolved),
        ];
        this.backendService = this.backendServices[0];
        this.iapGrants =
            access.mode === "iap"
                ? this.backendServices.flatMap((backend, i) =>
                      grantIapAccess(routes ? `${name}-${routes[i].name}` : name, access, backend, this),
                  )
                : [];
        const refused = resolved.refusedPathStatus;
        const urlMapInputs = <S>(backends: S[]) =>
            routes
                ? servicesUrlMap(
                      routes.map((route, i) => ({ ...route, backend: backends[i] })),
                      this.routedPaths,
                      refused,
                  )
                : allowlistUrlMap(backends[0], this.routedPaths, refused);
        this.urlMap = new gcp.compute.RegionUrlMap(
            `${name}-url-map`,
            { project, region, ...urlMapInputs(this.backendServices.map((b) => b.selfLink)) },
            { parent: this },
        );
        // Computed from the same builder as the URL map, so it is the map's routing, with the backends' real links.
        this.routeTable = pulumi
            .all(this.backendServices.map((b) => b.selfLink))
            .apply((links) => routeTableByHost(urlMapInputs(links)));

        const hosts = (routes ?? []).flatMap((r) => (r.host === undefined ? [] : [r.host]));
        const certificate = proxyCertificate(name, tlsArgs, region, project, this, hosts);
        const sslPolicy = new gcp.compute.RegionSslPolicy(
            `${name}-ssl-policy`,
            { project, region, ...resolved.sslPolicy },
            { parent: this },
        );
        const httpsProxy = new gcp.compute.RegionTargetHttpsProxy(
            `${name}-https-proxy`,
            { project, region, urlMap: this.urlMap.selfLink, sslPolicy: sslPolicy.selfLink, ...certificate.proxyArgs },
            { parent: this },
        );

        const internal = access.mode === "internal" ? access : undefined;
        this.address = new gcp.compute.Address(
            `${name}-ip`,
            internal
                ? {
                      project,
                      region,
                      addressType: "INTERNAL",
                      subnetwork: internal.subnet,
                      address: internal.address,
                      // Shared by the HTTPS and the redirect rule, or by the HTTPS rule alone: always shared, so that
                      // turning the redirect on later does not replace the (protected) address.
                      purpose: "SHARED_LOADBALANCER_VIP",
                  }
                : { project, region, addressType: "EXTERNAL", networkTier },
            { parent: this, protect: resolved.protectAddress, retainOnDelete: resolved.retainAddressOnDelete },
        );
        this.ipAddress = this.address.address;
        const forwardingRule = (suffix: string, port: number, target: pulumi.Input<string>) =>
            new gcp.compute.ForwardingRule(
                `${name}-${suffix}`,
                {
                    project,
                    region,
                    loadBalancingScheme: scheme,
                    ipProtocol: "TCP",
                    portRange: String(port),
                    ipAddress: this.address.address,
                    target,
                    network,
                    subnetwork: internal?.subnet,
                    // Must equal the address's tier.
                    networkTier,
                },
                // Two rules cannot hold the same address and port, and the provider replaces a rule on any change
                // but its target: the old rule must go before its replacement is created. Pulumi only does this by
                // itself for explicitly named resources.
                { parent: this, dependsOn: afterSubnet, deleteBeforeReplace: true },
            );
        this.httpsForwardingRule = forwardingRule("https", 443, httpsProxy.selfLink);
        if (resolved.httpRedirect) forwardingRule("http", 80, this.httpRedirectProxy(name, resolved).selfLink);

        if (internal?.dns) {
            this.privateDnsRecord(`${name}-dns`, resolved, internal.dns.zone, internal.dns.name);
            // Host routing on a private address: each host resolves in the same private zone.
            for (const route of routes ?? []) {
                if (route.host !== undefined && route.host !== internal.dns.name.replace(/\.$/, "")) {
                    this.privateDnsRecord(`${name}-${route.name}-dns`, resolved, internal.dns.zone, route.host);
                }
            }
        }
        this.endpointUrl =
            tlsArgs.mode === "managed"
                ? pulumi.output(`https://${tlsArgs.domains[0]}`)
                : internal?.dns
                  ? pulumi.output(`https://${internal.dns.name.replace(/\.$/, "")}`)
                  : pulumi.interpolate`https://${this.address.address}`;
        this.serviceUrls = Object.fromEntries(
            (routes ?? []).map((r) => [
                r.name,
                r.host !== undefined
                    ? pulumi.output(`https://${r.host}`)
                    : pulumi.interpolate`${this.endpointUrl}${r.pathPrefix}`,
            ]),
        );
        // Host routing needs each host to resolve to the address (managed domains are listed already).
        const routedHosts = tlsArgs.mode === "managed" ? [] : hosts;
        this.dnsRecords = pulumi
            .all([this.address.address, certificate.authorizationRecords])
            .apply(([ip, authorizations]) => [
                // An internal address stays out of public DNS: only the authorisation records are to publish.
                ...(internal ? [] : [...(tlsArgs.mode === "managed" ? tlsArgs.domains : []), ...routedHosts]).map(
                    (domain) => ({
                        name: `${domain}.`,
                        type: "A",
                        data: ip,
                    }),
                ),
                ...authorizations,
            ]);
        this.registerOutputs({
            endpointUrl: this.endpointUrl,
            ipAddress: this.ipAddress,
            httpsForwardingRule: this.httpsForwardingRule.selfLink,
            routedPaths: this.routedPaths,
            dnsRecords: this.dnsRecords,
            routeTable: this.routeTable,
        });
    }

    /**
     * The serverless NEG and its backend service. No health checks and no portName: serverless NEGs accept neither.
     * No timeoutSec either: the Cloud Run request timeout (OllamaService.timeoutSeconds) bounds a request; community
     * Terraform for serverless NEG backends reports that the API rejects timeoutSec there (UNCONFIRMED,
     * docs/open-questions.md).
     */
    private serverlessBackend(
        name: string,
        cloudRunService: pulumi.Input<string>,
        args: ResolvedRegionalHttpsLoadBalancerArgs,
    ) {
        const { project, region } = args;
        const neg = new gcp.compute.RegionNetworkEndpointGroup(
            `${name}-neg`,
            { project, region, networkEndpointType: "SERVERLESS", cloudRun: { service: cloudRunService } },
            { parent: this },
        );
        return new gcp.compute.RegionBackendService(
            `${name}-backend`,
            {
                project,
                region,
                loadBalancingScheme: loadBalancingSchemeOf(args.access),
                protocol: "HTTPS",
                // IAP with the Google-managed OAuth client: no oauth2 client id or secret (the IAP OAuth Admin API
                // that made custom clients is shut down). IAP runs before the traffic extension.
                iap: args.access.mode === "iap" ? { enabled: true } : undefined,
                // The provider requires a capacityScaler on non-INTERNAL backend services.
                backends: [{ group: neg.selfLink, balancingMode: "UTILIZATION", capacityScaler: 1 }],
                logConfig: { enable: true, sampleRate: 1 },
                securityPolicy: args.securityPolicy,
            },
            { parent: this },
        );
    }

    /** An A record for the internal address in a Cloud DNS private zone. */
    private privateDnsRecord(name: string, args: ResolvedRegionalHttpsLoadBalancerArgs, zone: string, host: string) {
        return new gcp.dns.RecordSet(
            name,
            {
                project: args.project,
                managedZone: zone,
                name: host.endsWith(".") ? host : `${host}.`,
                type: "A",
                ttl: 300,
                rrdatas: [this.address.address],
            },
            { parent: this },
        );
    }

    /** A URL map that answers every request with a 308 to HTTPS (which keeps the method and body), and its proxy. */
    private httpRedirectProxy(name: string, args: ResolvedRegionalHttpsLoadBalancerArgs) {
        const { project, region } = args;
        const redirectMap = new gcp.compute.RegionUrlMap(
            `${name}-http-redirect`,
            {
                project,
                region,
                defaultUrlRedirect: {
                    httpsRedirect: true,
                    redirectResponseCode: "PERMANENT_REDIRECT",
                    stripQuery: false,
                },
            },
            { parent: this },
        );
        return new gcp.compute.RegionTargetHttpProxy(
            `${name}-http-proxy`,
            { project, region, urlMap: redirectMap.selfLink },
            { parent: this },
        );
    }
}
