/**
 * The targets of a verify run: what the stack promises (with `--stack`), then each flag given on top of it. One
 * target for an endpoint; one per service of a gateway stack (`guarded-llm:services`).
 */
import * as path from "path";
import { UsageError } from "../cli";
import { CliArgs } from "./args";
import type { ServiceExpectations, StackExpectations, StackOutputs } from "./fromStack";
import type { OtherService, VerifyOptions } from "./types";

const ROOT = path.join(__dirname, "..", "..");

/**
 * The run's targets: the stack's expectations (with `--stack`), then each flag given on top of them. A gateway stack
 * gives one target per service (those `--service` names, else every one), each with its own URL, models and
 * templates; anything else gives one target.
 */
export async function buildTargets(args: CliArgs): Promise<VerifyOptions[]> {
    let fromStack: StackExpectations | undefined;
    let url = args.url;
    let runAppUrl = args.runAppUrl;
    if (args.configFile && args.stack) {
        const { expectationsFromStackFile, readStackOutputs } = await import("./fromStack");
        fromStack = expectationsFromStackFile(args.configFile, args.stack);
        if (fromStack.services !== undefined) {
            return gatewayTargets(args, args.stack, fromStack, fromStack.services, readStackOutputs);
        }
        noServices(args);
        try {
            const outputs = readStackOutputs(args.stack, ROOT);
            url ??= outputs.endpointUrl;
            runAppUrl ??= outputs.runAppUrl;
        } catch (e) {
            // With --url given the outputs only add the run.app URL: their absence is no reason to stop.
            if (url === undefined) throw e;
        }
        if (url === undefined) throw new UsageError(`stack ${args.stack} has no endpointUrl output: give --url`);
    }
    noServices(args);
    return [await target(args, fromStack ?? {}, new URL(url!), { runAppUrl })];
}

function noServices(args: CliArgs): void {
    if (args.services.length > 0) {
        throw new UsageError("--service names services of a stack with guarded-llm:services (give that --stack)");
    }
}

/**
 * One target per chosen service. Host routing: each service at `https://<host>` (the stack file says where, no
 * output is needed). Path routing: the endpoint (`--url`, else the origin of the `services.<name>.url` output)
 * under the service's prefix.
 */
async function gatewayTargets(
    args: CliArgs,
    stack: string,
    shared: StackExpectations,
    services: Record<string, ServiceExpectations>,
    readStackOutputs: (stack: string, cwd: string) => StackOutputs,
): Promise<VerifyOptions[]> {
    const names = Object.keys(services);
    const unknown = args.services.filter((s) => !names.includes(s));
    if (unknown.length > 0) {
        throw new UsageError(`stack ${stack} has no service "${unknown[0]}"; its services: ${names.join(", ")}`);
    }
    const chosen = args.services.length > 0 ? args.services : names;
    if (chosen.length > 1) {
        const one = [args.model && "--model", args.runAppUrl && "--run-app-url"].find(Boolean);
        if (one) throw new UsageError(`${one} applies to one service: add --service NAME (one of ${names.join(", ")})`);
    }
    const byHost = names.every((name) => services[name].host !== undefined);
    if (byHost && args.url !== undefined) {
        throw new UsageError(
            `stack ${stack} routes its services by host, each verified at https://<host>: drop --url ` +
                "(before DNS exists, --resolve HOST:ADDRESS connects to the load balancer's address)",
        );
    }
    let outputs: StackOutputs = {};
    if (!byHost && args.url === undefined) outputs = readStackOutputs(stack, ROOT);
    const origin = (name: string): URL => {
        const service = services[name];
        if (service.host !== undefined) return new URL(`https://${service.host}`);
        const url = args.url ?? outputs.serviceUrls?.[name];
        if (url === undefined) throw new UsageError(`stack ${stack} has no services.${name}.url output: give --url`);
        return new URL(new URL(url).origin);
    };
    const otherServices = (name: string): Record<string, OtherService> =>
        Object.fromEntries(
            names
                .filter((other) => other !== name)
                .map((other) => [other, { models: services[other].declaredModels, prompt: services[other].prompt }]),
        );
    // Every URL before any credential is made: a wrong usage is answered without signing a token.
    const origins = chosen.map((name) => [name, origin(name)] as const);
    return Promise.all(
        origins.map(async ([name, endpoint]) => {
            const service = services[name];
            return target(
                args,
                {
                    ...shared,
                    declaredModels: service.declaredModels,
                    prompt: service.prompt,
                    response: service.response,
                },
                endpoint,
                {
                    service: name,
                    pathPrefix: service.pathPrefix,
                    otherServices: otherServices(name),
                    runAppUrl: args.runAppUrl,
                },
            );
        }),
    );
}

