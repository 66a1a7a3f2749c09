/**
 * A recording Pulumi mock runtime, shared by the offline plan and the tests. It returns the provider-computed
 * outputs the components read (ids, self links, `uri`, `email`, `address`, template names), throws on an invoke
 * it does not know, and records every registration as the engine would see it: inputs (secrets redacted),
 * parent, dependencies, property dependencies, protect and retainOnDelete.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { GET_PROJECT_INVOKE, TYPES } from "../components/pure/resourceTypes";
import { SECRET, UNKNOWN } from "../components/pure/values";

/** One registered resource, in the vocabulary of `pulumi stack export`. */
export interface RecordedResource {
    urn: string;
    custom: boolean;
    type: string;
    name: string;
    parent?: string;
    /** The inputs the program passed, with every secret value replaced by `"[secret]"`. */
    inputs: Record<string, any>;
    /** Top-level input keys whose value is or holds a secret. */
    secretInputs: string[];
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect?: boolean;
    retainOnDelete?: boolean;
    /** Outputs registered by components and the stack (`registerOutputs`). */
    outputs?: Record<string, any>;
    /** `customTimeouts` as the program set them (`create`, `update`, `delete`, e.g. "130m"). */
    customTimeouts?: { create?: string; update?: string; delete?: string };
    /** Set where the program asked for the old resource to be deleted before its replacement is created. */
    deleteBeforeReplace?: boolean;
    /** Inputs whose change replaces the resource (`replaceOnChanges`). */
    replaceOnChanges?: string[];
    /** Earlier identities this resource keeps its state from (`aliases`), as type and name where given. */
    aliases?: { type?: string; name?: string }[];
}

/** A warning a component logged (`pulumi.log.warn(message, resource)`). */
export interface RecordedWarning {
    readonly message: string;
    /** The URN of the resource that logged it; absent for a warning of the program. */
    readonly urn?: string;
}

export const MOCK_PROJECT_NUMBER = "123456789012";
export const MOCK_ADDRESS = "203.0.113.10";

/** Compute collections by resource type, for the self links the mock returns. */
const COMPUTE_COLLECTIONS: Record<string, string> = {
    [TYPES.address]: "addresses",
    [TYPES.forwardingRule]: "forwardingRules",
    [TYPES.backendService]: "backendServices",
    [TYPES.networkEndpointGroup]: "networkEndpointGroups",
    [TYPES.urlMap]: "urlMaps",
    [TYPES.httpsProxy]: "targetHttpsProxies",
    [TYPES.httpProxy]: "targetHttpProxies",
    [TYPES.sslCertificate]: "sslCertificates",
    [TYPES.sslPolicy]: "sslPolicies",
    [TYPES.cloudArmorPolicy]: "securityPolicies",
    [TYPES.subnetwork]: "subnetworks",
    [TYPES.network]: "networks",
};

