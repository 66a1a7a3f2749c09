import * as pulumi from "@pulumi/pulumi";
import { GuardedLlmEndpoint, GuardedLlmGateway } from "../components";
import { StackConfig } from "./config";

/**
 * Builds a stack from its checked configuration and returns the stack outputs: one {@link GuardedLlmEndpoint}
 * (`guarded-llm:ollama`), or a {@link GuardedLlmGateway} with several services (`guarded-llm:services`).
 */
export function buildStack(config: StackConfig) {
    const { region, project, access, enableApis, loadBalancer, modelArmor, cloudArmor, monitoring } = config;
    if (config.services !== undefined) {
        const gateway = new GuardedLlmGateway(config.namePrefix, {
            region,
            project,
            access,
            enableApis,
            loadBalancer,
            modelArmor,
            cloudArmor,
            monitoring,
            services: config.services,
            modelBuckets: config.modelBuckets,
            allowUnconfirmedPathScreening: config.allowUnconfirmedPathScreening,
        });
        const buckets = Object.fromEntries(
            Object.entries(gateway.modelBuckets).map(([service, bucket]) => [service, bucket.bucketName]),
        );
        return {
            ipAddress: gateway.ipAddress,
            dnsRecords: gateway.dnsRecords,
            routeTable: gateway.routeTable,
            whoMayCall: gateway.loadBalancer.whoMayCall,
            services: gateway.services,
            serviceAccounts: pulumi.output(
                Object.fromEntries(Object.entries(gateway.ollama).map(([s, o]) => [s, o.serviceAccount.email])),
            ),
            ...(Object.keys(buckets).length > 0 ? { modelBuckets: pulumi.output(buckets) } : {}),
            ...(gateway.monitoring ? { dashboard: gateway.monitoring.dashboard.id } : {}),
        };
    }
    const endpoint = new GuardedLlmEndpoint(config.namePrefix, {
        region,
        project,
        access,
        enableApis,
        ollama: config.ollama,
        loadBalancer,
        modelArmor,
        cloudArmor,
        monitoring,
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
        ...(endpoint.monitoring ? { dashboard: endpoint.monitoring.dashboard.id } : {}),
    };
}
