/** The arguments of {@link OllamaService}: declared once, with their defaults and their checks. */
import * as pulumi from "@pulumi/pulumi";
import { CPU_COUNTS, cpuMemoryProblem, GPU_TYPE_NAMES, GPU_TYPES, GpuType, memoryInMi } from "./pure/gpu";
import { canonicalModelName, MODEL_NAME_EXPECTED, MODEL_NAME_PATTERN } from "./pure/ollamaModels";
import { declareArgKeys, definedOnly, Problems, validateLabels } from "./validation";

/** Settings of the model-pull job. */
export interface ModelPullJobArgs {
    /** CPU of the job's task: 1, 2, 4, 6 or 8. @default 2 */
    readonly cpu?: number;
    /**
     * Memory of the job's task. gcsfuse stages writes in the instance's in-memory disk, so give it more than the
     * largest model; at most 4Gi per CPU. @default "8Gi"
     */
    readonly memory?: string;
    /** Time one attempt of the pull may take, in seconds (1..86400); a failed attempt is retried once. @default 3600 */
    readonly timeoutSeconds?: number;
    /**
     * Seconds to wait after the job's bucket grant is first made before the first pull starts (0..900). IAM changes
     * take about two minutes to propagate, sometimes seven or more; a job started sooner is denied its mount, and
     * `pulumi up` fails. Its one retry covers a slower propagation. @default 120
     */
    readonly grantPropagationSeconds?: number;
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
    /**
     * Models each instance loads as soon as Ollama is up, before its first request (an instance started by scale-out
     * begins loading at once); each one of `models`. `[]` loads on the first request instead.
     * @default the first of `models`
     */
    readonly preloadModels?: readonly string[];
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
    /** Labels on the service and job (Google Cloud label rules). @default none */
    readonly labels?: Readonly<Record<string, string>>;
    /**
     * A directory of the bucket that holds this service's models (`OLLAMA_MODELS` below the mount), so that services
     * sharing one bucket each list and load only their own models. @default the bucket's root
     */
    readonly modelDirectory?: string;
}

export const OLLAMA_SERVICE_ARG_KEYS = declareArgKeys<OllamaServiceArgs>()({
    config: [
        "image",
        "gpuType",
        "gpuZonalRedundancy",
        "cpu",
        "memory",
        "concurrency",
        "numParallel",
        "timeoutSeconds",
        "minInstances",
        "maxInstances",
        "port",
        "modelsMountPath",
        "models",
        "modelMountOptions",
        "pullJob",
        "enableRunAppUrl",
        "insecureAllowAllIngress",
        "labels",
        "preloadModels",
    ],
    codeOnly: ["region", "project", "modelBucketName", "modelDirectory"],
});
export const MODEL_PULL_JOB_ARG_KEYS = declareArgKeys<ModelPullJobArgs>()({
    config: ["cpu", "memory", "timeoutSeconds", "grantPropagationSeconds"],
    codeOnly: [],
});

/** Pinned default image: `latest` would change the server under a running endpoint at the next cold start. */
export const DEFAULT_OLLAMA_IMAGE = "ollama/ollama:0.13.5";

/** The defaults that do not depend on other args. */
export const OLLAMA_SERVICE_DEFAULTS = {
    image: DEFAULT_OLLAMA_IMAGE,
    gpuType: "nvidia-l4" as GpuType,
    gpuZonalRedundancy: false,
    concurrency: 4,
    timeoutSeconds: 600,
    minInstances: 0,
    maxInstances: 1,
    port: 11434,
    modelsMountPath: "/root/.ollama/models",
    models: [] as readonly string[],
    modelMountOptions: ["implicit-dirs"] as readonly string[],
    enableRunAppUrl: false,
    insecureAllowAllIngress: false,
};
export const MODEL_PULL_JOB_DEFAULTS: Required<ModelPullJobArgs> = {
    cpu: 2,
    memory: "8Gi",
    timeoutSeconds: 3600,
    grantPropagationSeconds: 120,
};
/** Retries of a failed pull attempt: one covers a grant that took longer than usual to propagate. */
export const MODEL_PULL_JOB_RETRIES = 1;

