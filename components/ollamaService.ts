import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import * as time from "@pulumiverse/time";
import { BUCKET_READ_ROLE, BUCKET_READ_WRITE_ROLE, grantBucketRole } from "./modelBucket";
import { boundedSlug, serviceAccountId, shortHash } from "./naming";
import {
    MODEL_PULL_JOB_RETRIES,
    OLLAMA_SERVICE_NAME_LIMIT,
    OllamaServiceArgs,
    ResolvedOllamaServiceArgs,
    resolveOllamaServiceArgs,
    validateOllamaServiceArgs,
} from "./ollamaServiceArgs";
import { componentType } from "./pure/resourceTypes";
import { checkComponentArgs } from "./validation";

/** Cloud Run service names: at most 49 lowercase letters, digits and hyphens, starting with a letter. */
const CLOUD_RUN_SERVICE_NAME_LENGTH = 49;

/** Minutes the pull job's create may take beyond its attempts: starting the execution, and its retry. */
const PULL_TIMEOUT_MARGIN_MINUTES = 10;

const MODEL_VOLUME = "ollama-model";

/**
 * The service's start: Ollama's server as the container's main process (`exec`, so that it receives Cloud Run's
 * SIGTERM), and beside it a loader that waits for the server and loads each model given as an argument
 * (`ollama run MODEL ""` loads a model without a prompt, Ollama FAQ "How can I preload a model"). With
 * OLLAMA_KEEP_ALIVE=-1 it stays loaded. A failed preload is logged and leaves the model to load on first use.
 */
const SERVE_SCRIPT = [
    "(",
    "  until ollama list >/dev/null 2>&1; do sleep 1; done",
    '  for model in "$@"; do ollama run "$model" "" >/dev/null 2>&1 && echo "preloaded $model" || echo "could not preload $model" >&2; done',
    ") &",
    "exec ollama serve",
].join("\n");

