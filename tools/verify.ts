/**
 * `npm run verify -- --url https://ENDPOINT | --stack <name> [options]`
 *
 * Proves what a deployed endpoint does: TLS, the path allowlist, who may call, inference, and Model Armor blocking
 * prompts and responses however a request is spelled. Prints one row per check (PASS, FAIL or SKIP, with the
 * evidence). A stack with `guarded-llm:services` (a gateway) is checked service by service, each at its own host
 * (or under its prefix) with its own models and templates, the rows grouped under a line per service. Exits 0 when
 * no applicable check fails (in any service), 1 when one does, 2 on wrong usage or when it cannot start.
 *
 * `--json FILE` writes a list with one entry per check run: `{check, status, evidence}`, `status` being PASS, FAIL or
 * SKIP and `evidence` the summary followed by one line per request; for a gateway stack each entry starts with the
 * `service` it checked (`{service, check, status, evidence}`). See verify/report.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { Command, CommandIo, invalidConfiguration, runCommand, UsageError } from "./cli";
import { parseArgs, USAGE } from "./verify/args";
import { buildTargets } from "./verify/options";
import type { VerifyOptions } from "./verify/types";

const ROOT = path.join(__dirname, "..");

async function main(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, ROOT);
    let targets: VerifyOptions[];
    try {
        targets = await buildTargets(args);
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(`verify: ${e.message}`);
            return 2;
        }
        const { ConfigurationError, formatProblem } = await import("../components/validation");
        // Only a stack file can be an invalid configuration.
        if (!(e instanceof ConfigurationError) || args.configFile === undefined) throw e;
        io.err(invalidConfiguration("verify", args.configFile, e.problems.map(formatProblem)));
        return 2;
    }
    // Loaded only now: wrong usage is answered without loading the openai client.
    const { runTargets, exitCodeOf } = await import("./verify/run");
    const { describeTarget, renderTable, toJson } = await import("./verify/report");
    const services = targets.flatMap((t) => (t.service === undefined ? [] : [t.service]));
    io.out(
        services.length === 0
            ? `verify: ${describeTarget(targets[0])}`
            : `verify: stack ${args.stack}, service${services.length > 1 ? "s" : ""} ${services.join(", ")}`,
    );
    const results = await runTargets(targets);
    const titles = Object.fromEntries(targets.map((t) => [t.service ?? "", describeTarget(t)]));
    io.out(renderTable(results, titles));
    if (args.jsonFile) {
        fs.writeFileSync(args.jsonFile, JSON.stringify(toJson(results), null, 2) + "\n");
        io.out(`\nWrote ${args.jsonFile}`);
    }
    return exitCodeOf(results);
}

export const verifyCommand: Command = { name: "verify", usage: USAGE, main };

runCommand(verifyCommand, module);
