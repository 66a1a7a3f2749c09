export { RecordSet } from "@pulumi/gcp/dns/recordSet";
