import * as assert from "assert";
import { ConfigurationError, formatProblem } from "../components";
import { parseStackConfig } from "../stacks/config";

const BASE = { "gcp:project": "my-project", "gcp:region": "us-central1" };

function problemsOf(config: Record<string, string>): string[] {
    try {
        parseStackConfig(config, "dev");
    } catch (e) {
        assert.ok(e instanceof ConfigurationError, String(e));
        return e.problems.map(formatProblem);
    }
    return [];
}
const ollama = (value: object) => ({ ...BASE, "guarded-llm:ollama": JSON.stringify(value) });

describe("stack config", () => {
    it("accepts the minimal config and applies defaults later, in the components", () => {
        const config = parseStackConfig(BASE, "dev");
        assert.deepStrictEqual(config, { project: "my-project", region: "us-central1", namePrefix: "dev", ollama: {}, enableApis: true, warnings: [] });
    });

    it("requires gcp:project and gcp:region", () => {
        assert.deepStrictEqual(problemsOf({}), [
            "gcp:project: is required: the Google Cloud project to deploy into",
            'gcp:region: is required: the region of every resource, e.g. "us-central1"',
        ]);
    });

    it("reports a region without the GPU under gcp:region", () => {
        assert.deepStrictEqual(problemsOf({ ...BASE, "gcp:region": "us-west1" }), [
            'gcp:region = "us-west1": Cloud Run offers nvidia-l4 only in us-central1, us-east4, europe-west1, europe-west4, asia-southeast1, asia-south1',
        ]);
    });

    it("refuses unknown project keys with a suggestion", () => {
        assert.deepStrictEqual(problemsOf({ ...BASE, "guarded-llm:olama": "{}" }), [
            'guarded-llm:olama: unknown key (did you mean "ollama"?); known keys: ollama, namePrefix, enableApis',
        ]);
    });

    it("refuses an ollama value that is not an object", () => {
        assert.deepStrictEqual(problemsOf({ ...BASE, "guarded-llm:ollama": "gemma" }), [
            'guarded-llm:ollama = "gemma": must be an object (a map of keys to values)',
        ]);
    });

    it("refuses min above max, duplicate and malformed models, and a relative mount path", () => {
        assert.deepStrictEqual(
            problemsOf(ollama({ minInstances: 3, maxInstances: 2, models: ["gemma:2b", "gemma:2b", "bad model"], modelsMountPath: "models" })),
            [
                "guarded-llm:ollama.minInstances = 3: must not exceed maxInstances (2)",
                'guarded-llm:ollama.modelsMountPath = "models": must be an absolute path, e.g. "/root/.ollama/models"',
                'guarded-llm:ollama.models[1] = "gemma:2b": duplicates models[0]',
                'guarded-llm:ollama.models[2] = "bad model": must be an Ollama model name such as "gemma:2b"',
            ],
        );
    });

    it("treats name and name:latest as the same model", () => {
        assert.deepStrictEqual(problemsOf(ollama({ models: ["llama3", "llama3:latest"] })), [
            'guarded-llm:ollama.models[1] = "llama3:latest": duplicates models[0]',
        ]);
    });
});
