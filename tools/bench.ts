/**
 * `npm run bench [-- --runs N]`: the performance targets measured side by side on this machine, each as the median
 * of N runs (default 5) of a fresh process, the way users run them:
 * - the offline plan of `dev` against the floor, loading `@pulumi/pulumi` and `@pulumi/gcp` alone (target: 1.5x);
 * - a program of five endpoints against one of one, both planned under the same mock runtime (target: 2x);
 * - `npm test`, once (target: 10 s).
 * Timings vary with the machine's load: run it on an idle machine, and compare ratios rather than seconds.
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const LOADER = path.join(__dirname, "register.js");
const ENDPOINTS_FLAG = "--plan-endpoints";

/** Seconds one run of `node args` takes, wall clock, from spawn to exit. */
function timeNode(args: string[]): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs every command `runs` times, interleaved so that a change in the machine's load hits each alike. */
function measure(commands: Record<string, string[]>, runs: number): Record<string, number> {
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
    for (let i = 0; i < runs; i++) {
        for (const [name, args] of Object.entries(commands)) samples[name].push(timeNode(args));
    }
    return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
}

/** Child mode: plans a program of `count` endpoints under the recording mock runtime, as the plan does one. */
async function planEndpoints(count: number): Promise<void> {
    const { installRecordingRuntime, settle } = await import("./mockRuntime");
    const pulumi = await import("@pulumi/pulumi");
    const { GuardedLlmEndpoint } = await import("../components/guardedLlmEndpoint");
    installRecordingRuntime("guarded-llm", "bench");
    pulumi.runtime.setAllConfig({ "gcp:project": "bench-project", "gcp:region": "us-central1" });
    for (let i = 0; i < count; i++) {
        new GuardedLlmEndpoint(`e${i}`, {
            region: "us-central1",
            access: { mode: "public" },
            enableApis: i === 0,
            ollama: { models: ["gemma:2b"] },
            loadBalancer: { network: `vpc-${i}`, proxySubnetCidr: "192.168.16.0/23", tls: { mode: "self-signed" } },
        });
    }
    await settle();
}

function main(): void {
    const endpointsArg = process.argv.indexOf(ENDPOINTS_FLAG);
    if (endpointsArg >= 0) {
        planEndpoints(Number(process.argv[endpointsArg + 1])).catch((e) => {
            console.error(e);
            process.exit(1);
        });
        return;
    }
    const runsArg = process.argv.indexOf("--runs");
    const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;
    if (!Number.isInteger(runs) || runs < 1) {
        console.error("usage: npm run bench [-- --runs N]");
        process.exit(2);
    }
    const self = ["-r", LOADER, __filename];
    const t = measure(
        {
            floor: ["-e", 'require("@pulumi/pulumi"); require("@pulumi/gcp")'],
            planDev: ["-r", LOADER, path.join(__dirname, "plan.ts"), "--stack", "dev"],
            oneEndpoint: [...self, ENDPOINTS_FLAG, "1"],
            fiveEndpoints: [...self, ENDPOINTS_FLAG, "5"],
        },
        runs,
    );
    const testStart = process.hrtime.bigint();
    const test = spawnSync("npm", ["test", "--silent"], { cwd: ROOT, encoding: "utf8" });
    const testSeconds = Number(process.hrtime.bigint() - testStart) / 1e9;
    const cpu = os.cpus();
    const s = (x: number) => `${x.toFixed(2)} s`;
    const row = (what: string, value: string, target: string, ok: boolean) =>
        `  ${what.padEnd(44)} ${value.padEnd(28)} target ${target.padEnd(8)} ${ok ? "ok" : "MISSED"}`;
    console.log(
        [
            `bench: median of ${runs} runs; node ${process.version}; ${cpu.length} x ${cpu[0]?.model ?? "cpu"}; load ${os.loadavg()[0].toFixed(2)}`,
            row(
                "plan of dev / loading the SDK",
                `${(t.planDev / t.floor).toFixed(2)}x (${s(t.planDev)} / ${s(t.floor)})`,
                "<= 1.5x",
                t.planDev / t.floor <= 1.5,
            ),
            row(
                "plan of five endpoints / plan of one",
                `${(t.fiveEndpoints / t.oneEndpoint).toFixed(2)}x (${s(t.fiveEndpoints)} / ${s(t.oneEndpoint)})`,
                "<= 2x",
                t.fiveEndpoints / t.oneEndpoint <= 2,
            ),
            row(
                "npm test",
                `${s(testSeconds)}${test.status === 0 ? "" : " (FAILED)"}`,
                "<= 10 s",
                testSeconds <= 10 && test.status === 0,
            ),
        ].join("\n"),
    );
}

main();
