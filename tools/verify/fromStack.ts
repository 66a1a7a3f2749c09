/**
 * What a stack promises, as verify expectations: its stack file (the same reading as `npm run plan`) for the models,
 * the allowlist, the refused status, the templates' codes and messages, who may call and the redirect; and
 * `pulumi stack output --json` (https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_output/) for the URL.
 */
import { spawnSync } from "child_process";
import { routedPaths } from "../../components/pure/allowlistUrlMap";
import { resolveModelArmorSettings } from "../../components/modelArmorPresets";
import { parseStackConfig } from "../../stacks/config";
import { readStackFile } from "../stackFile";
import { UsageError } from "../cli";
import { BlockExpectation, VerifyOptions } from "./types";

/** Expectations from the stack file; `httpRedirect` becomes a URL once the endpoint's host is known. */
export interface StackExpectations extends Partial<VerifyOptions> {
    httpRedirect: boolean;
}

export function expectationsFromStackFile(configFile: string, stack: string): StackExpectations {
    const { config, secretKeys } = readStackFile(configFile);
    const parsed = parseStackConfig(config, stack, secretKeys);
    const modelArmor = parsed.modelArmor ?? {};
    const settings = resolveModelArmorSettings(modelArmor);
    const screen = modelArmor.screen ?? "both";
    const side = (which: "prompt" | "response"): BlockExpectation => {
        const template = settings[which];
        const off = screen === (which === "prompt" ? "responses" : "prompts");
        return {
            statuses: template.errorCode === undefined ? [] : [template.errorCode],
            message: template.errorMessage,
            notScreened: off
                ? `modelArmor.screen is "${screen}": ${which}s are not screened`
                : template.enforcement === "INSPECT_ONLY"
                  ? `the ${which} template is INSPECT_ONLY: it logs, never blocks`
                  : undefined,
        };
    };
    return {
        declaredModels: [...(parsed.ollama?.models ?? [])],
        refusedStatus: parsed.loadBalancer.refusedPathStatus ?? 404,
        allowedPaths: routedPaths(parsed.loadBalancer.allowedPaths),
        prompt: side("prompt"),
        response: side("response"),
        access: parsed.access.mode,
        httpRedirect: parsed.loadBalancer.httpRedirect === true,
    };
}

/** The endpoint URL and, when an output names one, the Cloud Run service's run.app URL. */
export interface StackOutputs {
    endpointUrl?: string;
    runAppUrl?: string;
}

/**
 * Reads the deployed stack's outputs with the Pulumi CLI. Throws a {@link UsageError} saying to give `--url` when
 * the CLI is missing or cannot read the stack.
 */
export function readStackOutputs(stack: string, cwd: string): StackOutputs {
    const run = spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
        cwd,
        encoding: "utf8",
        // Never wait on a login prompt or a slow backend: the URL can always be given instead.
        input: "",
        timeout: 60_000,
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
        throw new UsageError(
            "the Pulumi CLI is not on PATH, so the endpoint URL is unknown: give --url https://ENDPOINT",
        );
    }
    if (run.error || run.status !== 0) {
        const why = (run.stderr || run.error?.message || "").trim().split("\n")[0];
        throw new UsageError(`pulumi stack output --stack ${stack} failed (${why}): give --url https://ENDPOINT`);
    }
    let outputs: Record<string, unknown>;
    try {
        outputs = JSON.parse(run.stdout);
    } catch {
        throw new UsageError(`pulumi stack output --stack ${stack} printed no JSON: give --url https://ENDPOINT`);
    }
    const strings = Object.values(outputs).filter((v): v is string => typeof v === "string");
    return {
        endpointUrl: typeof outputs.endpointUrl === "string" ? outputs.endpointUrl : undefined,
        runAppUrl: strings.find((v) => /^https:\/\/[^/\s]+\.run\.app\/?$/.test(v)),
    };
}
