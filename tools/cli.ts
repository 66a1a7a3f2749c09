/** What the repository's commands share: wrong usage is exit 2 with one line and the usage, never a stack trace. */

/** Thrown for arguments a command cannot run with; its message says what is wrong, in one line. */
export class UsageError extends Error {}

/**
 * Runs a command's `main` and exits with the code it returns. A `UsageError` prints `<name>: <message>` and the
 * usage (exit 2); any other error one line (exit `failure`).
 */
export function runCommand(name: string, usage: string, main: () => Promise<number>, failure = 1): void {
    main().then(
        (code) => process.exit(code),
        (e) => {
            if (e instanceof UsageError) {
                console.error(`${name}: ${e.message}\n${usage}`);
                process.exit(2);
            }
            console.error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(failure);
        },
    );
}

/** Why a stack file cannot be used: a line naming the file, then each problem on its own indented line. */
export function invalidConfiguration(name: string, configFile: string, problems: readonly string[]): string {
    return [`${name}: ${configFile} is not a valid stack configuration:`, ...problems.map((p) => `  ${p}`)].join("\n");
}
