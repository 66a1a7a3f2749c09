/** What the repository's commands share: wrong usage is exit 2 with one line and the usage, never a stack trace. */
import * as fs from "fs";

/** Thrown for arguments a command cannot run with; its message says what is wrong, in one line. */
export class UsageError extends Error {}

/** Where a command reads and writes: the process's own streams, or a test's buffers. */
export interface CommandIo {
    /** Writes `text` and a newline to standard output. */
    out(text: string): void;
    /** Writes `text` and a newline to standard error. */
    err(text: string): void;
    /** All of standard input. */
    readStdin(): string;
}

export const PROCESS_IO: CommandIo = {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    readStdin: () => fs.readFileSync(0, "utf8"),
};

/** A command line tool: its name in messages, its usage line, and what it does with its arguments. */
export interface Command {
    readonly name: string;
    readonly usage: string;
    /** The exit code of an unexpected error. @default 1 */
    readonly failure?: number;
    /** Runs the command; returns its exit code. */
    main(argv: string[], io: CommandIo): Promise<number>;
}

/**
 * Runs `command` to its exit code. A `UsageError` prints `<name>: <message>` and the usage (exit 2); any other error
 * one line (exit `failure`). The tests run commands this way, in their own process.
 */
export async function execute(command: Command, argv: string[], io: CommandIo = PROCESS_IO): Promise<number> {
    try {
        return await command.main(argv, io);
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(`${command.name}: ${e.message}\n${command.usage}`);
            return 2;
        }
        io.err(`${command.name}: ${e instanceof Error ? e.message : String(e)}`);
        return command.failure ?? 1;
    }
}

/** Runs `command` with the process's arguments and exits with its code, when `module` is the program node started. */
export function runCommand(command: Command, module: NodeModule): void {
    if (require.main !== module) return;
    void execute(command, process.argv.slice(2)).then((code) => process.exit(code));
}

/** Why a stack file cannot be used: a line naming the file, then each problem on its own indented line. */
export function invalidConfiguration(name: string, configFile: string, problems: readonly string[]): string {
    return [`${name}: ${configFile} is not a valid stack configuration:`, ...problems.map((p) => `  ${p}`)].join("\n");
}
