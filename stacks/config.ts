/**
 * Reads and checks a stack's configuration (the contract in DESIGN.md) before anything is built. Every problem is
 * reported at once, one line each, under its full config key.
 */
import * as pulumi from "@pulumi/pulumi";
import { OllamaServiceArgs, validateOllamaServiceArgs } from "../components/ollamaService";
import { isPlainObject, Problems } from "../components/validation";

export const PROJECT_NAMESPACE = "guarded-llm";

/** The `guarded-llm:ollama` object: {@link OllamaServiceArgs} without what the stack supplies. */
export type OllamaConfig = Omit<OllamaServiceArgs, "region" | "project" | "modelBucketName">;

/** A stack's checked configuration. */
export interface StackConfig {
    project: string;
    region: string;
    /** Prefix of every resource name; lets several stacks share one project. */
    namePrefix: string;
    ollama: OllamaConfig;
    /** Enable the APIs the endpoint needs (`guarded-llm:enableApis`, default true as declared in Pulumi.yaml). */
    enableApis: boolean;
    /** Lines the offline plan and `pulumi up` show as warnings. */
    warnings: string[];
}

const OLLAMA_KEYS = [
    "image", "gpuType", "gpuZonalRedundancy", "cpu", "memory", "concurrency", "numParallel", "timeoutSeconds",
    "minInstances", "maxInstances", "port", "modelsMountPath", "models", "modelMountOptions", "pullJob",
    "enableRunAppUrl", "insecureAllowAllIngress",
] as const;
const PULL_JOB_KEYS = ["cpu", "memory", "timeoutSeconds"] as const;
const PROJECT_KEYS = ["ollama", "namePrefix", "enableApis"] as const;

/**
 * Parses a flat config map as Pulumi holds it (`"guarded-llm:ollama"` -> JSON text) into a {@link StackConfig}.
 * Throws a `ConfigurationError` listing every problem.
 */
export function parseStackConfig(raw: Record<string, string>, stackName: string): StackConfig {
    const problems = new Problems();
    const project = raw["gcp:project"];
    const region = raw["gcp:region"];
    if (project === undefined) problems.add("gcp:project", undefined, "is required: the Google Cloud project to deploy into");
    else problems.matches("gcp:project", project, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a project ID: 6-30 lowercase letters, digits and hyphens, starting with a letter");
    if (region === undefined) problems.add("gcp:region", undefined, 'is required: the region of every resource, e.g. "us-central1"');
    else problems.region("gcp:region", region);

    const projectKeys: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(raw)) {
        if (key.startsWith(`${PROJECT_NAMESPACE}:`)) projectKeys[key.slice(PROJECT_NAMESPACE.length + 1)] = parseValue(text);
    }
    problems.knownKeys(projectKeys, PROJECT_KEYS, `${PROJECT_NAMESPACE}:`);

    const namePrefix = projectKeys.namePrefix ?? stackName;
    problems.matches(`${PROJECT_NAMESPACE}:namePrefix`, namePrefix, /^[a-z][a-z0-9-]{0,11}$/,
        "must be 1-12 lowercase letters, digits and hyphens, starting with a letter (it prefixes service account ids)");

    const enableApis = projectKeys.enableApis ?? true;
    problems.boolean(`${PROJECT_NAMESPACE}:enableApis`, enableApis);

    const ollama = readObject(problems, "ollama", projectKeys.ollama, OLLAMA_KEYS) as OllamaConfig;
    if (isPlainObject(ollama.pullJob)) problems.under(`${PROJECT_NAMESPACE}:ollama.pullJob.`).knownKeys(ollama.pullJob, PULL_JOB_KEYS);
    validateOllamaServiceArgs({ ...ollama, region: region ?? "", modelBucketName: "" },
        problems.under(`${PROJECT_NAMESPACE}:ollama.`, { region: "gcp:region" }));

    problems.check();
    return { project: project!, region: region!, namePrefix: namePrefix as string, ollama, enableApis: enableApis as boolean, warnings: [] };
}

/** Reads the running program's configuration (under `pulumi up`, or the offline plan's mock runtime). */
export function readStackConfig(): StackConfig {
    return parseStackConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}

/** Pulumi holds object and list values as JSON text and plain strings as they are. */
function parseValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** An optional object key: absent means all defaults; present must be an object with known keys. */
function readObject(problems: Problems, key: string, value: unknown, known: readonly string[]): Record<string, unknown> {
    if (value === undefined) return {};
    const full = `${PROJECT_NAMESPACE}:${key}`;
    if (!isPlainObject(value)) {
        problems.add(full, value, "must be an object (a map of keys to values)");
        return {};
    }
    problems.under(`${full}.`).knownKeys(value, known);
    return value;
}