class RecordingMocks implements pulumi.runtime.Mocks {
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = args.inputs ?? {};
        const project: string = inputs.project ?? mockProject();
        const name: string = inputs.name ?? args.name;
        // Like the provider, fill in the default project on every Google resource.
        const state: Record<string, any> = { ...inputs, name, ...(args.type.startsWith("gcp:") ? { project } : {}) };
        const collection = COMPUTE_COLLECTIONS[args.type];
        if (collection) {
            const scope = inputs.region ? `regions/${inputs.region}` : "global";
            state.selfLink = `https://www.googleapis.com/compute/v1/projects/${project}/${scope}/${collection}/${name}`;
        }
        switch (args.type) {
            case TYPES.serviceAccount:
                state.email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
                state.member = `serviceAccount:${state.email}`;
                state.name = `projects/${project}/serviceAccounts/${state.email}`;
                break;
            case TYPES.serviceIdentity:
                state.email = `service-${MOCK_PROJECT_NUMBER}@gcp-sa-${String(inputs.service).split(".")[0]}.iam.gserviceaccount.com`;
                state.member = `serviceAccount:${state.email}`;
                break;
            case TYPES.bucket:
                state.url = `gs://${name}`;
                break;
            case TYPES.notificationChannel:
                state.name = `projects/${project}/notificationChannels/${args.name}-id`;
                break;
            case TYPES.dashboard:
                return { id: `projects/${MOCK_PROJECT_NUMBER}/dashboards/${args.name}-id`, state };
            case TYPES.cloudRunService:
                state.uri = `https://${name}-mock-uc.a.run.app`;
                break;
            case TYPES.address:
                state.address = inputs.address ?? MOCK_ADDRESS;
                break;
            case TYPES.modelArmorTemplate:
                state.name = `projects/${project}/locations/${inputs.location}/templates/${inputs.templateId}`;
                return { id: state.name, state };
            case TYPES.certificateManagerCertificate:
                // The id is the path the HTTPS proxy's certificateManagerCertificates takes.
                return {
                    id: `projects/${project}/locations/${inputs.location ?? "global"}/certificates/${name}`,
                    state,
                };
            case TYPES.dnsAuthorization:
                state.dnsResourceRecords = [
                    {
                        name: `_acme-challenge.${inputs.domain}.`,
                        type: "CNAME",
                        data: `${args.name}.mock.authorize.certificatemanager.goog.`,
                    },
                ];
                break;
            case TYPES.tlsPrivateKey:
                state.privateKeyPem = "-----BEGIN RSA PRIVATE KEY-----\nMOCK\n-----END RSA PRIVATE KEY-----\n";
                break;
            case TYPES.tlsSelfSignedCert:
                state.certPem = "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n";
                break;
        }
        return { id: `${name}-id`, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        if (args.token === GET_PROJECT_INVOKE) {
            const projectId = args.inputs.projectId ?? mockProject();
            return { projectId, number: MOCK_PROJECT_NUMBER, name: projectId, id: `projects/${projectId}` };
        }
        throw new Error(`the mock runtime does not know the invoke ${args.token}`);
    }
}

function mockProject(): string {
    return new pulumi.Config("gcp").get("project") ?? "mock-project";
}

/** Turns a registration's raw property struct into plain JSON, secrets redacted and resources as URNs. */
function toRecordedValue(value: any): any {
    if (value === rpc.unknownValue) return UNKNOWN;
    if (Array.isArray(value)) return value.map((v) => toRecordedValue(v));
    if (value !== null && typeof value === "object") {
        const sig = value[rpc.specialSigKey];
        if (sig === rpc.specialSecretSig) return SECRET;
        if (sig === rpc.specialResourceSig) return value.urn;
        const result: Record<string, any> = {};
        for (const [k, v] of Object.entries(value)) result[k] = toRecordedValue(v);
        return result;
    }
    return value;
}

/** Does any leaf of `value` hold a secret? Nested secrets also taint their top-level key. */
function containsSecret(value: any): boolean {
    if (value === null || typeof value !== "object") return false;
    if (value[rpc.specialSigKey] === rpc.specialSecretSig) return true;
    return Object.values(value).some(containsSecret);
}

/** Records every registration that reaches `monitor` into `recorded`, then lets the mock monitor answer. */
function recordRegistrations(monitor: MockMonitor, recorded: Map<string, RecordedResource>): void {
    const registerResource = monitor.registerResource.bind(monitor);
    const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResource = (req: any, callback) => {
        const raw = req.getObject()?.toJavaScript() ?? {};
        const urn = (monitor as any).newUrn(req.getParent(), req.getType(), req.getName());
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        const record: RecordedResource = {
            urn,
            custom: req.getCustom(),
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent() || undefined,
            inputs: toRecordedValue(raw),
            secretInputs: Object.keys(raw).filter((k) => containsSecret(raw[k])),
            dependencies: req.getDependenciesList(),
            propertyDependencies,
        };
        const aliases = (req.getAliasesList?.() ?? []).flatMap((alias: any) => {
            const spec = alias.getSpec?.();
            return spec
                ? [
                      {
                          ...(spec.getType() ? { type: spec.getType() } : {}),
                          ...(spec.getName() ? { name: spec.getName() } : {}),
                      },
                  ]
                : [];
        });
        if (aliases.length > 0) record.aliases = aliases;
        const timeouts = req.getCustomtimeouts();
        if (timeouts) {
            const set = Object.entries({
                create: timeouts.getCreate(),
                update: timeouts.getUpdate(),
                delete: timeouts.getDelete(),
            });
            const given = Object.fromEntries(set.filter(([, v]) => v));
            if (Object.keys(given).length > 0) record.customTimeouts = given;
        }
        if (req.getDeletebeforereplace()) record.deleteBeforeReplace = true;
        if (req.getReplaceonchangesList().length > 0) record.replaceOnChanges = req.getReplaceonchangesList();
        if (req.getProtect()) record.protect = true;
        if (req.getRetainondelete()) record.retainOnDelete = true;
        recorded.set(urn, record);
        return registerResource(req, callback);
    };
    monitor.registerResourceOutputs = (req: any, callback) => {
        const record = recorded.get(req.getUrn());
        if (record) record.outputs = toRecordedValue(req.getOutputs()?.toJavaScript() ?? {});
        registerResourceOutputs(req, callback);
    };
}

