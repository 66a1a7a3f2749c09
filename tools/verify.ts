/**
 * `npm run verify -- --url https://ENDPOINT | --stack <name> [options]`
 *
 * Proves what a deployed endpoint does: TLS, the path allowlist, who may call, inference, and Model Armor blocking
 * prompts and responses however a request is spelled. Prints one row per check (PASS, FAIL or SKIP, with the
 * evidence). Exits 0 when no applicable check fails, 1 when one does, 2 on wrong usage or when it cannot start.
 */
import * as fs from "fs";
import * as path from "path";
import { runCommand, UsageError } from "./cli";
import { CliArgs, parseArgs, USAGE } from "./verify/args";
import type { VerifyOptions } from "./verify/types";

const ROOT = path.join(__dirname, "..");

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2), ROOT);
    let options: VerifyOptions;
    try {
        options = await buildOptions(args);
    } catch (e) {
        if (e instanceof UsageError) {
            console.error(`verify: ${e.message}`);
            return 2;
        }
        const { ConfigurationError, formatProblem } = await import("../components/validation");
        if (!(e instanceof ConfigurationError)) throw e;
        console.error(`verify: ${args.configFile} is not a valid stack configuration:`);
        for (const problem of e.problems) console.error(`  ${formatProblem(problem)}`);
        return 2;
    }
    // Loaded only now: wrong usage is answered without loading the openai client.
    const { runVerify, exitCodeOf } = await import("./verify/run");
    const { renderTable, toJson } = await import("./verify/report");
    console.log(`verify: ${options.url}${options.model ? `, model ${options.model}` : ""}`);
    const results = await runVerify(options);
    console.log(renderTable(results));
    if (args.jsonFile) {
        fs.writeFileSync(args.jsonFile, JSON.stringify(toJson(results), null, 2) + "\n");
        console.log(`\nWrote ${args.jsonFile}`);
    }
    return exitCodeOf(results);
}

/** The run's options: the stack's expectations (with `--stack`), then each flag given on top of them. */
async function buildOptions(args: CliArgs): Promise<VerifyOptions> {
    let fromStack: Partial<VerifyOptions> & { httpRedirect?: boolean } = {};
    let url = args.url;
    let runAppUrl = args.runAppUrl;
    if (args.configFile && args.stack) {
        const { expectationsFromStackFile, readStackOutputs } = await import("./verify/fromStack");
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
    const { iapJwtSigner } = await import("../client/iap");
    try {
        return await iapJwtSigner({ serviceAccount }).getJwt(`${endpoint.origin}/*`);
    } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
    }
}

runCommand("verify", USAGE, main);
