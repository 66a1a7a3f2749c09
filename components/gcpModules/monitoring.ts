export { AlertPolicy } from "@pulumi/gcp/monitoring/alertPolicy";
export { Dashboard } from "@pulumi/gcp/monitoring/dashboard";
export { NotificationChannel } from "@pulumi/gcp/monitoring/notificationChannel";
