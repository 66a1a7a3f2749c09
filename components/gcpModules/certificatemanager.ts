export { Certificate } from "@pulumi/gcp/certificatemanager/certificate";
export { DnsAuthorization } from "@pulumi/gcp/certificatemanager/dnsAuthorization";
