/**
 * `npm run plan -- --stack <name> | --config-file <path> [--json <file>] [--diagram <file.md|file.mmd>]`
 *
 * Shows what a stack would build without the Pulumi CLI or cloud credentials, and runs the guarded-llm policy pack
 * over it. `--diagram` also draws it as a Mermaid flowchart (tools/diagram.ts): the bare flowchart in a `.mmd` file;
 * in a `.md` file a ```mermaid block between generated-block comments, which replaces the file's block for the same
 * stack when the file exists (so `--diagram README.md` refreshes the README's), or makes a new file.
 *
 * Exits 1 with one line per problem (and writes no plan) when the configuration is invalid; exits 1 after printing
 * (and writing) the plan when a mandatory policy is violated; exits 2 on wrong usage (a `.md` file that exists but
 * has no block for the stack is wrong usage: nothing else in it is overwritten).
 */
import * as fs from "fs";
import * as path from "path";
import { Command, CommandIo, invalidConfiguration, runCommand, UsageError } from "./cli";
import type { RecordingRuntime } from "./mockRuntime";
import { DiagramFormat, diagramFileText, diagramFormat, markdownProblem } from "./diagramFile";

const USAGE =
    "usage: npm run plan -- (--stack <name> | --config-file <path>) [--json <file>] [--diagram <file.md|file.mmd>]";

interface PlanArgs {
    stack: string;
    configFile: string;
    jsonFile?: string;
    diagram?: DiagramTarget;
}

/** Where the diagram goes, and the command-line words that name the stack in a generated block's comment. */
interface DiagramTarget {
    file: string;
    format: DiagramFormat;
    source: string;
}

function parseArgs(argv: string[]): PlanArgs {
    const options: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (!["--stack", "--config-file", "--json", "--diagram"].includes(flag)) {
            throw new UsageError(`unknown argument "${flag}"`);
        }
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
    const source =
        options["--stack"] !== undefined
            ? `--stack ${options["--stack"]}`
            : `--config-file ${options["--config-file"]}`;
    const diagram = options["--diagram"] === undefined ? undefined : diagramTarget(options["--diagram"], source);
    return { stack, configFile, jsonFile: options["--json"], diagram };
}

/** Checks `--diagram <file>` before anything is built: its extension, its folder, and an existing `.md` file's block. */
function diagramTarget(file: string, source: string): DiagramTarget {
    const format = diagramFormat(file);
    if (format === undefined) {
        throw new UsageError(
            `--diagram needs a .md file (a Mermaid block in Markdown) or a .mmd file (the bare flowchart), not "${file}"`,
        );
    }
    const folder = path.dirname(path.resolve(file));
    if (!fs.existsSync(folder)) throw new UsageError(`--diagram: no folder at ${folder}`);
    const problem = format === "markdown" ? existingMarkdown(file, source).problem : undefined;
    if (problem) throw new UsageError(`--diagram: ${problem}`);
    return { file, format, source };
}

/** The text of an existing `.md` file, and why it cannot take the diagram of `source` (see `markdownProblem`). */
function existingMarkdown(file: string, source: string): { existing?: string; problem?: string } {
    if (!fs.existsSync(file)) return {};
    const existing = fs.readFileSync(file, "utf8");
    return { existing, problem: markdownProblem(existing, source, file) };
}

/** Writes the diagram; an existing `.md` file is read again here, as another edit may have come since the check. */
function writeDiagram({ file, format, source }: DiagramTarget, flowchart: string): void {
    const { existing, problem } = format === "markdown" ? existingMarkdown(file, source) : {};
    if (problem) throw new Error(problem);
    fs.writeFileSync(file, diagramFileText(format, source, file, flowchart, existing));
}

/** The plan command; `runtime` is the recording runtime to plan under (a test's), else one of its own. */
export const planCommand = (runtime?: RecordingRuntime): Command => ({
    name: "plan",
    usage: USAGE,
    main: (argv, io) => main(argv, io, runtime),
});

async function main(argv: string[], io: CommandIo, given?: RecordingRuntime): Promise<number> {
    const args = parseArgs(argv);
    // Loaded only now: wrong usage is answered without loading the Pulumi SDK.
    const { ConfigurationError, formatProblem } = await import("../components/validation");
    const { installRecordingRuntime } = await import("./mockRuntime");
    const { buildPlan, toStackExport } = await import("./planner");
    const { renderDiagram } = await import("./diagram");
    const { hasMandatoryViolation } = await import("./policyRunner");
    const { renderPlan } = await import("./renderPlan");
    const { readStackFile } = await import("./stackFile");
    const runtime = given ?? installRecordingRuntime("guarded-llm", args.stack);
    try {
        const plan = await buildPlan(runtime, args.stack, readStackFile(args.configFile));
        io.out(renderPlan(plan));
        if (args.jsonFile) {
            fs.writeFileSync(args.jsonFile, JSON.stringify(toStackExport(plan), null, 2) + "\n");
            io.out(`\nWrote ${args.jsonFile}`);
        }
        if (args.diagram) {
            writeDiagram(args.diagram, renderDiagram(plan.resources));
            io.out(`${args.jsonFile ? "" : "\n"}Wrote ${args.diagram.file}`);
        }
        if (hasMandatoryViolation(plan.violations)) {
            io.err("plan: a mandatory policy is violated (see above)");
            return 1;
        }
        return 0;
    } catch (e) {
        if (e instanceof ConfigurationError) {
            io.err(invalidConfiguration("plan", args.configFile, e.problems.map(formatProblem)));
        } else {
            io.err(`plan: ${e instanceof Error ? e.message : String(e)}`);
        }
        return 1;
    }
}

runCommand(planCommand(), module);
