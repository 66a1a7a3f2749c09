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
    httpProxy: "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy",
    httpsProxy: "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy",
    modelArmorFloorSetting: "gcp:modelarmor/floorsetting:Floorsetting",
    modelArmorTemplate: "gcp:modelarmor/template:Template",
    network: "gcp:compute/network:Network",
    networkEndpointGroup: "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup",
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
    tlsCertRequest: "tls:index/certRequest:CertRequest",
    tlsLocallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
    tlsPrivateKey: "tls:index/privateKey:PrivateKey",
    tlsSelfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
    stack: "pulumi:pulumi:Stack",
} as const;

/** The invoke that reads a project's id and number. */
export const GET_PROJECT_INVOKE = "gcp:organizations/getProject:getProject";

/** Type tokens of the library's components: `guarded-llm:index:<Name>`. */
export const componentType = <N extends string>(name: N) => `guarded-llm:index:${name}` as const;
