export { Account } from "@pulumi/gcp/serviceaccount/account";
