/**
 * The command line of `npm run verify`. Imports nothing heavy: wrong usage is answered before the Pulumi SDK or the
 * `openai` client loads.
 */
import * as fs from "fs";
import * as path from "path";
import { ACCESS_MODES } from "../../components/pure/accessModes";
import { UsageError } from "../cli";
import { AccessMode, CHECK_NAMES, CheckName } from "./types";

export const USAGE = [
    "usage: npm run verify -- (--url https://ENDPOINT | --stack NAME | --config-file PATH) [options]",
    "  --insecure  --ca FILE  --model NAME  --jailbreak-prompt TEXT  --refused-status N  --blocked-status N",
    "  --token TOKEN | --iap-service-account EMAIL  --access iap|internal|public  --http-url URL  --run-app-url URL",
    "  --timeout S  --json FILE  --check NAME (repeatable)",
].join("\n");

export interface CliArgs {
    url?: string;
    stack?: string;
    configFile?: string;
    insecure: boolean;
    ca?: string;
    model?: string;
    jailbreakPrompt?: string;
    refusedStatus?: number;
    blockedStatuses: number[];
    token?: string;
    iapServiceAccount?: string;
    access?: AccessMode;
    httpUrl?: string;
    runAppUrl?: string;
    timeoutSeconds?: number;
    jsonFile?: string;
    checks: CheckName[];
}

const FLAGS = ["--insecure"];
const OPTIONS = [
    "--url",
    "--stack",
    "--config-file",
    "--ca",
    "--model",
    "--jailbreak-prompt",
    "--refused-status",
    "--blocked-status",
    "--token",
    "--iap-service-account",
    "--access",
    "--http-url",
    "--run-app-url",
    "--timeout",
    "--json",
    "--check",
];
const REPEATABLE = ["--blocked-status", "--check"];

export function parseArgs(argv: readonly string[], root: string): CliArgs {
    const single: Record<string, string> = {};
    const repeated: Record<string, string[]> = { "--blocked-status": [], "--check": [] };
    let insecure = false;
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (FLAGS.includes(flag)) {
            insecure = true;
            continue;
        }
        if (!OPTIONS.includes(flag)) throw new UsageError(`unknown argument "${flag}"`);
        const value = argv[++i];
        if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
        if (REPEATABLE.includes(flag)) repeated[flag].push(value);
        else if (single[flag] !== undefined) throw new UsageError(`${flag} given twice`);
        else single[flag] = value;
    }
    if (single["--stack"] !== undefined && single["--config-file"] !== undefined) {
        throw new UsageError("give at most one of --stack and --config-file");
    }
    if (single["--url"] === undefined && single["--stack"] === undefined && single["--config-file"] === undefined) {
        throw new UsageError("give --url, or --stack (or --config-file) to read the endpoint from the stack");
    }
    if (single["--token"] !== undefined && single["--iap-service-account"] !== undefined) {
        throw new UsageError("give at most one of --token and --iap-service-account");
    }
    const configFile =
        single["--config-file"] ??
        (single["--stack"] === undefined ? undefined : path.join(root, "stacks", `Pulumi.${single["--stack"]}.yaml`));
    if (configFile !== undefined && !fs.existsSync(configFile)) throw new UsageError(`no stack file at ${configFile}`);
    const access = single["--access"];
    if (access !== undefined && !(ACCESS_MODES as readonly string[]).includes(access)) {
        throw new UsageError(`--access must be iap, internal or public, not "${access}"`);
    }
    for (const check of repeated["--check"]) {
        if (!(CHECK_NAMES as readonly string[]).includes(check)) {
            throw new UsageError(`unknown check "${check}"; checks: ${CHECK_NAMES.join(", ")}`);
        }
    }
    const stack =
        single["--stack"] ??
        (configFile === undefined
            ? undefined
            : path
                  .basename(configFile)
                  .replace(/^Pulumi\./, "")
                  .replace(/\.ya?ml$/, ""));
    return {
        url: single["--url"] === undefined ? undefined : origin("--url", single["--url"], true),
        stack,
        configFile,
        insecure,
        ca: single["--ca"] === undefined ? undefined : readFile("--ca", single["--ca"]),
        model: single["--model"],
        jailbreakPrompt: single["--jailbreak-prompt"],
        refusedStatus: optionalStatus("--refused-status", single["--refused-status"]),
        blockedStatuses: repeated["--blocked-status"].map((v) => status("--blocked-status", v)),
        token: single["--token"],
        iapServiceAccount: single["--iap-service-account"],
        access: access as AccessMode | undefined,
        httpUrl: single["--http-url"] === undefined ? undefined : origin("--http-url", single["--http-url"], false),
        runAppUrl:
            single["--run-app-url"] === undefined ? undefined : origin("--run-app-url", single["--run-app-url"], true),
        timeoutSeconds: single["--timeout"] === undefined ? undefined : seconds(single["--timeout"]),
        jsonFile: single["--json"],
        checks: [...new Set(repeated["--check"] as CheckName[])],
    };
}

/** An origin (`scheme://host[:port]`); the endpoint's paths are verify's to choose. */
function origin(flag: string, value: string, httpsAllowed: boolean): string {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        throw new UsageError(`${flag} must be a URL such as https://llm.example.com, not "${value}"`);
    }
    const schemes = httpsAllowed ? ["https:", "http:"] : ["http:"];
    if (!schemes.includes(url.protocol)) throw new UsageError(`${flag} must be an ${schemes.join(" or ")} URL`);
    if (url.pathname !== "/" || url.search || url.hash || url.username) {
        throw new UsageError(`${flag} takes the origin only (${url.protocol}//${url.host}): verify chooses the paths`);
    }
    return url.origin;
}

function optionalStatus(flag: string, value: string | undefined): number | undefined {
    return value === undefined ? undefined : status(flag, value);
}

function status(flag: string, value: string): number {
    if (!/^[1-9]\d\d$/.test(value)) throw new UsageError(`${flag} must be a three-digit status, not "${value}"`);
    return Number(value);
}

function seconds(value: string): number {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || n <= 0)
        throw new UsageError(`--timeout must be a number of seconds, not "${value}"`);
    return n;
}

function readFile(flag: string, file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        throw new UsageError(`${flag}: cannot read ${file}`);
    }
}
