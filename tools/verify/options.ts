/** The options of a verify run: what the stack promises (with `--stack`), then each flag given on top of it. */
import * as path from "path";
import { UsageError } from "../cli";
import { CliArgs } from "./args";
import type { VerifyOptions } from "./types";

const ROOT = path.join(__dirname, "..", "..");

/** The run's options: the stack's expectations (with `--stack`), then each flag given on top of them. */
export async function buildOptions(args: CliArgs): Promise<VerifyOptions> {
    let fromStack: Partial<VerifyOptions> & { httpRedirect?: boolean } = {};
    let url = args.url;
    let runAppUrl = args.runAppUrl;
    if (args.configFile && args.stack) {
        const { expectationsFromStackFile, readStackOutputs } = await import("./fromStack");
        fromStack = expectationsFromStackFile(args.configFile, args.stack);
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
    const endpoint = new URL(url!);
    const access = args.access ?? fromStack.access ?? (args.token || args.iapServiceAccount ? "iap" : undefined);
    if (access === "iap" && !args.token && !args.iapServiceAccount) {
        throw new UsageError("the endpoint is behind IAP: give --token TOKEN or --iap-service-account EMAIL");
    }
    const blocked = args.blockedStatuses.length > 0 ? args.blockedStatuses : undefined;
    const withBlocked = (side: VerifyOptions["prompt"]) =>
        blocked ? { ...(side ?? { statuses: [] }), statuses: blocked } : side;
    return {
        ...fromStack,
        url: endpoint.origin,
        insecure: args.insecure,
        ca: args.ca,
        model: args.model,
        jailbreakPrompt: args.jailbreakPrompt,
        refusedStatus: args.refusedStatus ?? fromStack.refusedStatus,
        prompt: withBlocked(fromStack.prompt),
        response: withBlocked(fromStack.response),
        access,
        token: args.token ?? (args.iapServiceAccount ? await iapJwt(args.iapServiceAccount, endpoint) : undefined),
        httpUrl: args.httpUrl ?? (fromStack.httpRedirect ? `http://${endpoint.hostname}` : undefined),
        runAppUrl,
        timeoutSeconds: args.timeoutSeconds,
        checks: args.checks.length > 0 ? args.checks : undefined,
    };
}

/**
 * A JWT signed for the service account through IAM Credentials, as client/iap.ts's `iapFetch` sends it, for every
 * path of the endpoint (`aud` `https://HOST/*`: https://cloud.google.com/iap/docs/authentication-howto).
 */
async function iapJwt(serviceAccount: string, endpoint: URL): Promise<string> {
    const { iapJwtSigner } = await import("../../client/iap");
    try {
        return await iapJwtSigner({ serviceAccount }).getJwt(`${endpoint.origin}/*`);
    } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
    }
}
