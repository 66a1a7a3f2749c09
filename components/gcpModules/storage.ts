export { Bucket } from "@pulumi/gcp/storage/bucket";
export { BucketIAMMember } from "@pulumi/gcp/storage/bucketIAMMember";
