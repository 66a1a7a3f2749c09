import * as pulumi from "@pulumi/pulumi";
import { GuardedLlmEndpoint } from "../components";
import { StackConfig } from "./config";

/** Builds a stack's endpoint from its checked configuration and returns the stack outputs. */
export function buildStack(config: StackConfig) {
    for (const warning of config.warnings) pulumi.log.warn(warning);
    const endpoint = new GuardedLlmEndpoint(config.namePrefix, {
        region: config.region,
        project: config.project,
        ollama: config.ollama,
        enableApis: config.enableApis,
    });
    return {
        serviceName: endpoint.ollama.serviceName,
        modelBucket: endpoint.modelBucketName,
        serviceAccount: endpoint.ollama.serviceAccount.email,
        models: endpoint.ollama.models,
    };
}
