/**
 * `npm run policy -- <stack export file> [--json <file>]`
 *
 * Runs the guarded-llm policy pack over a `pulumi stack export` file (or `-` for standard input), or over the offline
 * plan's `--json` output, without the Pulumi CLI: what a deployed stack holds, judged by the same policies as
 * `pulumi preview --policy-pack policy`. Prints the violations; with `--json`, also writes them as a JSON list of
 * `{policy, enforcement, urn, message}`. Exits 1 when a mandatory policy is violated, 0 otherwise, and 2 on wrong
 * usage or a file that cannot be read or is not a stack export.
 */
import * as fs from "fs";
import { Command, CommandIo, runCommand, UsageError } from "./cli";
import type { PolicyPackConfig } from "@pulumi/policy";
import type { Violation } from "./policyRunner";
import { readStackExport, StackExportError } from "./stackExport";

const USAGE =
    "usage: npm run policy -- <stack export file, or - for stdin> [--json <file>] [--policy-pack-config <file>]";

interface PolicyArgs {
    file: string;
    jsonFile?: string;
    /** The pack's config, as `pulumi preview --policy-pack-config` takes it. */
    configFile?: string;
}

function parseArgs(argv: string[]): PolicyArgs {
    const files: string[] = [];
    let jsonFile: string | undefined;
    let configFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json" || arg === "--policy-pack-config") {
            const value = argv[++i];
            if (value === undefined || value.startsWith("--")) throw new UsageError(`${arg} needs a value`);
            if (arg === "--json") jsonFile = value;
            else configFile = value;
        } else if (arg.startsWith("--")) {
            throw new UsageError(`unknown argument "${arg}"`);
        } else {
            files.push(arg);
        }
    }
    if (files.length !== 1) throw new UsageError("give exactly one stack export file");
    return { file: files[0], jsonFile, configFile };
}

/** The violations as `--json` writes them. */
function violationsJson(violations: readonly Violation[]) {
    return violations.map((v) => ({
        policy: v.policyName,
        enforcement: v.enforcementLevel,
        urn: v.urn ?? null,
        message: v.message,
    }));
}

/** Runs the command; returns the exit code. */
async function main(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv);
    let text: string;
    try {
        text = args.file === "-" ? io.readStdin() : fs.readFileSync(args.file, "utf8");
    } catch (e) {
        io.err(`policy: cannot read ${args.file}: ${(e as Error).message}`);
        return 2;
    }
    let resources;
    try {
        resources = readStackExport(text);
    } catch (e) {
        if (!(e instanceof StackExportError)) throw e;
        const name = args.file === "-" ? "standard input" : args.file;
        io.err(`policy: ${name} ${e.message}`);
        return 2;
    }
    // Loaded only now: the pack and the SDKs take most of the start-up time, which a usage error need not wait for.
    const { formatViolations, hasMandatoryViolation, runPolicies } = await import("./policyRunner");
    let config: PolicyPackConfig = {};
    if (args.configFile !== undefined) {
        try {
            config = JSON.parse(fs.readFileSync(args.configFile, "utf8"));
        } catch (e) {
            io.err(`policy: cannot read the policy pack config ${args.configFile}: ${(e as Error).message}`);
            return 2;
        }
    }
    const violations = runPolicies(resources, config);
    io.out(`Checked ${resources.length} resources of ${args.file}.`);
    io.out(formatViolations(violations));
    if (args.jsonFile !== undefined) {
        try {
            fs.writeFileSync(args.jsonFile, JSON.stringify(violationsJson(violations), null, 2) + "\n");
        } catch (e) {
            io.err(`policy: cannot write ${args.jsonFile}: ${(e as Error).message}`);
            return 2;
        }
        io.out(`\nWrote ${args.jsonFile}`);
    }
    if (hasMandatoryViolation(violations)) {
        io.err("policy: a mandatory policy is violated (see above)");
        return 1;
    }
    return 0;
}

export const policyCommand: Command = { name: "policy", usage: USAGE, failure: 2, main };

runCommand(policyCommand, module);
