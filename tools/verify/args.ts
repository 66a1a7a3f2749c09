/**
 * The command line of `npm run verify`. Imports nothing heavy: wrong usage is answered before the Pulumi SDK or the
 * `openai` client loads.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { ACCESS_MODES } from "../../components/pure/accessModes";
import { UsageError } from "../cli";
import { AccessMode, CHECK_NAMES, CheckName, Resolve } from "./types";

export const USAGE = [
    "usage: npm run verify -- (--url https://ENDPOINT | --stack NAME | --config-file PATH) [options]",
    "  --insecure  --ca FILE  --model NAME  --jailbreak-prompt TEXT  --refused-status N  --blocked-status N",
    "  --token TOKEN | --iap-service-account EMAIL  --access iap|internal|public  --http-url URL  --run-app-url URL",
    "  --timeout S  --json FILE  --check NAME (repeatable)",
    "  --service NAME (repeatable: only these services of a guarded-llm:services stack)",
    "  --resolve HOST[:PORT]:ADDRESS[:PORT] (repeatable: connect there, still naming HOST; before DNS exists)",
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
    /** `--service`: the services of a gateway stack to verify; empty: every one. */
    services: string[];
    /** `--resolve`: where to connect instead of resolving names. */
    resolve?: Resolve;
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
    "--service",
    "--resolve",
];
const REPEATABLE = ["--blocked-status", "--check", "--service", "--resolve"];

export function parseArgs(argv: readonly string[], root: string): CliArgs {
    const single: Record<string, string> = {};
    const repeated: Record<string, string[]> = Object.fromEntries(REPEATABLE.map((flag) => [flag, []]));
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
        services: [...new Set(repeated["--service"])],
        resolve: repeated["--resolve"].length === 0 ? undefined : resolveMap(repeated["--resolve"]),
    };
}

/**
 * `--resolve HOST[:PORT]:ADDRESS[:PORT]`, like curl's `--resolve` (and `--connect-to`, for the second port): connect
 * to ADDRESS (and PORT) for HOST (on PORT, else on any port), still naming HOST. IPv6 addresses in brackets.
 */
function resolveMap(values: readonly string[]): Resolve {
    const map: Record<string, string> = {};
    for (const value of values) {
        const match = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?:(\[[0-9A-Fa-f:.]+\]|[0-9.]+)(?::(\d{1,5}))?$/.exec(value);
        const address = match?.[3].replace(/^\[|\]$/g, "");
        if (!match || !net.isIP(address!) || [match[2], match[4]].some((p) => p !== undefined && Number(p) > 65535)) {
            throw new UsageError(
                `--resolve takes HOST[:PORT]:ADDRESS[:PORT], e.g. chat.llm.example.com:34.1.2.3, not "${value}"`,
            );
        }
        const key = match[2] === undefined ? match[1].toLowerCase() : `${match[1].toLowerCase()}:${match[2]}`;
        if (map[key] !== undefined) throw new UsageError(`--resolve names ${key} twice`);
        map[key] = match[4] === undefined ? match[3] : `${match[3]}:${match[4]}`;
    }
    return map;
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
