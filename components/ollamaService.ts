import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { GPU_TYPE_NAMES, GPU_TYPES, GpuType, JOB_CPU_MAX_MEMORY_MI, memoryInMi } from "./gpu";
import { BUCKET_READ_ROLE, BUCKET_READ_WRITE_ROLE, grantBucketRole } from "./modelBucket";
import { serviceAccountId, shortHash } from "./naming";
import { checkComponentArgs, Problems } from "./validation";

/** Pinned default image: `latest` would change the server under a running endpoint at the next cold start. */
export const DEFAULT_OLLAMA_IMAGE = "ollama/ollama:0.13.5";

/** Settings of the model-pull job. */
export interface ModelPullJobArgs {
    /** CPU of the job's task: 1, 2, 4, 6 or 8. @default 2 */
    readonly cpu?: number;
    /**
     * Memory of the job's task. gcsfuse stages writes in the instance's in-memory disk, so give it more than the
     * largest model; at most 4Gi per CPU. @default "8Gi"
     */
    readonly memory?: string;
    /** Time a pull may take, in seconds (1..86400). @default 3600 */
    readonly timeoutSeconds?: number;
}

/** Arguments of {@link OllamaService}. Field names match the `guarded-llm:ollama` stack config keys. */
export interface OllamaServiceArgs {
    /** Cloud Run region; must offer the GPU type. */
    readonly region: string;
    /** Project for the service, job and service accounts. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /** Name of the bucket holding the model files (e.g. `ModelBucket.bucketName`, or an existing bucket). */
    readonly modelBucketName: pulumi.Input<string>;
    /** Container image; pin a version. @default {@link DEFAULT_OLLAMA_IMAGE} */
    readonly image?: string;
    /** GPU attached to each instance (one per instance). @default "nvidia-l4" */
    readonly gpuType?: GpuType;
    /** Spread GPU instances over zones (needs zonal-redundancy quota and costs more). @default false */
    readonly gpuZonalRedundancy?: boolean;
    /** vCPUs per instance; at least the GPU type's minimum (4 for L4, 20 for RTX PRO 6000). @default that minimum */
    readonly cpu?: number;
    /** Memory per instance, e.g. "16Gi"; at least the GPU type's minimum. @default that minimum */
    readonly memory?: string;
    /** Concurrent requests per instance (1..1000). @default 4 */
    readonly concurrency?: number;
    /** `OLLAMA_NUM_PARALLEL`: requests Ollama serves at once. @default `concurrency` */
    readonly numParallel?: number;
    /** Request timeout in seconds (1..3600). @default 600 */
    readonly timeoutSeconds?: number;
    /** Instances kept warm; 1 removes cold starts and bills the GPU around the clock. @default 0 */
    readonly minInstances?: number;
    /** Upper bound of instances; must fit the project's GPU quota. @default 1 */
    readonly maxInstances?: number;
    /** Port Ollama listens on. @default 11434 */
    readonly port?: number;
    /** Where the model bucket is mounted (`OLLAMA_MODELS`). @default "/root/.ollama/models" */
    readonly modelsMountPath?: string;
    /** Ollama models pulled into the bucket before the service starts, e.g. `["gemma:2b"]`. @default [] */
    readonly models?: readonly string[];
    /** gcsfuse flags for the model mount, without leading dashes. @default ["implicit-dirs"] */
    readonly modelMountOptions?: readonly string[];
    /** Settings of the model-pull job. @default see {@link ModelPullJobArgs} */
    readonly pullJob?: ModelPullJobArgs;
    /**
     * Keep the service's `run.app` URL. Ingress still only admits load balancer traffic, but the URL advertises the
     * service. @default false
     */
    readonly enableRunAppUrl?: boolean;
    /**
     * INSECURE: accept traffic from the internet directly, bypassing the load balancer, its path allowlist and
     * Model Armor. Ollama has no authentication. @default false
     */
    readonly insecureAllowAllIngress?: boolean;
    /** Labels on the service and job. @default none */
    readonly labels?: Record<string, string>;
}

