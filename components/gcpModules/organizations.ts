export { IAMMember } from "@pulumi/gcp/organizations/iammember";
export { getProjectOutput } from "@pulumi/gcp/organizations/getProject";
