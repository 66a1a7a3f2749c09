/**
 * `npm run verify -- --url https://ENDPOINT | --stack <name> [options]`
 *
 * Proves what a deployed endpoint does: TLS, the path allowlist, who may call, inference, and Model Armor blocking
 * prompts and responses however a request is spelled. Prints one row per check (PASS, FAIL or SKIP, with the
 * evidence). Exits 0 when no applicable check fails, 1 when one does, 2 on wrong usage or when it cannot start.
 */
import * as fs from "fs";
import * as path from "path";
import { invalidConfiguration, runCommand, UsageError } from "./cli";
import { parseArgs, USAGE } from "./verify/args";
import { buildOptions } from "./verify/options";
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
        // Only a stack file can be an invalid configuration.
        if (!(e instanceof ConfigurationError) || args.configFile === undefined) throw e;
        console.error(invalidConfiguration("verify", args.configFile, e.problems.map(formatProblem)));
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

runCommand("verify", USAGE, main);
