// The public surface of guarded-llm: the components, their args, and what a user needs to compose, test and
// report on them. Internal helpers stay in their modules.
export { AccessArgs, IapAccessArgs, InternalAccessArgs, PublicAccessArgs } from "./access";
export { CloudArmorEdgeProtection, CloudArmorEdgeProtectionArgs } from "./cloudArmorEdgeProtection";
export {
    AlertThresholdArgs,
    EndpointMonitoring,
    EndpointMonitoringArgs,
    EndpointMonitoringConfig,
    MONITORING_ALERT_DEFAULTS,
    MonitoredServiceArgs,
    SanitizeLogsArgs,
} from "./endpointMonitoring";
export {
    EndpointCloudArmorArgs,
    EndpointLoadBalancerArgs,
    EndpointModelArmorArgs,
    EndpointOllamaArgs,
    GuardedLlmEndpoint,
    GuardedLlmEndpointArgs,
} from "./guardedLlmEndpoint";
export { GatewayServiceSummary, GuardedLlmGateway } from "./guardedLlmGateway";
export { GatewayServiceArgs, GuardedLlmGatewayArgs, ModelBuckets } from "./guardedLlmGatewayArgs";
export { DnsRecord, ManagedTlsArgs, ProvidedTlsArgs, SelfSignedTlsArgs, TlsArgs } from "./loadBalancerTls";
export { ModelArmorFloorSetting, ModelArmorFloorSettingArgs } from "./modelArmorFloorSetting";
export {
    AdvancedSdp,
    ConfidenceLevel,
    EnforcementType,
    LoggingSetting,
    ModelArmorFilterOverrides,
    ModelArmorPreset,
    ModelArmorTemplateOverrides,
    ModelArmorTemplateSettings,
    ModelArmorTemplatesSettings,
    PiAndJailbreakSetting,
    RaiFilter,
    RaiFilterType,
    resolveModelArmorSettings,
    SdpSetting,
} from "./modelArmorPresets";
export { ModelArmorTemplates, ModelArmorTemplatesArgs } from "./modelArmorTemplates";
export {
    MAX_EXTENSION_CHAINS,
    ModelArmorTrafficExtension,
    ModelArmorTrafficExtensionArgs,
    ScreeningChainArgs,
    ScreeningOptions,
} from "./modelArmorTrafficExtension";
export { serviceChainCel, screenedPathsCel } from "./pure/screeningCel";
export { BUCKET_READ_ROLE, BUCKET_READ_WRITE_ROLE, grantBucketRole, ModelBucket, ModelBucketArgs } from "./modelBucket";
export { OllamaService } from "./ollamaService";
export { DEFAULT_OLLAMA_IMAGE, ModelPullJobArgs, OllamaServiceArgs } from "./ollamaServiceArgs";
export { ENDPOINT_APIS, ProjectApis, ProjectApisArgs } from "./projectApis";
export { ProxySubnetArgs } from "./proxySubnet";
export { GpuType } from "./pure/gpu";
export { ScreeningDirection } from "./pure/modelArmorSettings";
export { DEFAULT_ALLOWED_PATHS, OllamaPathKind } from "./pure/ollamaPaths";
export { DashboardDefinition, renderDashboardGrid } from "./pure/monitoringDashboard";
export { DOCUMENTED_NAMES, undocumentedNames } from "./pure/monitoringNames";
export { RouteTableRow } from "./pure/routeTable";
export { Route, routeRequest } from "./pure/urlMapRouter";
export {
    LoadBalancerServiceArgs,
    RegionalHttpsLoadBalancer,
    RegionalHttpsLoadBalancerArgs,
    SslPolicyArgs,
} from "./regionalHttpsLoadBalancer";
export { ConfigurationError, formatProblem, Problem } from "./validation";
