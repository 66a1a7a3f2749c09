/**
 * Type tokens of the resources the policies read (the `__pulumiType` of each class in @pulumi/gcp 9.x). Policies
 * match on these strings rather than on SDK classes, so the pack needs no provider SDK and the same code runs over
 * the offline plan's recorded resources.
 */
export const CLOUD_RUN_SERVICE = "gcp:cloudrunv2/service:Service";
export const CLOUD_RUN_JOB = "gcp:cloudrunv2/job:Job";
/** Cloud Run Admin API v1 service, still offered by the provider. */
export const CLOUD_RUN_V1_SERVICE = "gcp:cloudrun/service:Service";
export const BUCKET = "gcp:storage/bucket:Bucket";
export const TRAFFIC_EXTENSION = "gcp:networkservices/lbTrafficExtension:LbTrafficExtension";
export const MODEL_ARMOR_TEMPLATE = "gcp:modelarmor/template:Template";
export const ADDRESS = "gcp:compute/address:Address";
/** Regional forwarding rule (global ones are `gcp:compute/globalForwardingRule:GlobalForwardingRule`). */
export const FORWARDING_RULE = "gcp:compute/forwardingRule:ForwardingRule";
export const HTTPS_PROXY = "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy";
export const HTTP_PROXY = "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy";
export const SSL_POLICY = "gcp:compute/regionSslPolicy:RegionSslPolicy";
export const URL_MAP = "gcp:compute/regionUrlMap:RegionUrlMap";
export const BACKEND_SERVICE = "gcp:compute/regionBackendService:RegionBackendService";
