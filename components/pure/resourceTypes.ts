/**
 * Type tokens of the resources this library creates or judges: the `__pulumiType` of each class in @pulumi/gcp 9.x
 * and @pulumi/tls 5.x, and the library's own components. The policy pack, the offline plan and the tests match
 * resources by these strings, so that none of them needs the provider SDKs.
 */
export const TYPES = {
    address: "gcp:compute/address:Address",
    backendService: "gcp:compute/regionBackendService:RegionBackendService",
    bucket: "gcp:storage/bucket:Bucket",
    bucketIamMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    bucketIamPolicy: "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
    certificateManagerCertificate: "gcp:certificatemanager/certificate:Certificate",
    cloudArmorPolicy: "gcp:compute/regionSecurityPolicy:RegionSecurityPolicy",
    cloudRunJob: "gcp:cloudrunv2/job:Job",
    cloudRunService: "gcp:cloudrunv2/service:Service",
    cloudRunServiceIamMember: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
    /** Cloud Run Admin API v1 service, still offered by the provider. */
    cloudRunV1Service: "gcp:cloudrun/service:Service",
    dnsAuthorization: "gcp:certificatemanager/dnsAuthorization:DnsAuthorization",
    /** Regional forwarding rule (global ones are `gcp:compute/globalForwardingRule:GlobalForwardingRule`). */
    forwardingRule: "gcp:compute/forwardingRule:ForwardingRule",
    dnsRecordSet: "gcp:dns/recordSet:RecordSet",
    /** Cloud Monitoring and Cloud Logging, for `EndpointMonitoring`. */
    alertPolicy: "gcp:monitoring/alertPolicy:AlertPolicy",
    dashboard: "gcp:monitoring/dashboard:Dashboard",
    logBucketConfig: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
    logExclusion: "gcp:logging/projectExclusion:ProjectExclusion",
    logMetric: "gcp:logging/metric:Metric",
    logSink: "gcp:logging/projectSink:ProjectSink",
    notificationChannel: "gcp:monitoring/notificationChannel:NotificationChannel",
    iapBackendServiceIamBinding: "gcp:iap/webRegionBackendServiceIamBinding:WebRegionBackendServiceIamBinding",
    iapBackendServiceIamMember: "gcp:iap/webRegionBackendServiceIamMember:WebRegionBackendServiceIamMember",
    iapBackendServiceIamPolicy: "gcp:iap/webRegionBackendServiceIamPolicy:WebRegionBackendServiceIamPolicy",
    httpProxy: "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy",
    httpsProxy: "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy",
    modelArmorFloorSetting: "gcp:modelarmor/floorsetting:Floorsetting",
    modelArmorTemplate: "gcp:modelarmor/template:Template",
    network: "gcp:compute/network:Network",
    networkEndpointGroup: "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup",
    organizationIamMember: "gcp:organizations/iAMMember:IAMMember",
    projectIamBinding: "gcp:projects/iAMBinding:IAMBinding",
    projectIamMember: "gcp:projects/iAMMember:IAMMember",
    projectIamPolicy: "gcp:projects/iAMPolicy:IAMPolicy",
    projectService: "gcp:projects/service:Service",
    secretVersion: "gcp:secretmanager/secretVersion:SecretVersion",
    serviceAccount: "gcp:serviceaccount/account:Account",
    serviceIdentity: "gcp:projects/serviceIdentity:ServiceIdentity",
    sslCertificate: "gcp:compute/regionSslCertificate:RegionSslCertificate",
    globalSslCertificate: "gcp:compute/sSLCertificate:SSLCertificate",
    sslPolicy: "gcp:compute/regionSslPolicy:RegionSslPolicy",
    subnetwork: "gcp:compute/subnetwork:Subnetwork",
    trafficExtension: "gcp:networkservices/lbTrafficExtension:LbTrafficExtension",
    urlMap: "gcp:compute/regionUrlMap:RegionUrlMap",
    /**
     * The global (and classic) external Application Load Balancer: another way to put a load balancer in front of the
     * same Cloud Run service, which the policy pack judges too. Serverless NEGs are regional even behind a global one.
     */
    globalAddress: "gcp:compute/globalAddress:GlobalAddress",
    globalBackendService: "gcp:compute/backendService:BackendService",
    globalForwardingRule: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    globalHttpProxy: "gcp:compute/targetHttpProxy:TargetHttpProxy",
    globalHttpsProxy: "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
    globalNetworkEndpointGroup: "gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup",
    globalSslPolicy: "gcp:compute/sSLPolicy:SSLPolicy",
    globalUrlMap: "gcp:compute/uRLMap:URLMap",
    /** Cloud Storage ACLs, which grant access beside IAM unless the bucket uses uniform bucket-level access. */
    bucketAccessControl: "gcp:storage/bucketAccessControl:BucketAccessControl",
    bucketAcl: "gcp:storage/bucketACL:BucketACL",
    defaultObjectAccessControl: "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
    defaultObjectAcl: "gcp:storage/defaultObjectACL:DefaultObjectACL",
    objectAccessControl: "gcp:storage/objectAccessControl:ObjectAccessControl",
    objectAcl: "gcp:storage/objectACL:ObjectACL",
    tlsCertRequest: "tls:index/certRequest:CertRequest",
    tlsLocallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
    tlsPrivateKey: "tls:index/privateKey:PrivateKey",
    tlsSelfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
    timeSleep: "time:index/sleep:Sleep",
    stack: "pulumi:pulumi:Stack",
} as const;

/** The invoke that reads a project's id and number. */
export const GET_PROJECT_INVOKE = "gcp:organizations/getProject:getProject";

/** Type tokens of the library's components: `guarded-llm:index:<Name>`. */
export const componentType = <N extends string>(name: N) => `guarded-llm:index:${name}` as const;
