/**
 * What a stack promises, as verify expectations: its stack file (the same reading as `npm run plan`) for the models,
 * the allowlist, the refused status, the templates' codes and messages, who may call and the redirect, and for a
 * gateway stack (`guarded-llm:services`) each service's host or prefix, models and templates; and
 * `pulumi stack output --json` (https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_output/) for the URL.
 */
import { spawnSync } from "child_process";
import { serviceModelArmor } from "../../components/guardedLlmGatewayArgs";
import { EndpointModelArmorArgs } from "../../components/guardedLlmEndpoint";
import { routedPaths } from "../../components/pure/allowlistUrlMap";
import { resolveModelArmorSettings } from "../../components/modelArmorPresets";
import { parseStackConfig } from "../../stacks/config";
import { readStackFile } from "../stackFile";
import { UsageError } from "../cli";
import { BlockExpectation, VerifyOptions } from "./types";

/** What one service of a gateway stack promises: where it answers, its models, its templates. */
export interface ServiceExpectations {
    /** Host routing: the service answers `https://<host>`. */
    host?: string;
    /** Path routing: the service answers under `<endpoint><pathPrefix>`. */
    pathPrefix?: string;
    declaredModels: string[];
    prompt: BlockExpectation;
    response: BlockExpectation;
}

/** Expectations from the stack file; `httpRedirect` becomes a URL once the endpoint's host is known. */
export interface StackExpectations extends Partial<VerifyOptions> {
    httpRedirect: boolean;
    /**
     * A gateway stack: each service's own expectations, in the stack file's order; the models and templates above
     * are then absent, the rest (allowlist, refused status, access, redirect) shared by every service.
     */
    services?: Record<string, ServiceExpectations>;
}

export function expectationsFromStackFile(configFile: string, stack: string): StackExpectations {
    const { config, secretKeys } = readStackFile(configFile);
    const parsed = parseStackConfig(config, stack, secretKeys);
    const shared = {
        refusedStatus: parsed.loadBalancer.refusedPathStatus ?? 404,
        allowedPaths: routedPaths(parsed.loadBalancer.allowedPaths),
        access: parsed.access.mode,
        httpRedirect: parsed.loadBalancer.httpRedirect === true,
    };
    if (parsed.services !== undefined) {
        const services = Object.entries(parsed.services).map(([name, service]): [string, ServiceExpectations] => [
            name,
            {
                ...(service.host === undefined ? {} : { host: service.host }),
                ...(service.pathPrefix === undefined ? {} : { pathPrefix: service.pathPrefix }),
                declaredModels: [...(service.models ?? [])],
                // The gateway's modelArmor with the service's keys laid over it, as the gateway builds it.
                ...blockExpectations(serviceModelArmor(parsed, service)),
            },
        ]);
        return { ...shared, services: Object.fromEntries(services) };
    }
    return {
        declaredModels: [...(parsed.ollama?.models ?? [])],
        ...blockExpectations(parsed.modelArmor ?? {}),
        ...shared,
    };
}

/** How each side's template blocks (its code and message), or why that side is not screened. */
function blockExpectations(modelArmor: EndpointModelArmorArgs): {
    prompt: BlockExpectation;
    response: BlockExpectation;
} {
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
    return { prompt: side("prompt"), response: side("response") };
}

/**
 * The endpoint URL and, when an output names one, the Cloud Run service's run.app URL; for a gateway stack, each
 * service's URL (`services.<name>.url`: `https://<host>`, or the endpoint URL with the prefix).
 */
export interface StackOutputs {
    endpointUrl?: string;
    runAppUrl?: string;
    serviceUrls?: Record<string, string>;
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
    const services = isObject(outputs.services) ? Object.entries(outputs.services) : [];
    const serviceUrls = services.flatMap(([name, value]) =>
        isObject(value) && typeof value.url === "string" ? [[name, value.url] as const] : [],
    );
    return {
        endpointUrl: typeof outputs.endpointUrl === "string" ? outputs.endpointUrl : undefined,
        runAppUrl: strings.find((v) => /^https:\/\/[^/\s]+\.run\.app\/?$/.test(v)),
        ...(serviceUrls.length > 0 ? { serviceUrls: Object.fromEntries(serviceUrls) } : {}),
    };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
