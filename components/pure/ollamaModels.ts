/**
 * Ollama model names. Ollama fills in a default registry (`registry.ollama.ai`), namespace (`library`) and tag
 * (`latest`), so `gemma`, `gemma:latest`, `library/gemma:latest` and `registry.ollama.ai/library/gemma:latest` name
 * the same model (ollama/ollama `types/model/name.go`; docs/platform-facts.md#ollama-api).
 */

/**
 * Ollama model references: `name`, `name:tag`, `namespace/name:tag` or `registry/namespace/name:tag`
 * (e.g. `gemma:2b`, `hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M`). The pattern also keeps names safe to
 * pass as arguments to the pull job.
 */
export const MODEL_NAME_PATTERN =
    /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*){0,2}(:[A-Za-z0-9][A-Za-z0-9._-]{0,127})?$/;
export const MODEL_NAME_EXPECTED = 'must be an Ollama model name such as "gemma:2b"';

const DEFAULT_REGISTRY = "registry.ollama.ai";
const DEFAULT_NAMESPACE = "library";
const DEFAULT_TAG = "latest";

/** The fully qualified, lowercase form of a model name (Ollama compares names case-insensitively). */
export function canonicalModelName(name: string): string {
    const [path, tag = DEFAULT_TAG] = name.split(":");
    const parts = path.split("/");
    const qualified =
        parts.length === 1
            ? [DEFAULT_REGISTRY, DEFAULT_NAMESPACE, ...parts]
            : parts.length === 2
              ? [DEFAULT_REGISTRY, ...parts]
              : parts;
    return `${qualified.join("/")}:${tag}`.toLowerCase();
}