/** The pull job's script: start a local server, pull each model given as an argument, stop. */
const PULL_SCRIPT = [
    "set -eu",
    "ollama serve & server=$!",
    'until ollama list >/dev/null 2>&1; do kill -0 "$server" || exit 1; sleep 1; done',
    'for model in "$@"; do echo "pulling $model"; ollama pull "$model"; done',
    'kill "$server"; wait "$server" || true',
].join("\n");

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
    /**
     * The Cloud Run service's name, known before the service exists: a serverless NEG needs only the name, so a load
     * balancer given this (not `service.name`) is built while the models are pulled and the GPU revision starts.
     */
    public readonly serviceName: string;
    /** The region everything here lives in. */
    public readonly region: string;
    /** The models declared for this service. */
    public readonly models: readonly string[];
    /** The GPU every instance has. */
    public readonly gpuType: string;

    constructor(name: string, args: OllamaServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs("OllamaService", name, args, validateOllamaServiceArgs, OLLAMA_SERVICE_NAME_LIMIT);
        super(componentType("OllamaService"), name, {}, opts);
        const resolved = resolveOllamaServiceArgs(args);
        this.region = resolved.region;
        this.serviceName = boundedSlug(name, CLOUD_RUN_SERVICE_NAME_LENGTH);
        this.models = [...resolved.models];
        this.gpuType = resolved.gpuType;

        this.serviceAccount = this.account(name, "run", "Ollama service (reads the model bucket)", resolved);
        this.pullServiceAccount = this.account(name, "pull", "model pull job (writes the model bucket)", resolved);
        const readGrant = this.grant(name, "read", BUCKET_READ_ROLE, this.serviceAccount, resolved);
        const writeGrant = this.grant(name, "write", BUCKET_READ_WRITE_ROLE, this.pullServiceAccount, resolved);
        this.pullJob = this.modelPullJob(
            name,
            resolved,
            this.afterPropagation(name, resolved, [readGrant, writeGrant]),
        );
        this.service = this.cloudRunService(name, resolved, [readGrant, this.pullJob]);

        this.registerOutputs({
            serviceName: this.serviceName,
            serviceAccountEmail: this.serviceAccount.email,
            models: this.models,
        });
    }

    private account(name: string, suffix: string, purpose: string, args: ResolvedOllamaServiceArgs) {
        return new gcp.serviceaccount.Account(
            `${name}-${suffix}`,
            {
                project: args.project,
                accountId: serviceAccountId(name, suffix),
                displayName: `guarded-llm ${name}: ${purpose}`,
            },
            { parent: this },
        );
    }

    private grant(
        name: string,
        access: "read" | "write",
        role: typeof BUCKET_READ_ROLE | typeof BUCKET_READ_WRITE_ROLE,
        account: gcp.serviceaccount.Account,
        args: ResolvedOllamaServiceArgs,
    ) {
        const member = pulumi.interpolate`serviceAccount:${account.email}`;
        return grantBucketRole(`${name}-models-${access}`, args.modelBucketName, role, member, { parent: this });
    }

    /** The model volume, and where the container mounts it. */
    private modelVolume(args: ResolvedOllamaServiceArgs, readOnly: boolean) {
        return {
            volume: {
                name: MODEL_VOLUME,
                gcs: { bucket: args.modelBucketName, readOnly, mountOptions: [...args.modelMountOptions] },
            },
            mount: { name: MODEL_VOLUME, mountPath: args.modelsMountPath },
            env: {
                name: "OLLAMA_MODELS",
                value: args.modelDirectory ? `${args.modelsMountPath}/${args.modelDirectory}` : args.modelsMountPath,
            },
        };
    }

    /**
     * The job that pulls the declared models. Ollama refuses to start on a read-only models directory unless `blobs/`
     * and `manifests/` already exist (it creates them at start-up) and pruning is off (it deletes unreferenced blobs
     * at start-up). The job runs `ollama serve` on a read-write mount first, which creates both directories even with
     * no models.
     */
    private modelPullJob(name: string, args: ResolvedOllamaServiceArgs, after: pulumi.Resource[]) {
        const { volume, mount, env } = this.modelVolume(args, false);
        // Each attempt may take the task timeout; the margin covers the execution's start and its retry's.
        const attempts = MODEL_PULL_JOB_RETRIES + 1;
        const pullTimeout = `${attempts * Math.ceil(args.pullJob.timeoutSeconds / 60) + PULL_TIMEOUT_MARGIN_MINUTES}m`;
        return new gcp.cloudrunv2.Job(
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
                        timeout: `${args.pullJob.timeoutSeconds}s`,
                        maxRetries: MODEL_PULL_JOB_RETRIES,
                        volumes: [volume],
                        containers: [
                            {
                                image: args.image,
                                commands: ["/bin/sh", "-c", PULL_SCRIPT, "pull-models"],
                                args: [...args.models],
                                envs: [{ name: "OLLAMA_HOST", value: "127.0.0.1:11434" }, env],
                                resources: { limits: { cpu: String(args.pullJob.cpu), memory: args.pullJob.memory } },
                                volumeMounts: [mount],
                            },
                        ],
                    },
                },
                // Runs the job to completion during `pulumi up` whenever the model list or the bucket changes,
                // and only then. Job name + token must stay under 63 characters (OLLAMA_SERVICE_NAME_LIMIT).
                runExecutionToken: pulumi
                    .output(args.modelBucketName)
                    .apply((bucket) => `m-${shortHash([bucket, ...args.models].join("\n"), 12)}`),
            },
            {
                parent: this,
                dependsOn: after,
                // With runExecutionToken the create/update lasts until the pull completes; the provider's default
                // 20-minute timeout (magic-modules cloudrunv2/Job.yaml) would give up on a large model first.
                customTimeouts: { create: pullTimeout, update: pullTimeout },
            },
        );
    }

    /**
     * What the first pull waits for: the bucket grants, and then the time they take to propagate (a `time.Sleep` that
     * waits when it is created, i.e. on the first deploy or when a grant is replaced, and never again).
     */
    private afterPropagation(
        name: string,
        args: ResolvedOllamaServiceArgs,
        grants: gcp.storage.BucketIAMMember[],
    ): pulumi.Resource[] {
        const seconds = args.pullJob.grantPropagationSeconds;
        if (seconds === 0) return grants;
        const wait = new time.Sleep(
            `${name}-grant-propagation`,
            {
                createDuration: `${seconds}s`,
                // A new grant (e.g. a replaced service account) propagates anew.
                triggers: Object.fromEntries(grants.map((grant, i) => [`grant${i}`, grant.id])),
            },
            { parent: this, dependsOn: grants },
        );
        return [wait];
    }

    /** The GPU service, created once the models are in the bucket and it may read them. */
    private cloudRunService(name: string, args: ResolvedOllamaServiceArgs, after: pulumi.Resource[]) {
        const { volume, mount, env } = this.modelVolume(args, true);
        return new gcp.cloudrunv2.Service(
            name,
            {
                // Named, not auto-named, so that the name is known before the service exists (see serviceName).
                name: this.serviceName,
                project: args.project,
                location: args.region,
                // Stateless and rebuilt from code; protection would only block `pulumi destroy`.
                deletionProtection: false,
                ingress: args.insecureAllowAllIngress
                    ? "INGRESS_TRAFFIC_ALL"
                    : "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
                // The load balancer mints no identity token, so an IAM check would reject every request; this
                // is Google's recommended alternative to granting allUsers roles/run.invoker.
                invokerIamDisabled: true,
                defaultUriDisabled: !args.enableRunAppUrl,
                // No launchStage: every field here is GA in the provider (magic-modules cloudrunv2/Service.yaml has
                // no min_version on defaultUriDisabled or the GPU fields), and the API reads back GA, so a BETA set
                // here would show as a change on every `pulumi up`.
                labels: args.labels,
                template: {
                    serviceAccount: this.serviceAccount.email,
                    executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
                    nodeSelector: { accelerator: args.gpuType },
                    gpuZonalRedundancyDisabled: !args.gpuZonalRedundancy,
                    maxInstanceRequestConcurrency: args.concurrency,
                    timeout: `${args.timeoutSeconds}s`,
                    scaling: { minInstanceCount: args.minInstances, maxInstanceCount: args.maxInstances },
                    volumes: [volume],
                    containers: [
                        {
                            image: args.image,
                            ...(args.preloadModels.length > 0
                                ? {
                                      commands: ["/bin/sh", "-c", SERVE_SCRIPT, "ollama-serve"],
                                      args: [...args.preloadModels],
                                  }
                                : {}),
                            ports: { containerPort: args.port, name: "http1" },
                            envs: [
                                { name: "OLLAMA_HOST", value: `0.0.0.0:${args.port}` },
                                env,
                                { name: "OLLAMA_NUM_PARALLEL", value: String(args.numParallel) },
                                { name: "OLLAMA_KEEP_ALIVE", value: "-1" },
                                { name: "OLLAMA_NOPRUNE", value: "true" },
                            ],
                            resources: {
                                // GPUs need instance-based billing (CPU always allocated); cpu AND memory must both
                                // be set or the provider shows a perpetual diff (magic-modules #18399).
                                cpuIdle: false,
                                startupCpuBoost: true,
                                limits: { cpu: String(args.cpu), memory: args.memory, "nvidia.com/gpu": "1" },
                            },
                            volumeMounts: [mount],
                            // The port opens once the server is up, before a preloaded model is in GPU memory: Ollama
                            // has no endpoint that says a model is loaded, so no probe can hold traffic back until
                            // then (a request meanwhile waits for the load). The window allows for a slow gcsfuse
                            // mount and GPU driver start on a cold instance (Cloud Run caps period and delay at 240 s).
                            startupProbe: {
                                tcpSocket: { port: args.port },
                                initialDelaySeconds: 0,
                                periodSeconds: 10,
                                timeoutSeconds: 5,
                                failureThreshold: 24,
                            },
                        },
                    ],
                },
            },
            { parent: this, dependsOn: after },
        );
    }
}
