/** How verify shows its verdicts: a table for people, a JSON list for pipelines. */
import { CheckResult } from "./types";

/** Detail lines shown under a FAIL; the JSON file has them all. */
const DETAIL_LINES = 12;

/** One row per check; a FAIL is followed by the requests that make it one. */
export function renderTable(results: readonly CheckResult[]): string {
    const width = Math.max("CHECK".length, ...results.map((r) => r.check.length));
    const lines = [`${"CHECK".padEnd(width)}  RESULT  EVIDENCE`];
    for (const r of results) {
        lines.push(`${r.check.padEnd(width)}  ${r.status.padEnd(6)}  ${r.summary}`);
        if (r.status !== "FAIL") continue;
        for (const detail of r.details.slice(0, DETAIL_LINES)) lines.push(`${" ".repeat(width + 10)}${detail}`);
        if (r.details.length > DETAIL_LINES) {
            lines.push(`${" ".repeat(width + 10)}… ${r.details.length - DETAIL_LINES} more (--json FILE has them all)`);
        }
    }
    const count = (status: CheckResult["status"]) => results.filter((r) => r.status === status).length;
    lines.push("", `${count("PASS")} passed, ${count("FAIL")} failed, ${count("SKIP")} skipped`);
    return lines.join("\n");
}

/** The `--json` file: `[{check, status, evidence}]`, the evidence being the summary and then one line per request. */
export function toJson(results: readonly CheckResult[]): { check: string; status: string; evidence: string }[] {
    return results.map((r) => ({ check: r.check, status: r.status, evidence: [r.summary, ...r.details].join("\n") }));
}
