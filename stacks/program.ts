import { GuardedLlmEndpoint } from "../components";
import { StackConfig } from "./config";

/** Builds a stack's endpoint from its checked configuration and returns the stack outputs. */
export function buildStack(config: StackConfig) {
    const { region, project, access, enableApis, ollama, loadBalancer, modelArmor, cloudArmor } = config;
    const endpoint = new GuardedLlmEndpoint(config.namePrefix, {
        region,
        project,
        access,
        enableApis,
        ollama,
        loadBalancer,
        modelArmor,
        cloudArmor,
    });
    return {
        endpointUrl: endpoint.endpointUrl,
        ipAddress: endpoint.ipAddress,
        dnsRecords: endpoint.dnsRecords,
        routeTable: endpoint.routeTable,
        whoMayCall: endpoint.loadBalancer.whoMayCall,
        promptTemplateId: endpoint.modelArmor.promptTemplateId,
        responseTemplateId: endpoint.modelArmor.responseTemplateId,
        serviceName: endpoint.ollama.serviceName,
        serviceAccount: endpoint.ollama.serviceAccount.email,
        modelBucket: endpoint.modelBucketName,
        models: endpoint.ollama.models,
    };
}