/** The handle on an installed recording runtime. */
export interface RecordingRuntime {
    /** Every resource registered since the last {@link RecordingRuntime.reset}, in registration order. */
    resources(): RecordedResource[];
    /** Every warning logged since the last reset, in order, each with the URN of the resource that logged it. */
    warnings(): Promise<RecordedWarning[]>;
    /** Forgets what was recorded and runs what comes next as stack `stack` (`pulumi.getStack()`). */
    reset(stack?: string): void;
}

/**
 * Installs the recording mock runtime (not a preview, so outputs the mock returns are known). Call before the
 * program or components are constructed. Warnings are recorded instead of printed: under mocks the SDK has no
 * engine to send them to, and would print them to the console.
 */
export function installRecordingRuntime(project = "guarded-llm", stack = "dev"): RecordingRuntime {
    skipSdkStackTraces();
    const recorded = new Map<string, RecordedResource>();
    let warnings: Promise<RecordedWarning>[] = [];
    const activate = (stackName: string) => {
        // setMocks also switches on the runtime features mocks support (secrets, resource references).
        pulumi.runtime.setMocks(new RecordingMocks(), project, stackName, false);
        recordRegistrations((settings as any).getMonitor(), recorded);
    };
    (pulumi.log as { warn: typeof pulumi.log.warn }).warn = (message, resource) => {
        const urn: Promise<string | undefined> = resource
            ? (resource.urn as any).promise()
            : Promise.resolve(undefined);
        warnings.push(urn.then((u) => (u === undefined ? { message } : { message, urn: u })));
        return Promise.resolve();
    };
    activate(stack);
    return {
        resources: () => [...recorded.values()],
        warnings: () => Promise.all(warnings),
        reset: (nextStack = stack) => {
            recorded.clear();
            warnings = [];
            activate(nextStack);
        },
    };
}

/**
 * Most of a mock run went to stack traces the mock never reads: the SDK captures one for every promise it tracks
 * (`debuggablePromise`, about 75 per resource, kept for its leak report) and a full-depth one per resource for its
 * source position, each run through source maps. Both are skipped here; errors the program throws keep their
 * message and stack. The SDK's own module objects are patched, as its modules call each other through them.
 */
let stackTracesSkipped = false;
function skipSdkStackTraces(): void {
    if (stackTracesSkipped) return;
    stackTracesSkipped = true;
    const tracked = debuggable as unknown as { debuggablePromise?: (...args: unknown[]) => unknown };
    const track = tracked.debuggablePromise;
    if (typeof track === "function") {
        tracked.debuggablePromise = (...args: unknown[]) => {
            const limit = Error.stackTraceLimit;
            Error.stackTraceLimit = 0;
            try {
                return track(...args);
            } finally {
                Error.stackTraceLimit = limit;
            }
        };
    }
    const resource = pulumi.Resource as unknown as { callsites?: () => unknown[] };
    if (typeof resource.callsites === "function") resource.callsites = () => [];
}

/** Waits until every registration the program started has reached the mock monitor. */
export async function settle(): Promise<void> {
    await (settings as any).waitForRPCs();
}
