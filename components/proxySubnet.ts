/**
 * The proxy-only subnet every Envoy-based regional load balancer of a VPC and region shares: created here with a
 * range, or an existing one reused (docs/platform-facts.md#regional-load-balancer).
 */
import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import { alignedIpv4, AUTO_MODE_RANGE, isAligned, overlaps, parseCidr } from "./pure/cidr";
import { Problems } from "./validation";

/** How a load balancer gets its proxy-only subnet; exactly one of the two. */
export interface ProxySubnetArgs {
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
}

/** A Compute Engine resource name: lowercase letters, digits and hyphens, starting with a letter, at most 63. */
export const RESOURCE_NAME = "[a-z]([-a-z0-9]{0,61}[a-z0-9])?";
const NAME_PATTERN = new RegExp(`^${RESOURCE_NAME}$`);
const SUBNET_LINK_PATTERN = new RegExp(
    `^(https://www\\.googleapis\\.com/compute/v1/)?projects/[^/]+/regions/([^/]+)/subnetworks/${RESOURCE_NAME}$`,
);
/** The smallest proxy-only subnet GCP accepts. */
const MAX_PREFIX = 26;
/** IPv4 ranges GCP refuses for any subnet (VPC docs, "Prohibited IPv4 subnet ranges"). */
const PROHIBITED_RANGES: readonly (readonly [string, string])[] = [
    ["0.0.0.0/8", "the current network"],
    ["127.0.0.0/8", "loopback"],
    ["169.254.0.0/16", "link-local"],
    ["224.0.0.0/4", "multicast"],
    ["255.255.255.255/32", "broadcast"],
    ["199.36.153.4/30", "restricted.googleapis.com"],
    ["199.36.153.8/30", "private.googleapis.com"],
];

export function validateProxySubnet(
    args: ProxySubnetArgs & { region: string },
    problems: Problems,
    regionValid: boolean,
): void {
    const { proxySubnetCidr: cidr, proxySubnet: existing } = args;
    if (cidr !== undefined && existing !== undefined) {
        problems.add(
            "proxySubnet",
            typeof existing === "string" ? existing : undefined,
            "give either proxySubnetCidr (create the proxy-only subnet) or proxySubnet (reuse the existing one), not both",
        );
    } else if (cidr === undefined && existing === undefined) {
        problems.add(
            "proxySubnetCidr",
            undefined,
            'is required unless proxySubnet names the proxy-only subnet that already exists in this VPC and region (only one may exist); Google recommends a /23, e.g. "192.168.16.0/23"',
        );
    } else if (cidr !== undefined) {
        validateProxySubnetCidr(problems, cidr);
    } else if (typeof existing === "string") {
        const link = SUBNET_LINK_PATTERN.exec(existing);
        if (!link && !NAME_PATTERN.test(existing)) {
            problems.add(
                "proxySubnet",
                existing,
                "must be a subnet name or a subnetwork self link (projects/P/regions/R/subnetworks/NAME)",
            );
        } else if (link && regionValid && link[2] !== args.region) {
            problems.add(
                "proxySubnet",
                existing,
                `is in region ${link[2]}; the proxy-only subnet must be in the load balancer's region (${args.region})`,
            );
        }
    }
}

function validateProxySubnetCidr(problems: Problems, text: unknown): void {
    const cidr = parseCidr(text);
    if (cidr === undefined || cidr.version !== 4) {
        problems.add("proxySubnetCidr", text, 'must be an IPv4 range such as "192.168.16.0/23"');
    } else if (cidr.prefix > MAX_PREFIX) {
        problems.add(
            "proxySubnetCidr",
            text,
            "must be /26 or larger (a proxy-only subnet needs at least 64 addresses; Google recommends /23)",
        );
    } else if (!isAligned(cidr)) {
        problems.add("proxySubnetCidr", text, `has host bits set (did you mean "${alignedIpv4(cidr)}"?)`);
    } else {
        const prohibited = PROHIBITED_RANGES.find(([range]) => overlaps(cidr, parseCidr(range)!));
        if (prohibited) {
            problems.add(
                "proxySubnetCidr",
                text,
                `overlaps ${prohibited[0]} (${prohibited[1]}), which GCP refuses for subnets`,
            );
        }
    }
}

/** A warning when the range collides with an auto-mode network's own subnets; GCP refuses it there. */
export function proxySubnetWarnings(network: unknown, cidrText: string | undefined): string[] {
    const cidr = parseCidr(cidrText);
    if (network !== "default" || cidr === undefined || !overlaps(cidr, AUTO_MODE_RANGE)) return [];
    return [
        `proxySubnetCidr ${cidrText} is inside 10.128.0.0/9, which an auto-mode VPC such as "default" keeps for its own subnets: GCP refuses it there; use e.g. 192.168.16.0/23, or a custom-mode network`,
    ];
}

/**
 * The created subnet (when a range is given), and a value to put in a forwarding rule's `dependsOn`: forwarding rules
 * take no subnet input, yet GCP refuses them until the region's proxy-only subnet exists. An Output in `dependsOn`
 * also waits for the resources it came from (@pulumi/pulumi runtime/dependsOn.ts), so a reused subnet given as another
 * load balancer's output is waited for just like a created one.
 */
export function proxyOnlySubnet(
    name: string,
    args: ProxySubnetArgs & { region: string; project?: pulumi.Input<string>; network: pulumi.Input<string> },
    parent: pulumi.Resource,
): { subnet?: gcp.compute.Subnetwork; afterSubnet: pulumi.Output<pulumi.Resource[]> } {
    const { project, region, network } = args;
    const subnet =
        args.proxySubnetCidr === undefined
            ? undefined
            : new gcp.compute.Subnetwork(
                  `${name}-proxy-only`,
                  {
                      project,
                      region,
                      network,
                      ipCidrRange: args.proxySubnetCidr,
                      purpose: "REGIONAL_MANAGED_PROXY",
                      role: "ACTIVE",
                  },
                  // Only one ACTIVE proxy-only subnet may exist per VPC and region: a replacement must wait for the
                  // old one to be gone.
                  { parent, deleteBeforeReplace: true },
              );
    const afterSubnet = pulumi.output(subnet?.selfLink ?? args.proxySubnet!).apply((): pulumi.Resource[] => []);
    return { subnet, afterSubnet };
}
