export { WebRegionBackendServiceIamMember } from "@pulumi/gcp/iap/webRegionBackendServiceIamMember";
