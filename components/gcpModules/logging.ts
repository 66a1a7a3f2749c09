export { Metric } from "@pulumi/gcp/logging/metric";
export { ProjectBucketConfig } from "@pulumi/gcp/logging/projectBucketConfig";
export { ProjectExclusion } from "@pulumi/gcp/logging/projectExclusion";
export { ProjectSink } from "@pulumi/gcp/logging/projectSink";
