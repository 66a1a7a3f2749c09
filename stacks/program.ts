import * as pulumi from "@pulumi/pulumi";
import { GuardedLlmEndpoint } from "../components";
import { StackConfig } from "./config";

/** Builds a stack's endpoint from its checked configuration and returns the stack outputs. */
export function buildStack(config: StackConfig) {
    for (const warning of config.warnings) pulumi.log.warn(warning);
    const endpoint = new GuardedLlmEndpoint(config.namePrefix, {
        region: config.region,
        project: config.project,
        enableApis: config.enableApis,
        ollama: config.ollama,
        loadBalancer: config.loadBalancer,
        modelArmor: config.modelArmor,
        cloudArmor: config.cloudArmor,
    });
    return {
        endpointUrl: endpoint.endpointUrl,
        ipAddress: endpoint.ipAddress,
        dnsRecords: endpoint.dnsRecords,
        routeTable: endpoint.routeTable,
        promptTemplateId: endpoint.modelArmor.promptTemplateId,
        responseTemplateId: endpoint.modelArmor.responseTemplateId,
        serviceName: endpoint.ollama.serviceName,
        serviceAccount: endpoint.ollama.serviceAccount.email,
        modelBucket: endpoint.modelBucketName,
        models: endpoint.ollama.models,
    };
}
