export { Job } from "@pulumi/gcp/cloudrunv2/job";
export { Service } from "@pulumi/gcp/cloudrunv2/service";
