/**
 * `inference-works`: the endpoint serves what applications call, through the official `openai` client as they do
 * (https://github.com/openai/openai-node): `/v1/models` lists every declared model, and a benign chat completion
 * answers 200 with a choice. `models-listed-per-service`: a gateway service lists its own models and none of the
 * other services' (a model name routes to exactly one service).
 */
import OpenAI from "openai";
import { canonicalModelName } from "../../components/pure/ollamaModels";
import { errorText, excerpt, Transport } from "./http";
import { CheckResult, OtherService, skipped } from "./types";

/** A prompt no filter should object to: a refusal of it is a false positive worth seeing. */
const BENIGN_PROMPT = "Reply with the single word: hello";

export function openAiClient(transport: Transport, apiKey: string | undefined, timeoutSeconds: number): OpenAI {
    return new OpenAI({
        baseURL: `${transport.origin.origin}${transport.pathPrefix}/v1`,
        // Ollama ignores the key; an IAP credential travels in it as `Authorization: Bearer`.
        apiKey: apiKey ?? "unused",
        fetch: transport.fetch,
        // A retry would hide the first answer, and a 5xx retried is a second generation on the GPU.
        maxRetries: 0,
        timeout: timeoutSeconds * 1000,
    });
}

/** The ids `/v1/models` lists, or the error. */
export async function listModels(client: OpenAI): Promise<string[] | Error> {
    try {
        return (await client.models.list()).data.map((m) => m.id);
    } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
    }
}

export async function checkInference(
    client: OpenAI,
    listed: string[] | Error,
    declared: readonly string[],
    model: string | undefined,
): Promise<CheckResult> {
    const details: string[] = [];
    const fail = (summary: string): CheckResult => ({ check: "inference-works", status: "FAIL", summary, details });
    const v1 = v1Path(client);
    if (listed instanceof Error) return fail(`GET ${v1}/models failed: ${errorText(listed)}`);
    details.push(`GET ${v1}/models -> ${JSON.stringify(listed)}`);
    const canonical = new Set(listed.map(canonicalModelName));
    const missing = declared.filter((m) => !canonical.has(canonicalModelName(m)));
    if (missing.length > 0) return fail(`/v1/models does not list ${missing.join(", ")} (lists ${listed.join(", ")})`);
    if (model === undefined) return fail("no model to call: /v1/models lists none and none was given (--model)");
    try {
        const completion = await client.chat.completions.create({
            model,
            messages: [{ role: "user", content: BENIGN_PROMPT }],
            max_tokens: 16,
            temperature: 0,
        });
        const choice = completion.choices?.[0];
        details.push(`POST ${v1}/chat/completions (${model}) -> 200 ${excerpt(JSON.stringify(completion))}`);
        if (!choice?.message) return fail(`the completion has no choice: ${details[1]}`);
        const undeclared = listed.filter((m) => !declared.some((d) => canonicalModelName(d) === canonicalModelName(m)));
        const note =
            declared.length > 0 && undeclared.length > 0 ? `; also served, undeclared: ${undeclared.join(", ")}` : "";
        return {
            check: "inference-works",
            status: "PASS",
            summary: `${listed.length} model(s) listed; ${model} answered ${excerpt(choice.message.content ?? "", 40)}${note}`,
            details,
        };
    } catch (e) {
        const status = e instanceof OpenAI.APIError ? ` (${e.status})` : "";
        details.push(`POST ${v1}/chat/completions (${model}) -> ${errorText(e)}`);
        return fail(`a benign chat completion failed${status}: ${errorText(e)}`);
    }
}

/** Where the client sends `/v1/...`: under the service's prefix with path routing. */
const v1Path = (client: OpenAI) => new URL(client.baseURL).pathname.replace(/\/$/, "");

/**
 * `/v1/models` lists every model the service declares and none that another service of the same stack declares: the
 * gateway routes a model name to exactly one service, so a model listed by two means a service was given another's
 * models (or shares its bucket and pulled them). Compared in the canonical spelling Ollama resolves names to.
 */
export function checkModelsListed(
    client: OpenAI,
    listed: string[] | Error,
    declared: readonly string[],
    otherServices: Readonly<Record<string, OtherService>> = {},
): CheckResult {
    const check = "models-listed-per-service";
    const others = Object.entries(otherServices).filter(([, o]) => o.models.length > 0);
    if (declared.length === 0 && others.length === 0) {
        return skipped(check, "no model declared and no other service to compare /v1/models with (give --stack)");
    }
    const path = `${v1Path(client)}/models`;
    if (listed instanceof Error) {
        return { check, status: "FAIL", summary: `GET ${path} failed: ${errorText(listed)}`, details: [] };
    }
    const details = [`GET ${path} -> ${JSON.stringify(listed)}`];
    const canonical = new Set(listed.map(canonicalModelName));
    const missing = declared.filter((m) => !canonical.has(canonicalModelName(m)));
    const ownerOf = (model: string) =>
        others.find(([, o]) => o.models.some((m) => canonicalModelName(m) === canonicalModelName(model)))?.[0];
    const foreign = listed.flatMap((m) => {
        const owner = ownerOf(m);
        return owner === undefined ? [] : [`${m}, which services.${owner} declares`];
    });
    const problems = [
        ...(missing.length > 0 ? [`does not list ${missing.join(", ")} (lists ${listed.join(", ") || "none"})`] : []),
        ...(foreign.length > 0 ? [`lists ${foreign.join("; ")}: a model name must route to exactly one service`] : []),
    ];
    if (problems.length > 0) return { check, status: "FAIL", summary: problems.join("; "), details };
    const otherNames = others.map(([name]) => `services.${name}`).join(", ");
    const summary =
        others.length === 0
            ? `lists every declared model (${declared.join(", ")})`
            : declared.length === 0
              ? `lists none of the models of ${otherNames}`
              : `lists ${declared.join(", ")}, and none of the models of ${otherNames}`;
    return { check, status: "PASS", summary, details };
}
