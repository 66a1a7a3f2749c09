/** Who may call an endpoint: Identity-Aware Proxy, the VPC only, or anyone (docs/platform-facts.md#iap-and-internal). */
export const ACCESS_MODES = ["iap", "internal", "public"] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];
