/**
 * Runs the verify checks against one endpoint, or against each service of a gateway stack in turn: the part of
 * `npm run verify` that the tests call in-process.
 */
import * as net from "net";
import { routedPaths } from "../../components/pure/allowlistUrlMap";
import { checkHttpRedirect, checkRunAppUrl, checkUnauthenticated } from "./access";
import { adminProbes, checkRefused, unprefixedProbes, variantProbes } from "./allowlist";
import { Transport } from "./http";
import { checkInference, checkModelsListed, listModels, openAiClient } from "./inference";
import { checkHostVariants, checkPrompt, checkResponse, promptProbes } from "./screening";
import { checkCertificate, checkTlsVersions } from "./tls";
import {
    BlockExpectation,
    CHECK_NAMES,
    CheckName,
    CheckResult,
    DEFAULT_JAILBREAK_PROMPT,
    DEFAULT_REFUSED_STATUS,
    DEFAULT_TIMEOUT_SECONDS,
    PROMPT_CHECKS,
    PromptCheck,
    skipped,
    VerifyOptions,
} from "./types";

const ANY_BLOCK: BlockExpectation = { statuses: [] };
/** Checks that need no model name, so no `GET /v1/models` first. */
const WITHOUT_MODEL: readonly CheckName[] = [
    "tls-versions",
    "tls-certificate",
    "http-redirect",
    "run-app-url-disabled",
];

/** Runs each target (each service of a gateway stack, in the stack file's order) one after the other. */
export async function runTargets(targets: readonly VerifyOptions[]): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const target of targets) results.push(...(await runVerify(target)));
    return results;
}

/**
 * Runs the chosen checks (all by default) in {@link CHECK_NAMES} order, one after the other; with
 * `options.service`, each result names it.
 */
export async function runVerify(options: VerifyOptions): Promise<CheckResult[]> {
    const url = new URL(options.url);
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const refusedStatus = options.refusedStatus ?? DEFAULT_REFUSED_STATUS;
    const allowedPaths = options.allowedPaths ?? routedPaths();
    const declared = options.declaredModels ?? [];
    const jailbreak = options.jailbreakPrompt ?? DEFAULT_JAILBREAK_PROMPT;
    const prompt = options.prompt ?? ANY_BLOCK;
    const response = options.response ?? ANY_BLOCK;
    const wanted = new Set<CheckName>(options.checks ?? CHECK_NAMES);
    const transport = new Transport(url.origin, {
        insecure: options.insecure,
        ca: options.ca,
        token: options.token,
        timeoutSeconds,
        pathPrefix: options.pathPrefix,
        resolve: options.resolve,
    });
    const client = openAiClient(transport, options.token, timeoutSeconds);
    try {
        // The model every inference and screening check names: given, else declared, else the first one served.
        const talksToOllama = [...wanted].some((c) => !WITHOUT_MODEL.includes(c));
        const listed = talksToOllama ? await listModels(client) : [];
        const model = options.model ?? declared[0] ?? (Array.isArray(listed) ? listed[0] : undefined);
        const noModel =
            listed instanceof Error
                ? `no model known: GET /v1/models failed (see inference-works); give --model`
                : "no model known: /v1/models lists none and none was given (--model)";

        const probes = model === undefined ? undefined : promptProbes(model, jailbreak, declared);
        const promptChecks = Object.fromEntries(
            PROMPT_CHECKS.map((check) => [
                check,
                async () =>
                    probes === undefined
                        ? skipped(check, noModel)
                        : checkPrompt(check, transport, probes[check], prompt, refusedStatus),
            ]),
        ) as Record<PromptCheck, () => Promise<CheckResult>>;
        const checks: Record<CheckName, () => Promise<CheckResult>> = {
            "tls-versions": async () =>
                url.protocol === "https:"
                    ? checkTlsVersions(url, timeoutSeconds, options.resolve)
                    : skipped("tls-versions", "plain HTTP URL"),
            "tls-certificate": async () =>
                url.protocol === "https:"
                    ? checkCertificate(url, {
                          insecure: options.insecure,
                          ca: options.ca,
                          timeoutSeconds,
                          resolve: options.resolve,
                      })
                    : skipped("tls-certificate", "plain HTTP URL"),
            "allowlist-refuses-admin-paths": () =>
                checkRefused(
                    "allowlist-refuses-admin-paths",
                    transport,
                    [
                        ...adminProbes(allowedPaths, model),
                        ...(options.pathPrefix ? unprefixedProbes(allowedPaths) : []),
                    ],
                    refusedStatus,
                ),
            "allowlist-path-variants": () =>
                checkRefused("allowlist-path-variants", transport, variantProbes(allowedPaths), refusedStatus),
            "access-unauthenticated-refused": () =>
                checkUnauthenticated(transport, options.access, model, jailbreak, prompt, refusedStatus),
            "inference-works": () => checkInference(client, listed, declared, model),
            "models-listed-per-service": async () => checkModelsListed(client, listed, declared, options.otherServices),
            ...promptChecks,
            "host-variants-screened": async () => {
                const check = "host-variants-screened";
                if (options.pathPrefix) {
                    return skipped(check, "path routing: the URL map routes by path, whatever the Host header");
                }
                if (net.isIP(url.hostname.replace(/^\[|\]$/g, ""))) {
                    return skipped(check, "reached by IP address: no host name to spell otherwise");
                }
                if (model === undefined) return skipped(check, noModel);
                const others = Object.values(options.otherServices ?? {}).map((o) => o.prompt ?? ANY_BLOCK);
                const iap = options.access === "iap";
                return checkHostVariants(transport, model, jailbreak, [prompt, ...others], refusedStatus, iap);
            },
            "response-blocked": async () =>
                model === undefined
                    ? skipped("response-blocked", noModel)
                    : checkResponse(transport, model, { prompt, response }, refusedStatus),
            "http-redirect": () => checkHttpRedirect(options.httpUrl, timeoutSeconds, options.resolve),
            "run-app-url-disabled": () => checkRunAppUrl(options.runAppUrl, timeoutSeconds, options.resolve),
        };
        const results: CheckResult[] = [];
        for (const name of CHECK_NAMES) if (wanted.has(name)) results.push(await checks[name]());
        return options.service === undefined ? results : results.map((r) => ({ service: options.service, ...r }));
    } finally {
        transport.close();
    }
}

/** 0 when no applicable check failed, 1 otherwise. */
export function exitCodeOf(results: readonly CheckResult[]): 0 | 1 {
    return results.some((r) => r.status === "FAIL") ? 1 : 0;
}