/** One target: the stack's expectations for it, then each flag given on top of them. */
async function target(
    args: CliArgs,
    fromStack: Partial<StackExpectations>,
    endpoint: URL,
    extra: Pick<VerifyOptions, "runAppUrl" | "service" | "pathPrefix" | "otherServices">,
): Promise<VerifyOptions> {
    const { declaredModels, allowedPaths } = fromStack;
    const access = args.access ?? fromStack.access ?? (args.token || args.iapServiceAccount ? "iap" : undefined);
    if (access === "iap" && !args.token && !args.iapServiceAccount) {
        throw new UsageError("the endpoint is behind IAP: give --token TOKEN or --iap-service-account EMAIL");
    }
    const blocked = args.blockedStatuses.length > 0 ? args.blockedStatuses : undefined;
    const withBlocked = (side: VerifyOptions["prompt"]) =>
        blocked ? { ...(side ?? { statuses: [] }), statuses: blocked } : side;
    const { service, pathPrefix, otherServices } = extra;
    return {
        ...(declaredModels === undefined ? {} : { declaredModels }),
        ...(allowedPaths === undefined ? {} : { allowedPaths }),
        url: endpoint.origin,
        ...(service === undefined ? {} : { service }),
        ...(pathPrefix === undefined ? {} : { pathPrefix }),
        ...(otherServices === undefined ? {} : { otherServices: withBlockedOthers(otherServices, blocked) }),
        insecure: args.insecure,
        ca: args.ca,
        model: args.model,
        jailbreakPrompt: args.jailbreakPrompt,
        refusedStatus: args.refusedStatus ?? fromStack.refusedStatus,
        prompt: withBlocked(fromStack.prompt),
        response: withBlocked(fromStack.response),
        access,
        token: args.token ?? (args.iapServiceAccount ? await iapJwtOnce(args.iapServiceAccount, endpoint) : undefined),
        httpUrl: args.httpUrl ?? (fromStack.httpRedirect ? `http://${endpoint.hostname}` : undefined),
        runAppUrl: extra.runAppUrl,
        timeoutSeconds: args.timeoutSeconds,
        checks: args.checks.length > 0 ? args.checks : undefined,
        resolve: args.resolve,
    };
}

/** `--blocked-status` stands for every template's code, the other services' too. */
function withBlockedOthers(
    others: Readonly<Record<string, OtherService>>,
    blocked: number[] | undefined,
): Record<string, OtherService> {
    if (!blocked) return { ...others };
    return Object.fromEntries(
        Object.entries(others).map(([name, o]) => [name, { ...o, prompt: { ...o.prompt, statuses: blocked } }]),
    );
}

/**
 * A JWT signed for the service account through IAM Credentials, as client/iap.ts's `iapFetch` sends it, for every
 * path of the endpoint (`aud` `https://HOST/*`: https://cloud.google.com/iap/docs/authentication-howto); with host
 * routing, one per host.
 */
async function iapJwt(serviceAccount: string, endpoint: URL): Promise<string> {
    const { iapJwtSigner } = await import("../../client/iap");
    try {
        return await iapJwtSigner({ serviceAccount }).getJwt(`${endpoint.origin}/*`);
    } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
    }
}

/** One JWT per audience: the services of a path-routed gateway share their origin. */
const signed = new Map<string, Promise<string>>();
function iapJwtOnce(serviceAccount: string, endpoint: URL): Promise<string> {
    const key = `${serviceAccount} ${endpoint.origin}`;
    if (!signed.has(key)) signed.set(key, iapJwt(serviceAccount, endpoint));
    return signed.get(key)!;
}
