/**
 * The Compute Engine collection each resource type's self link names
 * (`https://www.googleapis.com/compute/v1/projects/P/regions/R/<collection>/NAME`, `.../global/<collection>/NAME`),
 * so that a reference by self link is matched against resources of the right kind only.
 */
import { TYPES } from "./resourceTypes";

export const COMPUTE_COLLECTIONS: Readonly<Record<string, string>> = {
    [TYPES.address]: "addresses",
    [TYPES.globalAddress]: "addresses",
    [TYPES.forwardingRule]: "forwardingRules",
    [TYPES.globalForwardingRule]: "forwardingRules",
    [TYPES.backendService]: "backendServices",
    [TYPES.globalBackendService]: "backendServices",
    [TYPES.networkEndpointGroup]: "networkEndpointGroups",
    [TYPES.globalNetworkEndpointGroup]: "networkEndpointGroups",
    [TYPES.urlMap]: "urlMaps",
    [TYPES.globalUrlMap]: "urlMaps",
    [TYPES.httpsProxy]: "targetHttpsProxies",
    [TYPES.globalHttpsProxy]: "targetHttpsProxies",
    [TYPES.httpProxy]: "targetHttpProxies",
    [TYPES.globalHttpProxy]: "targetHttpProxies",
    [TYPES.sslCertificate]: "sslCertificates",
    [TYPES.globalSslCertificate]: "sslCertificates",
    [TYPES.sslPolicy]: "sslPolicies",
    [TYPES.globalSslPolicy]: "sslPolicies",
    [TYPES.cloudArmorPolicy]: "securityPolicies",
    [TYPES.subnetwork]: "subnetworks",
    [TYPES.network]: "networks",
};

/**
 * Does the path or self link `value` name a resource called `name` of a type whose collection is `collection`?
 * `value` ends with `/<collection>/<name>`, or with `/<name>` when the collection is not known.
 */
export function pathNames(value: string, name: string, collection?: string): boolean {
    if (!value.endsWith(`/${name}`)) return false;
    if (collection === undefined) return true;
    return value.slice(0, -name.length - 1).endsWith(`/${collection}`);
}

/** The last segment of a self link or resource path (`.../backendServices/NAME`, `projects/P/.../templates/T`). */
export const lastSegment = (path: unknown): string | undefined =>
    typeof path === "string" ? path.split("/").pop() : undefined;
