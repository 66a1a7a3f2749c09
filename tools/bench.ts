/**
 * `npm run bench [-- --runs N]`: the performance targets measured side by side on this machine, each as the median
 * of N runs (default 5) of a fresh process, the way users run them:
 * - the offline plan of `dev` against the floor, loading `@pulumi/pulumi` and `@pulumi/gcp` alone (target: 1.5x);
 * - a gateway of five services against one of one, both planned under the same mock runtime (target: 2x);
 * - `npm test`, once (target: 10 s).
 * Timings vary with the machine's load: run it on an idle machine, and compare ratios rather than seconds. Exits 1
 * when a target is missed, 2 on wrong usage.
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { benchExitCode, benchRows, BENCH_USAGE, median, parseBenchArgs, renderBench } from "./benchReport";
import { CommandIo, runCommand } from "./cli";

const ROOT = path.join(__dirname, "..");
const LOADER = path.join(__dirname, "register.js");
const SERVICES_FLAG = "--plan-services";

/** Seconds one run of `node args` takes, wall clock, from spawn to exit. */
function timeNode(args: string[]): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs every command `runs` times, interleaved so that a change in the machine's load hits each alike. */
function measure(commands: Record<string, string[]>, runs: number): Record<string, number> {
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
    for (let i = 0; i < runs; i++) {
        for (const [name, args] of Object.entries(commands)) samples[name].push(timeNode(args));
    }
    return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
}

/**
 * Child mode: plans a gateway of `count` services, each with its own templates, under the recording mock runtime, as
 * the plan does a stack.
 */
async function planServices(count: number): Promise<void> {
    const { installRecordingRuntime, settle } = await import("./mockRuntime");
    const pulumi = await import("@pulumi/pulumi");
    const { GuardedLlmGateway } = await import("../components/guardedLlmGateway");
    installRecordingRuntime("guarded-llm", "bench");
    pulumi.runtime.setAllConfig({ "gcp:project": "bench-project", "gcp:region": "us-central1" });
    const services = Object.fromEntries(
        Array.from({ length: count }, (_, i) => [
            `s${i}`,
            { host: `s${i}.example.com`, models: [`model${i}:2b`], modelArmor: { preset: "strict" as const } },
        ]),
    );
    new GuardedLlmGateway("bench", {
        region: "us-central1",
        access: { mode: "public" },
        enableApis: true,
        services,
        loadBalancer: { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "self-signed" } },
    });
    await settle();
}

async function main(argv: string[], io: CommandIo): Promise<number> {
    const servicesArg = argv.indexOf(SERVICES_FLAG);
    if (servicesArg >= 0) {
        await planServices(Number(argv[servicesArg + 1]));
        return 0;
    }
    const { runs } = parseBenchArgs(argv);
    const self = ["-r", LOADER, __filename];
    const t = measure(
        {
            floor: ["-e", 'require("@pulumi/pulumi"); require("@pulumi/gcp")'],
            planDev: ["-r", LOADER, path.join(__dirname, "plan.ts"), "--stack", "dev"],
            oneService: [...self, SERVICES_FLAG, "1"],
            fiveServices: [...self, SERVICES_FLAG, "5"],
        },
        runs,
    );
    const testStart = process.hrtime.bigint();
    const test = spawnSync("npm", ["test", "--silent"], { cwd: ROOT, encoding: "utf8" });
    const testSeconds = Number(process.hrtime.bigint() - testStart) / 1e9;
    const cpu = os.cpus();
    const rows = benchRows({
        floor: t.floor,
        planDev: t.planDev,
        oneService: t.oneService,
        fiveServices: t.fiveServices,
        testSeconds,
        testPassed: test.status === 0,
    });
    const header = `bench: median of ${runs} runs; node ${process.version}; ${cpu.length} x ${cpu[0]?.model ?? "cpu"}; load ${os.loadavg()[0].toFixed(2)}`;
    io.out(renderBench(header, rows));
    return benchExitCode(rows);
}

runCommand({ name: "bench", usage: BENCH_USAGE, main }, module);