/** {@link OllamaServiceArgs} with every default applied. */
export type ResolvedOllamaServiceArgs = Omit<
    Required<OllamaServiceArgs>,
    "project" | "labels" | "pullJob" | "modelDirectory"
> &
    Pick<OllamaServiceArgs, "project" | "labels" | "modelDirectory"> & { readonly pullJob: Required<ModelPullJobArgs> };

/**
 * Applies the defaults: the one place they are written. Total over any input, so the validator can run it before it
 * has judged the values (a wrong GPU type falls back to the default's sizes).
 */
export function resolveOllamaServiceArgs(args: OllamaServiceArgs): ResolvedOllamaServiceArgs {
    const given = definedOnly(args);
    const withDefaults = { ...OLLAMA_SERVICE_DEFAULTS, ...given };
    const gpu = GPU_TYPES[withDefaults.gpuType] ?? GPU_TYPES[OLLAMA_SERVICE_DEFAULTS.gpuType];
    return {
        ...withDefaults,
        region: args.region,
        modelBucketName: args.modelBucketName,
        cpu: given.cpu ?? gpu.minCpu,
        memory: given.memory ?? `${gpu.minMemoryMi / 1024}Gi`,
        numParallel: given.numParallel ?? withDefaults.concurrency,
        preloadModels:
            given.preloadModels ?? (Array.isArray(withDefaults.models) ? withDefaults.models.slice(0, 1) : []),
        pullJob: { ...MODEL_PULL_JOB_DEFAULTS, ...definedOnly(given.pullJob) },
    };
}

/**
 * Cloud Run job names plus their run token stay under 63 characters: the job is auto-named `<name>-model-pull-xxxxxxx`
 * and its token is 14 characters. (Service names, at most 49, are then within bounds too.)
 */
export const OLLAMA_SERVICE_NAME_LIMIT = [
    29,
    "the model-pull job's generated name plus its run token must stay under 63 characters",
] as const;

/** An image reference with a tag or digest; `latest` and untagged references are refused. */
/**
 * An image reference by the distribution spec's grammar: an optional registry host (with a port), lowercase path
 * components joined by single slashes, then a tag, a digest or both (distribution/reference `reference.go`). No
 * scheme, no empty component, one tag.
 */
const IMAGE_PATTERN = (() => {
    const host =
        "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?";
    const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    const tag = ":[A-Za-z0-9_][A-Za-z0-9._-]{0,127}";
    const digest = "@sha256:[a-f0-9]{64}";
    return new RegExp(`^(?:${host}/)?${component}(?:/${component})*(?:${tag}(?:${digest})?|${digest})$`);
})();
/** Where a volume may not be mounted: Cloud Run refuses `/dev`, `/proc` and `/sys` and anything below them. */
const RESERVED_MOUNT_ROOTS = ["/dev", "/proc", "/sys"];
const MOUNT_OPTION_PATTERN = /^[a-z][a-z0-9-]*(:[a-z0-9-]+)?(=.+)?$/;

