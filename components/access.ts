/**
 * Who may call the endpoint: Identity-Aware Proxy with named accessors, an internal load balancer reachable only from
 * the VPC, or an explicitly public endpoint (docs/platform-facts.md#iap-and-internal). IAP and the load balancer's
 * own refusals run before traffic extensions, so a refused caller costs no Model Armor callout and no GPU time.
 */
import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_NAME } from "./proxySubnet";
import { ACCESS_MODES } from "./pure/accessModes";
import { Problems } from "./validation";

/** Identity-Aware Proxy on the backend service: only the listed principals get through. */
export interface IapAccessArgs {
    readonly mode: "iap";
    /**
     * Principals granted `roles/iap.httpsResourceAccessor` on the backend service, e.g.
     * `"serviceAccount:app@p.iam.gserviceaccount.com"`, `"group:ml@example.com"`. At least one: none would let nobody in.
     */
    readonly accessors: readonly string[];
}

/** A regional internal Application Load Balancer: a private address in a subnet of the VPC, nothing on the internet. */
export interface InternalAccessArgs {
    readonly mode: "internal";
    /** The subnet of the VPC the private address is taken from: a name or a self link, in the load balancer's region. */
    readonly subnet: string;
    /** A private IPv4 address of that subnet to reserve. @default one GCP picks */
    readonly address?: string;
    /** Also create an A record for the address in a Cloud DNS private zone. @default none */
    readonly dns?: { readonly zone: string; readonly name: string };
}

/** Anyone on the internet may call the allowed paths: an explicit choice, best with Cloud Armor's allowlist. */
export interface PublicAccessArgs {
    readonly mode: "public";
}

export type AccessArgs = IapAccessArgs | InternalAccessArgs | PublicAccessArgs;

const ACCESS_FIELDS: Record<(typeof ACCESS_MODES)[number], readonly string[]> = {
    iap: ["accessors"],
    internal: ["subnet", "address", "dns"],
    public: [],
};
const REQUIRED_FIELDS: Record<(typeof ACCESS_MODES)[number], readonly string[]> = {
    iap: ["accessors"],
    internal: ["subnet"],
    public: [],
};

/** The role IAP checks on the backend service. */
export const IAP_ACCESSOR_ROLE = "roles/iap.httpsResourceAccessor";
/** IAM principals, by the prefixes IAM accepts; `allUsers` and `allAuthenticatedUsers` would make the endpoint public. */
const PRINCIPAL = /^(user|group|serviceAccount|domain):[^\s:]+$|^principal(Set)?:\/\/\S+$/;
const SUBNET = new RegExp(
    `^(${RESOURCE_NAME}|(https://www\\.googleapis\\.com/compute/v1/)?projects/[^/]+/regions/([^/]+)/subnetworks/${RESOURCE_NAME})$`,
);
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS_NAME = /^(?=.{1,253}\.?$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?\.?$/;

export const ACCESS_REQUIRED =
    'is required: { mode: "iap", accessors: [...] } (Identity-Aware Proxy), { mode: "internal", subnet } (the VPC only) or { mode: "public" } (anyone on the internet)';

/** Checks `access` (an object), `problems` keyed at `access.`; `region` is the load balancer's. */
export function validateAccess(value: Record<string, unknown>, problems: Problems, region: string): void {
    problems.knownKeys(value, ["mode", ...Object.values(ACCESS_FIELDS).flat()]);
    if (!problems.oneOf("mode", value.mode, ACCESS_MODES)) return;
    const mode = value.mode;
    for (const [otherMode, fields] of Object.entries(ACCESS_FIELDS)) {
        for (const field of fields) {
            if (otherMode !== mode && value[field] !== undefined) {
                problems.add(field, undefined, `applies only when access.mode is "${otherMode}"`);
            }
        }
    }
    for (const field of REQUIRED_FIELDS[mode]) {
        if (value[field] === undefined) problems.add(field, undefined, `is required when access.mode is "${mode}"`);
    }
    if (mode === "iap" && value.accessors !== undefined && problems.array("accessors", value.accessors)) {
        if (value.accessors.length === 0) {
            problems.add(
                "accessors",
                value.accessors,
                'must name at least one principal: IAP with no accessor lets nobody in (use mode "public" for anyone)',
            );
        }
        problems.eachMatches(
            "accessors",
            value.accessors,
            PRINCIPAL,
            'must be an IAM principal such as "serviceAccount:app@my-project.iam.gserviceaccount.com" or "group:ml@example.com" (not allUsers or allAuthenticatedUsers)',
        );
    }
    if (mode === "internal") {
        if (
            value.subnet !== undefined &&
            problems.matches(
                "subnet",
                value.subnet,
                SUBNET,
                "must be a subnet name or a subnetwork self link (projects/P/regions/R/subnetworks/NAME)",
            )
        ) {
            const subnetRegion = SUBNET.exec(value.subnet)?.[4];
            if (subnetRegion !== undefined && subnetRegion !== region) {
                problems.add(
                    "subnet",
                    value.subnet,
                    `is in region ${subnetRegion}; the internal address must be in the load balancer's region (${region})`,
                );
            }
        }
        if (value.address !== undefined)
            problems.matches("address", value.address, IPV4, 'must be an IPv4 address of the subnet, e.g. "10.10.0.5"');
        if (value.dns !== undefined && problems.object("dns", value.dns)) {
            const dns = problems.under("dns.");
            dns.knownKeys(value.dns, ["zone", "name"]);
            dns.matches(
                "zone",
                value.dns.zone,
                new RegExp(`^${RESOURCE_NAME}$`),
                "must be the name of a Cloud DNS private zone",
            );
            dns.matches(
                "name",
                value.dns.name,
                DNS_NAME,
                'must be a DNS name in that zone, e.g. "llm.internal.example.com."',
            );
        }
    }
}

/** What an unauthenticated or outside caller gets, and where: for the plan and the route table. */
export function whoMayCall(access: AccessArgs): string {
    switch (access.mode) {
        case "iap":
            return `IAP: only ${access.accessors.join(", ")}; anyone else is refused by IAP before the path allowlist and Model Armor (401 for a request without a credential, 302 to Google sign-in for a browser, 403 for a principal without access)`;
        case "internal":
            return "internal: only clients in the VPC (and networks connected to it) reach the private address; nothing on the internet";
        case "public":
            return "public: anyone on the internet may call the allowed paths, with no client identity";
    }
}

/** Whether `access` makes the load balancer internal: its resources use INTERNAL_MANAGED. */
export const loadBalancingSchemeOf = (access: AccessArgs) =>
    access.mode === "internal" ? ("INTERNAL_MANAGED" as const) : ("EXTERNAL_MANAGED" as const);

/** Grants IAP's accessor role on the backend service to each accessor. */
export function grantIapAccess(
    name: string,
    access: IapAccessArgs,
    backend: gcp.compute.RegionBackendService,
    parent: pulumi.Resource,
): pulumi.CustomResource[] {
    return access.accessors.map(
        (member, i) =>
            new gcp.iap.WebRegionBackendServiceIamMember(
                `${name}-iap-accessor-${i}`,
                {
                    project: backend.project,
                    region: backend.region,
                    webRegionBackendService: backend.name,
                    role: IAP_ACCESSOR_ROLE,
                    member,
                },
                { parent },
            ),
    );
}
