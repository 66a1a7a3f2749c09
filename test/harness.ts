/**
 * The shared mock harness: one recording mock runtime for the whole suite (installed by `test/setup.ts` before
 * any program code loads), and helpers to build something and read back what it registered.
 */
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigurationError } from "../components/validation";
import { Command, execute } from "../tools/cli";
import { installRecordingRuntime, RecordedResource, settle } from "../tools/mockRuntime";
import { buildPlan, Plan } from "../tools/planner";
import { readStackFile } from "../tools/stackFile";
import { CATALOGUED_TEXTS } from "./fixtures/errorCatalogue";

export const runtime = installRecordingRuntime("guarded-llm", "test");

/**
 * The subject of the gcloud walkthrough's `openssl req -subj "/C=US/ST=CA/L=Mountain View/O=tech/OU=AI/CN=internal.ai"`, written
 * out here rather than imported from the component, so that the tests hold the component to the article.
 */
export const ARTICLE_CERTIFICATE_SUBJECT = {
    country: "US",
    province: "CA",
    locality: "Mountain View",
    organization: "tech",
    organizationalUnit: "AI",
    commonName: "internal.ai",
};

/** What a command-line tool answered. */
export interface CliResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs one of the repository's commands in this process, as its npm script would (`execute` is what `runCommand`
 * runs), and returns what it printed. Commands that plan use the suite's recording runtime.
 */
export async function runCommandHere(command: Command, args: readonly string[], stdin = ""): Promise<CliResult> {
    let stdout = "";
    let stderr = "";
    const status = await execute(command, [...args], {
        out: (text) => (stdout += `${text}\n`),
        err: (text) => (stderr += `${text}\n`),
        readStdin: () => stdin,
    });
    return { status, stdout, stderr };
}

/** Where the shipped stack files are. */
export const STACKS_DIR = path.join(__dirname, "..", "stacks");

const shippedPlans = new Map<string, Promise<Plan>>();

/**
 * The offline plan of a shipped stack (`stacks/Pulumi.<stack>.yaml`), built once for the whole suite: a plan is plain
 * data, so every test reads the same one.
 */
export function shippedPlan(stack: string): Promise<Plan> {
    if (!shippedPlans.has(stack)) {
        shippedPlans.set(
            stack,
            buildPlan(runtime, stack, readStackFile(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`))),
        );
    }
    return shippedPlans.get(stack)!;
}

/** Default provider config of the suite, as a stack file would give it. */
export const TEST_CONFIG: Record<string, string> = { "gcp:project": "test-project", "gcp:region": "us-central1" };

/**
 * Runs `build` under `config` and returns what it returned, every resource it registered and the warnings it logged
 * (recorded, so that a passing suite prints none).
 */
export async function record<T>(
    build: () => T,
    config = TEST_CONFIG,
): Promise<{ result: T; resources: Recorded; warnings: string[] }> {
    runtime.reset();
    pulumi.runtime.setAllConfig(config);
    const result = build();
    await settle();
    const warnings = (await runtime.warnings()).map((w) => w.message);
    return { result, resources: new Recorded(runtime.resources(), warnings), warnings };
}

/** The resources one build registered, with finders that fail loudly. */
export class Recorded {
    /** @param warnings the warnings logged while the resources were registered, in order */
    constructor(
        readonly all: RecordedResource[],
        readonly warnings: string[] = [],
    ) {}

    ofType(type: string): RecordedResource[] {
        return this.all.filter((r) => r.type === type);
    }

    /** The single resource of `type` (and `name`, if given); fails if there is not exactly one. */
    one(type: string, name?: string): RecordedResource {
        const matches = this.ofType(type).filter((r) => name === undefined || r.name === name);
        assert.strictEqual(
            matches.length,
            1,
            `expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}`,
        );
        return matches[0];
    }

    byUrn(urn: string): RecordedResource {
        const found = this.all.find((r) => r.urn === urn);
        assert.ok(found, `no resource with urn ${urn}`);
        return found;
    }

    /** Does `from` depend on `to`, directly or through the dependencies of its dependencies? */
    dependsOn(from: RecordedResource, to: RecordedResource): boolean {
        const seen = new Set<string>();
        const walk = (urn: string): boolean => {
            if (urn === to.urn) return true;
            if (seen.has(urn)) return false;
            seen.add(urn);
            const r = this.all.find((x) => x.urn === urn);
            return (r?.dependencies ?? []).some(walk);
        };
        return from.dependencies.some(walk);
    }
}

/** The value of env var `name` on a Cloud Run container's recorded inputs. */
export function envOf(container: { envs?: { name: string; value: string }[] }, name: string): string | undefined {
    return container.envs?.find((e) => e.name === name)?.value;
}

/**
 * Runs `build`, which must refuse its args: returns the `ConfigurationError`, having checked that nothing at all was
 * registered.
 */
export async function refusal(build: () => unknown): Promise<ConfigurationError> {
    let error: unknown;
    const { resources } = await record(() => {
        try {
            build();
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    assert.strictEqual(resources.all.length, 0, "nothing registered");
    return error;
}

/**
 * Asserts which keys (relative to `<Component> "<name>" args.`) and values were refused, in order, and that each text
 * is one of the error catalogue's (test/fixtures/errorCatalogue.ts).
 */
export function assertProblems(error: ConfigurationError, expected: readonly (readonly [string, unknown?])[]): void {
    const relative = (key: string) => key.replace(/^\w+ "[^"]*" args\./, "");
    assert.deepStrictEqual(
        error.problems.map((p) => (p.value === undefined ? [relative(p.key)] : [relative(p.key), p.value])),
        expected.map((e) => (e[1] === undefined ? [e[0]] : [...e])),
    );
    for (const problem of error.problems) {
        assert.ok(CATALOGUED_TEXTS.has(problem.expected), `not in the error catalogue: ${problem.expected}`);
    }
    assert.strictEqual(
        error.message.split("\n")[0],
        `invalid configuration (${error.problems.length} problem${error.problems.length === 1 ? "" : "s"}):`,
    );
}