/**
 * Cloud Run job names plus their run token stay under 63 characters: the job is auto-named `<name>-model-pull-xxxxxxx`
 * and its token is 14 characters. (Service names, at most 49, are then within bounds too.)
 */
export const OLLAMA_SERVICE_NAME_LIMIT = [29, "the model-pull job's generated name plus its run token must stay under 63 characters"] as const;

export const DEFAULT_MODELS_MOUNT_PATH = "/root/.ollama/models";
const DEFAULT_PORT = 11434;
const DEFAULT_CONCURRENCY = 4;
const MODEL_VOLUME = "ollama-model";

/**
 * Ollama model references: `name`, `name:tag`, `namespace/name:tag` or `registry/namespace/name:tag`
 * (e.g. `gemma:2b`, `hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M`). The pattern also keeps names safe to
 * pass as arguments to the pull job.
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*){0,2}(:[A-Za-z0-9][A-Za-z0-9._-]{0,127})?$/;

/** An image reference with a tag or digest; `latest` and untagged references are refused. */
const IMAGE_PATTERN = /^[a-z0-9]([a-z0-9._\-/:]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$/;

/** The pull job's script: start a local server, pull each model given as an argument, stop. */
const PULL_SCRIPT = [
    "set -eu",
    "ollama serve & server=$!",
    'until ollama list >/dev/null 2>&1; do kill -0 "$server" || exit 1; sleep 1; done',
    'for model in "$@"; do echo "pulling $model"; ollama pull "$model"; done',
    'kill "$server"; wait "$server" || true',
].join("\n");

export function validateOllamaServiceArgs(args: OllamaServiceArgs, problems: Problems): void {
    const regionValid = problems.region("region", args.region);
    const gpuType = args.gpuType ?? "nvidia-l4";
    if (problems.oneOf("gpuType", gpuType, GPU_TYPE_NAMES)) {
        const gpu = GPU_TYPES[gpuType];
        const regions: readonly string[] = gpu.regions;
        if (regionValid && !regions.includes(args.region)) {
            problems.add("region", args.region, `Cloud Run offers ${gpuType} only in ${regions.join(", ")}`);
        }
        if (args.cpu !== undefined && problems.integer("cpu", args.cpu, 1, 96)) {
            if (args.cpu < gpu.minCpu) problems.add("cpu", args.cpu, `${gpuType} needs at least ${gpu.minCpu} CPU`);
            else if (gpu.maxCpu !== undefined && args.cpu > gpu.maxCpu) problems.add("cpu", args.cpu, `Cloud Run gives ${gpuType} instances at most ${gpu.maxCpu} CPU`);
        }
        if (args.memory !== undefined) {
            const mi = memoryInMi(String(args.memory));
            if (typeof args.memory !== "string" || mi === undefined) {
                problems.add("memory", args.memory, 'must be a size in Mi or Gi, e.g. "16Gi"');
            } else if (mi < gpu.minMemoryMi) {
                problems.add("memory", args.memory, `${gpuType} needs at least ${gpu.minMemoryMi / 1024}Gi`);
            } else if (gpu.maxMemoryMi !== undefined && mi > gpu.maxMemoryMi) {
                problems.add("memory", args.memory, `Cloud Run gives ${gpuType} instances at most ${gpu.maxMemoryMi / 1024}Gi`);
            }
        }
    }
    if (args.image !== undefined) validateImage(problems, "image", args.image);
    optional(args.gpuZonalRedundancy, (v) => problems.boolean("gpuZonalRedundancy", v));
    optional(args.concurrency, (v) => problems.integer("concurrency", v, 1, 1000));
    optional(args.numParallel, (v) => problems.integer("numParallel", v, 1, 1000));
    optional(args.timeoutSeconds, (v) => problems.integer("timeoutSeconds", v, 1, 3600, "seconds"));
    const minOk = optional(args.minInstances, (v) => problems.integer("minInstances", v, 0, 1000));
    const maxOk = optional(args.maxInstances, (v) => problems.integer("maxInstances", v, 1, 1000));
    const min = args.minInstances ?? 0;
    const max = args.maxInstances ?? 1;
    if (minOk && maxOk && min > max) {
        problems.add("minInstances", min, `must not exceed maxInstances (${max})`);
    }
    optional(args.port, (v) => problems.integer("port", v, 1, 65535));
    optional(args.modelsMountPath, (v) =>
        problems.matches("modelsMountPath", v, /^\/[^\0]*$/, 'must be an absolute path, e.g. "/root/.ollama/models"'),
    );
    if (args.models !== undefined) validateModels(problems, args.models);
    if (args.modelMountOptions !== undefined && problems.array("modelMountOptions", args.modelMountOptions)) {
        args.modelMountOptions.forEach((option, i) =>
            problems.matches(
                `modelMountOptions[${i}]`,
                option,
                /^[a-z][a-z0-9-]*(:[a-z0-9-]+)?(=.+)?$/,
                'must be a gcsfuse flag without leading dashes, e.g. "implicit-dirs"',
            ),
        );
    }
    if (args.pullJob !== undefined && problems.object("pullJob", args.pullJob)) {
        const job = problems.under("pullJob.");
        const cpus = Object.keys(JOB_CPU_MAX_MEMORY_MI).map(Number);
        const cpu: unknown = args.pullJob.cpu ?? 2;
        const cpuValid = typeof cpu === "number" && cpus.includes(cpu);
        if (!cpuValid) job.add("cpu", cpu, `must be one of ${cpus.join(", ")} (the CPU counts of a Cloud Run job task)`);
        const mi = memoryInMi(String(args.pullJob.memory ?? "8Gi"));
        if (args.pullJob.memory !== undefined && (typeof args.pullJob.memory !== "string" || mi === undefined)) {
            job.add("memory", args.pullJob.memory, 'must be a size in Mi or Gi, e.g. "8Gi"');
        } else if (cpuValid && mi! > JOB_CPU_MAX_MEMORY_MI[cpu]) {
            const enough = cpus.find((c) => JOB_CPU_MAX_MEMORY_MI[c] >= mi!);
            job.add("memory", args.pullJob.memory ?? "8Gi", enough === undefined
                ? "must be at most 32Gi (Cloud Run's largest job task)"
                : `needs pullJob.cpu of at least ${enough} (Cloud Run allows ${JOB_CPU_MAX_MEMORY_MI[cpu] / 1024}Gi with ${cpu} CPU)`);
        }
        optional(args.pullJob.timeoutSeconds, (v) => job.integer("timeoutSeconds", v, 1, 86400, "seconds"));
    }
    optional(args.enableRunAppUrl, (v) => problems.boolean("enableRunAppUrl", v));
    optional(args.insecureAllowAllIngress, (v) => problems.boolean("insecureAllowAllIngress", v));
}

function optional<T>(value: T | undefined, rule: (value: T) => boolean): boolean {
    return value === undefined ? true : rule(value);
}

function validateImage(problems: Problems, field: string, image: unknown): void {
    if (!problems.nonEmptyString(field, image)) return;
    if (/:latest$/.test(image) || !IMAGE_PATTERN.test(image)) {
        problems.add(field, image, 'must name a pinned tag or digest, not "latest", e.g. "ollama/ollama:0.13.5"');
    }
}

function validateModels(problems: Problems, models: unknown): void {
    if (!problems.array("models", models)) return;
    const seen = new Map<string, number>();
    models.forEach((model, i) => {
        if (!problems.matches(`models[${i}]`, model, MODEL_NAME_PATTERN, 'must be an Ollama model name such as "gemma:2b"')) {
            return;
        }
        const canonical = model.includes(":") ? model : `${model}:latest`;
        const first = seen.get(canonical);
        if (first !== undefined) problems.add(`models[${i}]`, model, `duplicates models[${first}]`);
        else seen.set(canonical, i);
    });
}

/**
 * Ollama on Cloud Run with one NVIDIA GPU, its models on a read-only Cloud Storage volume, reachable only through
 * an internal or cloud load balancer; plus the Cloud Run job that pulls the declared models into the bucket.
 */
export class OllamaService extends pulumi.ComponentResource {
    /** The Cloud Run service. */
    public readonly service: gcp.cloudrunv2.Service;
    /** The Cloud Run job that pulls the declared models; `pulumi up` waits for it to complete. */
    public readonly pullJob: gcp.cloudrunv2.Job;
    /** The service's own identity, with read access to the model bucket and nothing else. */
    public readonly serviceAccount: gcp.serviceaccount.Account;
    /** The pull job's identity, with read-write access to the model bucket and nothing else. */
    public readonly pullServiceAccount: gcp.serviceaccount.Account;
    /** The Cloud Run service name, for a serverless NEG. */
    public readonly serviceName: pulumi.Output<string>;
    /** The region everything here lives in. */
    public readonly region: string;
    /** The models declared for this service. */
    public readonly models: readonly string[];

    constructor(name: string, args: OllamaServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs("OllamaService", name, args, validateOllamaServiceArgs, OLLAMA_SERVICE_NAME_LIMIT);
        super("guarded-llm:index:OllamaService", name, {}, opts);

        const gpuType = args.gpuType ?? "nvidia-l4";
        const gpu = GPU_TYPES[gpuType];
        const port = args.port ?? DEFAULT_PORT;
        const concurrency = args.concurrency ?? DEFAULT_CONCURRENCY;
        const mountPath = args.modelsMountPath ?? DEFAULT_MODELS_MOUNT_PATH;
        const mountOptions = [...(args.modelMountOptions ?? ["implicit-dirs"])];
        this.region = args.region;
        this.models = [...(args.models ?? [])];

        const account = (suffix: string, purpose: string) =>
            new gcp.serviceaccount.Account(
                `${name}-${suffix}`,
                {
                    project: args.project,
                    accountId: serviceAccountId(name, suffix),
                    displayName: `guarded-llm ${name}: ${purpose}`,
                },
                { parent: this },
            );
        this.serviceAccount = account("run", "Ollama service (reads the model bucket)");
        this.pullServiceAccount = account("pull", "model pull job (writes the model bucket)");
        const member = (sa: gcp.serviceaccount.Account) => pulumi.interpolate`serviceAccount:${sa.email}`;
        const readGrant = grantBucketRole(`${name}-models-read`, args.modelBucketName, BUCKET_READ_ROLE,
            member(this.serviceAccount), { parent: this });
        const writeGrant = grantBucketRole(`${name}-models-write`, args.modelBucketName, BUCKET_READ_WRITE_ROLE,
            member(this.pullServiceAccount), { parent: this });

        const modelsEnv = { name: "OLLAMA_MODELS", value: mountPath };
        const volume = (readOnly: boolean) => ({
            name: MODEL_VOLUME,
            gcs: { bucket: args.modelBucketName, readOnly, mountOptions },
        });
        const volumeMount = { name: MODEL_VOLUME, mountPath };
        const image = args.image ?? DEFAULT_OLLAMA_IMAGE;
        const pullJob = args.pullJob ?? {};
        const pullTimeout = `${Math.ceil((pullJob.timeoutSeconds ?? 3600) / 60) + 10}m`;

        // Ollama refuses to start on a read-only models directory unless `blobs/` and `manifests/` already exist
        // (it creates them at start-up) and pruning is off (it deletes unreferenced blobs at start-up). The job
        // runs `ollama serve` on a read-write mount first, which creates both directories even with no models.
        this.pullJob = new gcp.cloudrunv2.Job(
            `${name}-model-pull`,
            {
                project: args.project,
                location: args.region,
                deletionProtection: false,
                labels: args.labels,
                template: {
                    taskCount: 1,
                    parallelism: 1,
                    template: {
                        serviceAccount: this.pullServiceAccount.email,
                        executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
                        timeout: `${pullJob.timeoutSeconds ?? 3600}s`,
                        maxRetries: 1,
                        volumes: [volume(false)],
                        containers: [
                            {
                                image,
                                commands: ["/bin/sh", "-c", PULL_SCRIPT, "pull-models"],
                                args: [...this.models],
                                envs: [{ name: "OLLAMA_HOST", value: "127.0.0.1:11434" }, modelsEnv],
                                resources: {
                                    limits: { cpu: String(pullJob.cpu ?? 2), memory: pullJob.memory ?? "8Gi" },
                                },
                                volumeMounts: [volumeMount],
                            },
                        ],
                    },
                },
                // Runs the job to completion during `pulumi up` whenever the model list or the bucket changes,
                // and only then. Job name + token must stay under 63 characters (OLLAMA_SERVICE_NAME_LIMIT).
                runExecutionToken: pulumi
                    .output(args.modelBucketName)
                    .apply((bucket) => `m-${shortHash([bucket, ...this.models].join("\n"), 12)}`),
            },
            {
                parent: this,
                dependsOn: [writeGrant],
                // With runExecutionToken the create/update lasts until the pull completes; the provider's default
                // 20-minute timeout (magic-modules cloudrunv2/Job.yaml) would give up on a large model first.
                customTimeouts: { create: pullTimeout, update: pullTimeout },
            },
        );

        this.service = new gcp.cloudrunv2.Service(
            name,
            {
                project: args.project,
                location: args.region,
                // Stateless and rebuilt from code; protection would only block `pulumi destroy`.
                deletionProtection: false,
                ingress: args.insecureAllowAllIngress ? "INGRESS_TRAFFIC_ALL" : "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
                // The load balancer mints no identity token, so an IAM check would reject every request; this
                // is Google's recommended alternative to granting allUsers roles/run.invoker.
                invokerIamDisabled: true,
                defaultUriDisabled: !args.enableRunAppUrl,
                // Disabling the run.app URL is a preview feature (magic-modules cloudrunv2/Service.yaml marks the
                // field beta; skaffold#9522 needed the BETA launch stage). BETA admits GA features too.
                ...(args.enableRunAppUrl ? {} : { launchStage: "BETA" }),
                labels: args.labels,
                template: {
                    serviceAccount: this.serviceAccount.email,
                    executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
                    nodeSelector: { accelerator: gpuType },
                    gpuZonalRedundancyDisabled: !args.gpuZonalRedundancy,
                    maxInstanceRequestConcurrency: concurrency,
                    timeout: `${args.timeoutSeconds ?? 600}s`,
                    scaling: { minInstanceCount: args.minInstances ?? 0, maxInstanceCount: args.maxInstances ?? 1 },
                    volumes: [volume(true)],
                    containers: [
                        {
                            image,
                            ports: { containerPort: port, name: "http1" },
                            envs: [
                                { name: "OLLAMA_HOST", value: `0.0.0.0:${port}` },
                                modelsEnv,
                                { name: "OLLAMA_NUM_PARALLEL", value: String(args.numParallel ?? concurrency) },
                                { name: "OLLAMA_KEEP_ALIVE", value: "-1" },
                                { name: "OLLAMA_NOPRUNE", value: "true" },
                            ],
                            resources: {
                                // GPUs need instance-based billing (CPU always allocated); cpu AND memory must both
                                // be set or the provider shows a perpetual diff (magic-modules #18399).
                                cpuIdle: false,
                                startupCpuBoost: true,
                                limits: {
                                    cpu: String(args.cpu ?? gpu.minCpu),
                                    memory: args.memory ?? `${gpu.minMemoryMi / 1024}Gi`,
                                    "nvidia.com/gpu": "1",
                                },
                            },
                            volumeMounts: [volumeMount],
                            // The port opens once the server is up; the window allows for a slow gcsfuse mount
                            // and GPU driver start on a cold instance (Cloud Run caps period and delay at 240 s).
                            startupProbe: {
                                tcpSocket: { port },
                                initialDelaySeconds: 0,
                                periodSeconds: 10,
                                timeoutSeconds: 5,
                                failureThreshold: 24,
                            },
                        },
                    ],
                },
            },
            { parent: this, dependsOn: [readGrant, this.pullJob] },
        );
        this.serviceName = this.service.name;
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceAccountEmail: this.serviceAccount.email,
            models: this.models,
        });
    }
}
