export { IAMMember } from "@pulumi/gcp/projects/iammember";
export { Service } from "@pulumi/gcp/projects/service";
export { ServiceIdentity } from "@pulumi/gcp/projects/serviceIdentity";
