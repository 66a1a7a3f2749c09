/**
 * What `npm run bench` judges: its targets, written once, and the report it prints. Kept apart from the
 * measuring so that tests can hold the arithmetic without timing anything.
 */
import { UsageError } from "./cli";

export const BENCH_USAGE = "usage: npm run bench [-- --runs N]";

/** How many fresh processes each measurement takes the median of, unless `--runs` says otherwise. */
export const DEFAULT_RUNS = 5;

/** The targets of issue "Fast where users wait": two ratios, and the test command in seconds. */
export const BENCH_TARGETS = {
    planOverSdk: 1.5,
    fiveServicesOverOne: 2,
    testSeconds: 10,
} as const;

/** Median seconds of each measured command, and how the test command went. */
export interface BenchMeasurements {
    /** Loading `@pulumi/pulumi` and `@pulumi/gcp` alone. */
    floor: number;
    planDev: number;
    oneService: number;
    fiveServices: number;
    testSeconds: number;
    testPassed: boolean;
}

export interface BenchRow {
    what: string;
    value: string;
    target: string;
    met: boolean;
}

/** The bench's arguments: `--runs N`, a whole number of at least 1. */
export function parseBenchArgs(argv: readonly string[]): { runs: number } {
    if (argv.length === 0) return { runs: DEFAULT_RUNS };
    if (argv.length === 1 && argv[0] === "--runs") throw new UsageError("--runs needs a value");
    if (argv[0] !== "--runs" || argv.length !== 2) throw new UsageError(`unknown arguments "${argv.join(" ")}"`);
    const runs = Number(argv[1]);
    if (!Number.isInteger(runs) || runs < 1) {
        throw new UsageError(`--runs = "${argv[1]}": must be a whole number of at least 1`);
    }
    return { runs };
}

export function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const seconds = (x: number) => `${x.toFixed(2)} s`;

function ratioRow(what: string, over: number, under: number, target: number): BenchRow {
    const ratio = over / under;
    return {
        what,
        value: `${ratio.toFixed(2)}x (${seconds(over)} / ${seconds(under)})`,
        target: `<= ${target}x`,
        met: ratio <= target,
    };
}

/** Each target with what was measured against it. */
export function benchRows(m: BenchMeasurements): BenchRow[] {
    return [
        ratioRow("plan of dev / loading the SDK", m.planDev, m.floor, BENCH_TARGETS.planOverSdk),
        ratioRow(
            "plan of a five-service gateway / plan of one service",
            m.fiveServices,
            m.oneService,
            BENCH_TARGETS.fiveServicesOverOne,
        ),
        {
            what: "npm test",
            value: `${seconds(m.testSeconds)}${m.testPassed ? "" : " (FAILED)"}`,
            target: `<= ${BENCH_TARGETS.testSeconds} s`,
            met: m.testPassed && m.testSeconds <= BENCH_TARGETS.testSeconds,
        },
    ];
}

/** 0 when every target is met, 1 when one is missed. */
export function benchExitCode(rows: readonly BenchRow[]): number {
    return rows.every((r) => r.met) ? 0 : 1;
}

/** The rows as the bench prints them, under a header that says what machine and load they were measured on. */
export function renderBench(header: string, rows: readonly BenchRow[]): string {
    const width = (pick: (r: BenchRow) => string) => Math.max(...rows.map((r) => pick(r).length));
    const [what, value, target] = [width((r) => r.what), width((r) => r.value), width((r) => r.target)];
    const line = (r: BenchRow) =>
        `  ${r.what.padEnd(what)}  ${r.value.padEnd(value)}  target ${r.target.padEnd(target)}  ${r.met ? "ok" : "MISSED"}`;
    return [header, ...rows.map(line)].join("\n");
}
