/**
 * `npm run plan -- --stack <name> | --config-file <path> [--json <file>]`
 *
 * Shows what a stack would build without the Pulumi CLI or cloud credentials, and runs the guarded-llm policy pack
 * over it. Exits 1 with one line per problem (and writes no plan) when the configuration is invalid; exits 1 after
 * printing (and writing) the plan when a mandatory policy is violated; exits 2 on wrong usage.
 */
import * as fs from "fs";
import * as path from "path";
import { invalidConfiguration, runCommand, UsageError } from "./cli";

const USAGE = "usage: npm run plan -- (--stack <name> | --config-file <path>) [--json <file>]";

interface PlanArgs {
    stack: string;
    configFile: string;
    jsonFile?: string;
}

function parseArgs(argv: string[]): PlanArgs {
    const options: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (!["--stack", "--config-file", "--json"].includes(flag)) throw new UsageError(`unknown argument "${flag}"`);
        const value = argv[++i];
        if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
        options[flag] = value;
    }
    if ((options["--stack"] === undefined) === (options["--config-file"] === undefined)) {
        throw new UsageError("give exactly one of --stack and --config-file");
    }
    const configFile =
        options["--config-file"] ?? path.join(__dirname, "..", "stacks", `Pulumi.${options["--stack"]}.yaml`);
    if (!fs.existsSync(configFile)) throw new UsageError(`no stack file at ${configFile}`);
    const stack =
        options["--stack"] ??
        path
            .basename(configFile)
            .replace(/^Pulumi\./, "")
            .replace(/\.ya?ml$/, "");
    return { stack, configFile, jsonFile: options["--json"] };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    // Loaded only now: wrong usage is answered without loading the Pulumi SDK.
    const { ConfigurationError, formatProblem } = await import("../components/validation");
    const { installRecordingRuntime } = await import("./mockRuntime");
    const { buildPlan, toStackExport } = await import("./planner");
    const { hasMandatoryViolation } = await import("./policyRunner");
    const { renderPlan } = await import("./renderPlan");
    const { readStackFile } = await import("./stackFile");
    const runtime = installRecordingRuntime("guarded-llm", args.stack);
    try {
        const plan = await buildPlan(runtime, args.stack, readStackFile(args.configFile));
        console.log(renderPlan(plan));
        if (args.jsonFile) {
            fs.writeFileSync(args.jsonFile, JSON.stringify(toStackExport(plan), null, 2) + "\n");
            console.log(`\nWrote ${args.jsonFile}`);
        }
        if (hasMandatoryViolation(plan.violations)) {
            console.error("plan: a mandatory policy is violated (see above)");
            return 1;
        }
        return 0;
    } catch (e) {
        if (e instanceof ConfigurationError) {
            console.error(invalidConfiguration("plan", args.configFile, e.problems.map(formatProblem)));
        } else {
            console.error(`plan: ${e instanceof Error ? e.message : String(e)}`);
        }
        return 1;
    }
}

runCommand("plan", USAGE, main);
