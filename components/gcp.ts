// The @pulumi/gcp resources this library uses, imported file by file: a service module such as "@pulumi/gcp/compute"
// re-exports all of that service's resources (about 280 for compute), which `tsc` would otherwise read on every
// type check. Add a resource to its service's file under gcpModules/ before using it.
export * as certificatemanager from "./gcpModules/certificatemanager";
export * as cloudrunv2 from "./gcpModules/cloudrunv2";
export * as compute from "./gcpModules/compute";
export * as dns from "./gcpModules/dns";
export * as iap from "./gcpModules/iap";
export * as logging from "./gcpModules/logging";
export * as modelarmor from "./gcpModules/modelarmor";
export * as monitoring from "./gcpModules/monitoring";
export * as networkservices from "./gcpModules/networkservices";
export * as organizations from "./gcpModules/organizations";
export * as projects from "./gcpModules/projects";
export * as serviceaccount from "./gcpModules/serviceaccount";
export * as storage from "./gcpModules/storage";
