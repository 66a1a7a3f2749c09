/** How verify shows its verdicts: a table for people, a JSON list for pipelines. */
import { CheckResult, VerifyOptions } from "./types";

/** Detail lines shown under a FAIL; the JSON file has them all. */
const DETAIL_LINES = 12;

/**
 * What a target is, in one line: its URL (under its prefix), then the model given (`--model`), else for a gateway's
 * service the models it declares.
 */
export function describeTarget(
    target: Pick<VerifyOptions, "url" | "pathPrefix" | "model" | "service" | "declaredModels">,
): string {
    const declared = target.service !== undefined ? (target.declaredModels ?? []) : [];
    const models = target.model
        ? `, model ${target.model}`
        : declared.length > 0
          ? `, models ${declared.join(", ")}`
          : "";
    return `${target.url}${target.pathPrefix ?? ""}${models}`;
}

/**
 * One row per check; a FAIL is followed by the requests that make it one. Results of a gateway's services (each
 * naming its `service`) are grouped under a line per service, `titles` saying what follows the name (its URL), and
 * each service's count follows the total.
 */
export function renderTable(results: readonly CheckResult[], titles: Readonly<Record<string, string>> = {}): string {
    const width = Math.max("CHECK".length, ...results.map((r) => r.check.length));
    const lines = [`${"CHECK".padEnd(width)}  RESULT  EVIDENCE`];
    const services = [...new Set(results.flatMap((r) => (r.service === undefined ? [] : [r.service])))];
    let group: string | undefined;
    for (const r of results) {
        if (r.service !== undefined && r.service !== group) {
            group = r.service;
            lines.push(`service ${group}${titles[group] ? `: ${titles[group]}` : ""}`);
        }
        lines.push(`${r.check.padEnd(width)}  ${r.status.padEnd(6)}  ${r.summary}`);
        if (r.status !== "FAIL") continue;
        for (const detail of r.details.slice(0, DETAIL_LINES)) lines.push(`${" ".repeat(width + 10)}${detail}`);
        if (r.details.length > DETAIL_LINES) {
            lines.push(`${" ".repeat(width + 10)}… ${r.details.length - DETAIL_LINES} more (--json FILE has them all)`);
        }
    }
    lines.push("", counts(results));
    for (const service of services) {
        lines.push(`  service ${service}: ${counts(results.filter((r) => r.service === service))}`);
    }
    return lines.join("\n");
}

function counts(results: readonly CheckResult[]): string {
    const count = (status: CheckResult["status"]) => results.filter((r) => r.status === status).length;
    return `${count("PASS")} passed, ${count("FAIL")} failed, ${count("SKIP")} skipped`;
}

/** One entry of the `--json` file. */
export interface JsonResult {
    /** The gateway service checked (a stack with `guarded-llm:services`); absent for one endpoint. */
    service?: string;
    check: string;
    status: string;
    /** The summary, then one line per request. */
    evidence: string;
}

/**
 * The `--json` file: `[{check, status, evidence}]`, the evidence being the summary and then one line per request;
 * for a gateway stack each entry starts with the `service` it checked: `[{service, check, status, evidence}]`.
 */
export function toJson(results: readonly CheckResult[]): JsonResult[] {
    return results.map((r) => ({
        ...(r.service === undefined ? {} : { service: r.service }),
        check: r.check,
        status: r.status,
        evidence: [r.summary, ...r.details].join("\n"),
    }));
}
