export { LbTrafficExtension } from "@pulumi/gcp/networkservices/lbTrafficExtension";