export function validateOllamaServiceArgs(args: OllamaServiceArgs, problems: Problems): void {
    problems.knownKeys(args as object as Record<string, unknown>, [
        ...OLLAMA_SERVICE_ARG_KEYS.config,
        ...OLLAMA_SERVICE_ARG_KEYS.codeOnly,
    ]);
    const resolved = resolveOllamaServiceArgs(args);
    const regionValid = problems.region("region", args.region);
    if (problems.oneOf("gpuType", resolved.gpuType, GPU_TYPE_NAMES)) {
        validateSizing(args, resolved, problems, regionValid);
    }
    if (args.image !== undefined) validateImage(problems, "image", args.image);
    optional(args.gpuZonalRedundancy, (v) => problems.boolean("gpuZonalRedundancy", v));
    optional(args.concurrency, (v) => problems.integer("concurrency", v, 1, 1000));
    optional(args.numParallel, (v) => problems.integer("numParallel", v, 1, 1000));
    optional(args.timeoutSeconds, (v) => problems.integer("timeoutSeconds", v, 1, 3600, "seconds"));
    const minOk = optional(args.minInstances, (v) => problems.integer("minInstances", v, 0, 1000));
    const maxOk = optional(args.maxInstances, (v) => problems.integer("maxInstances", v, 1, 1000));
    if (minOk && maxOk && resolved.minInstances > resolved.maxInstances) {
        problems.add("minInstances", resolved.minInstances, `must not exceed maxInstances (${resolved.maxInstances})`);
    }
    optional(args.port, (v) => problems.integer("port", v, 1, 65535));
    if (args.modelsMountPath !== undefined) validateMountPath(problems, "modelsMountPath", args.modelsMountPath);
    if (args.models !== undefined) validateModels(problems, args.models);
    if (args.preloadModels !== undefined && problems.array("preloadModels", args.preloadModels)) {
        const declared: readonly unknown[] = Array.isArray(resolved.models) ? resolved.models : [];
        args.preloadModels.forEach((model, i) => {
            if (!declared.includes(model)) {
                problems.add(
                    `preloadModels[${i}]`,
                    model,
                    `must be one of models (${declared.join(", ") || "none declared"})`,
                );
            }
        });
    }
    if (args.modelMountOptions !== undefined && problems.array("modelMountOptions", args.modelMountOptions)) {
        problems.eachMatches(
            "modelMountOptions",
            args.modelMountOptions,
            MOUNT_OPTION_PATTERN,
            'must be a gcsfuse flag without leading dashes, e.g. "implicit-dirs"',
        );
    }
    if (args.pullJob !== undefined && problems.object("pullJob", args.pullJob)) {
        validatePullJob(args.pullJob, resolved.pullJob, problems.under("pullJob."));
    }
    optional(args.enableRunAppUrl, (v) => problems.boolean("enableRunAppUrl", v));
    optional(args.insecureAllowAllIngress, (v) => problems.boolean("insecureAllowAllIngress", v));
    if (args.labels !== undefined) validateLabels(problems, "labels", args.labels);
}

/** The GPU's region, CPU and memory bounds. */
function validateSizing(
    args: OllamaServiceArgs,
    resolved: ResolvedOllamaServiceArgs,
    problems: Problems,
    regionValid: boolean,
) {
    const { gpuType } = resolved;
    const gpu = GPU_TYPES[gpuType];
    const regions: readonly string[] = gpu.regions;
    if (regionValid && !regions.includes(args.region)) {
        problems.add("region", args.region, `Cloud Run offers ${gpuType} only in ${regions.join(", ")}`);
    }
    const cpuValid = args.cpu === undefined || problems.integer("cpu", args.cpu, 1, 96);
    if (args.cpu !== undefined && cpuValid) {
        if (args.cpu < gpu.minCpu) problems.add("cpu", args.cpu, `${gpuType} needs at least ${gpu.minCpu} CPU`);
        else if (gpu.maxCpu !== undefined && args.cpu > gpu.maxCpu)
            problems.add("cpu", args.cpu, `Cloud Run gives ${gpuType} instances at most ${gpu.maxCpu} CPU`);
        else if (args.cpu <= 8 && !CPU_COUNTS.includes(args.cpu))
            problems.add(
                "cpu",
                args.cpu,
                `must be one of ${CPU_COUNTS.filter((c) => c >= gpu.minCpu).join(", ")} (the CPU counts Cloud Run offers)`,
            );
    }
    if (args.memory !== undefined) {
        const mi = typeof args.memory === "string" ? memoryInMi(args.memory) : undefined;
        if (mi === undefined) {
            problems.add("memory", args.memory, 'must be a size in Mi or Gi, e.g. "16Gi"');
        } else if (mi < gpu.minMemoryMi) {
            problems.add("memory", args.memory, `${gpuType} needs at least ${gpu.minMemoryMi / 1024}Gi`);
        } else if (gpu.maxMemoryMi !== undefined && mi > gpu.maxMemoryMi) {
            problems.add(
                "memory",
                args.memory,
                `Cloud Run gives ${gpuType} instances at most ${gpu.maxMemoryMi / 1024}Gi`,
            );
        } else if (cpuValid && !problems.list.some((p) => p.key === problems.key("cpu"))) {
            const problem = cpuMemoryProblem(resolved.cpu, mi, "cpu");
            if (problem) problems.add("memory", args.memory, problem);
        }
    }
}

