import * as assert from "assert";
import { BENCH_TARGETS, benchExitCode, benchRows, median, parseBenchArgs, renderBench } from "../tools/benchReport";
import { UsageError } from "../tools/cli";

const MEASURED = {
    floor: 0.8,
    planDev: 1.2,
    oneService: 1.0,
    fiveServices: 2.5,
    testSeconds: 9.5,
    testPassed: true,
};

describe("bench (npm run bench)", () => {
    it("judges each ratio and the test time against its target", () => {
        assert.deepStrictEqual(benchRows(MEASURED), [
            {
                what: "plan of dev / loading the SDK",
                value: "1.50x (1.20 s / 0.80 s)",
                target: "<= 1.5x",
                met: true,
            },
            {
                what: "plan of a five-service gateway / plan of one service",
                value: "2.50x (2.50 s / 1.00 s)",
                target: "<= 2x",
                met: false,
            },
            { what: "npm test", value: "9.50 s", target: "<= 10 s", met: true },
        ]);
    });

    it("misses the test target when the suite fails, however fast", () => {
        const [, , test] = benchRows({ ...MEASURED, testSeconds: 1, testPassed: false });
        assert.deepStrictEqual([test.value, test.met], ["1.00 s (FAILED)", false]);
        const [, , slow] = benchRows({ ...MEASURED, testSeconds: BENCH_TARGETS.testSeconds + 0.01 });
        assert.strictEqual(slow.met, false);
    });

    it("prints one row per target under the header, ok or MISSED", () => {
        const lines = renderBench("bench: header", benchRows(MEASURED)).split("\n");
        assert.strictEqual(lines[0], "bench: header");
        assert.deepStrictEqual(
            lines.slice(1).map((l) => l.trim().split(/\s+/).pop()),
            ["ok", "MISSED", "ok"],
        );
    });

    it("exits 1 when a target is missed, 0 when every one is met", () => {
        assert.strictEqual(benchExitCode(benchRows(MEASURED)), 1);
        assert.strictEqual(benchExitCode(benchRows({ ...MEASURED, fiveServices: 1.5 })), 0);
    });

    it("takes the median of an odd or even number of runs", () => {
        assert.strictEqual(median([3, 1, 2]), 2);
        assert.strictEqual(median([4, 1, 3, 2]), 2.5);
    });

    it("takes --runs as a whole number of at least 1, and says what is wrong otherwise", () => {
        assert.deepStrictEqual(parseBenchArgs([]), { runs: 5 });
        assert.deepStrictEqual(parseBenchArgs(["--runs", "3"]), { runs: 3 });
        for (const [argv, message] of [
            [["--runs", "0"], '--runs = "0": must be a whole number of at least 1'],
            [["--runs", "2.5"], '--runs = "2.5": must be a whole number of at least 1'],
            [["--runs"], "--runs needs a value"],
            [["--runs", "3", "--fast"], 'unknown arguments "--runs 3 --fast"'],
            [["--fast"], 'unknown arguments "--fast"'],
        ] as const) {
            assert.throws(
                () => parseBenchArgs(argv),
                (e: unknown) => e instanceof UsageError && e.message === message,
            );
        }
    });
});
