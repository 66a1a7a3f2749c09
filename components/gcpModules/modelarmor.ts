export { Floorsetting } from "@pulumi/gcp/modelarmor/floorsetting";
export { Template } from "@pulumi/gcp/modelarmor/template";