function validatePullJob(given: Record<string, unknown>, resolved: Required<ModelPullJobArgs>, job: Problems): void {
    job.knownKeys(given, MODEL_PULL_JOB_ARG_KEYS.config);
    const cpuValid = CPU_COUNTS.includes(resolved.cpu);
    if (!cpuValid)
        job.add(
            "cpu",
            resolved.cpu,
            `must be one of ${CPU_COUNTS.join(", ")} (the CPU counts of a Cloud Run job task)`,
        );
    const mi = typeof resolved.memory === "string" ? memoryInMi(resolved.memory) : undefined;
    if (mi === undefined) {
        job.add("memory", resolved.memory, 'must be a size in Mi or Gi, e.g. "8Gi"');
    } else if (cpuValid) {
        const problem = cpuMemoryProblem(resolved.cpu, mi, "pullJob.cpu");
        if (problem) job.add("memory", resolved.memory, problem);
    }
    optional(given.timeoutSeconds, (v) => job.integer("timeoutSeconds", v, 1, 86400, "seconds"));
    optional(given.grantPropagationSeconds, (v) => job.integer("grantPropagationSeconds", v, 0, 900, "seconds"));
}

function optional<T>(value: T | undefined, rule: (value: T) => boolean): boolean {
    return value === undefined ? true : rule(value);
}

/** Cloud Run volume mount paths: absolute, no `:`, not `/` itself, nothing reserved, no `.` or `..` segments. */
function validateMountPath(problems: Problems, field: string, path: unknown): void {
    const expected =
        'must be an absolute path other than "/", without ":", "." or ".." segments, e.g. "/root/.ollama/models"';
    if (!problems.matches(field, path, /^\/[\x21-\x7e]*$/, expected)) return;
    const segments = path.split("/").slice(1);
    if (path === "/" || path.includes(":") || segments.some((s) => s === "" || s === "." || s === "..")) {
        problems.add(field, path, expected);
    } else if (RESERVED_MOUNT_ROOTS.some((root) => path === root || path.startsWith(`${root}/`))) {
        problems.add(
            field,
            path,
            `must not be ${RESERVED_MOUNT_ROOTS.join(", ")} or below them (Cloud Run reserves them)`,
        );
    }
}

function validateImage(problems: Problems, field: string, image: unknown): void {
    if (!problems.nonEmptyString(field, image)) return;
    const untagged = !IMAGE_PATTERN.test(image) && IMAGE_PATTERN.test(`${image}:pinned`);
    if (/:latest$/.test(image) || untagged) {
        problems.add(field, image, 'must name a pinned tag or digest, not "latest", e.g. "ollama/ollama:0.13.5"');
    } else if (!IMAGE_PATTERN.test(image)) {
        problems.add(
            field,
            image,
            'must be an image reference such as "ollama/ollama:0.13.5" or "REGISTRY/PATH@sha256:DIGEST" (no scheme, no empty path segment, one tag)',
        );
    }
}

/** Each model is a valid name, and no two name the same model (`llama3` and `library/llama3:latest` do). */
export function validateModels(problems: Problems, models: unknown, field = "models"): void {
    if (!problems.array(field, models)) return;
    const seen = new Map<string, number>();
    models.forEach((model, i) => {
        if (!problems.matches(`${field}[${i}]`, model, MODEL_NAME_PATTERN, MODEL_NAME_EXPECTED)) return;
        const canonical = canonicalModelName(model);
        const first = seen.get(canonical);
        if (first !== undefined) problems.add(`${field}[${i}]`, model, `duplicates ${field}[${first}]`);
        else seen.set(canonical, i);
    });
}
