import * as assert from "assert";
import { DEFAULT_OLLAMA_IMAGE, OllamaService, OllamaServiceArgs } from "../components";
import { assertProblems, envOf, record, Recorded, refusal } from "./harness";
import { TYPES } from "../components/pure/resourceTypes";

const SERVICE = TYPES.cloudRunService;
const JOB = TYPES.cloudRunJob;
const ACCOUNT = TYPES.serviceAccount;
const GRANT = TYPES.bucketIamMember;

async function build(args: Partial<OllamaServiceArgs> = {}): Promise<Recorded> {
    const { resources } = await record(
        () => new OllamaService("llm", { region: "us-central1", modelBucketName: "models-bucket", ...args }),
    );
    return resources;
}

const container = (r: Recorded) => r.one(SERVICE).inputs.template.containers[0];
const jobContainer = (r: Recorded) => r.one(JOB).inputs.template.template.containers[0];

describe("OllamaService", () => {
    it("defaults to the article's Cloud Run settings: L4, 4 CPU, 16Gi, port 11434, 600 s, concurrency 4, 0..1 instances", async () => {
        const r = await build();
        const t = r.one(SERVICE).inputs.template;
        assert.deepStrictEqual(t.containers[0].resources.limits, { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" });
        assert.deepStrictEqual(t.nodeSelector, { accelerator: "nvidia-l4" });
        assert.strictEqual(t.gpuZonalRedundancyDisabled, true);
        assert.strictEqual(t.containers[0].ports.containerPort, 11434);
        assert.strictEqual(t.timeout, "600s");
        assert.strictEqual(t.maxInstanceRequestConcurrency, 4);
        assert.deepStrictEqual(t.scaling, { minInstanceCount: 0, maxInstanceCount: 1 });
        assert.strictEqual(envOf(t.containers[0], "OLLAMA_NUM_PARALLEL"), "4");
    });

    it("keeps CPU allocated (required for GPUs), boosts start-up CPU and runs the second-generation environment", async () => {
        const r = await build();
        assert.strictEqual(container(r).resources.cpuIdle, false);
        assert.strictEqual(container(r).resources.startupCpuBoost, true);
        assert.strictEqual(r.one(SERVICE).inputs.template.executionEnvironment, "EXECUTION_ENVIRONMENT_GEN2");
    });

    it("admits only load balancer traffic, with no IAM invoker check and no run.app URL", async () => {
        const r = await build();
        const s = r.one(SERVICE).inputs;
        assert.strictEqual(s.ingress, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER");
        assert.strictEqual(s.invokerIamDisabled, true);
        assert.strictEqual(s.defaultUriDisabled, true);
        assert.ok(!r.ofType(TYPES.cloudRunServiceIamMember).length, "no invoker grant");
    });

    it("sets no launch stage: every field it uses is GA, and a BETA the API reads back as GA would diff forever", async () => {
        for (const r of [await build(), await build({ enableRunAppUrl: true })]) {
            assert.strictEqual(r.one(SERVICE).inputs.launchStage, undefined);
            assert.strictEqual(r.one(TYPES.cloudRunJob).inputs.launchStage, undefined);
        }
    });

    it("opens ingress to the internet only through the explicitly insecure option", async () => {
        const r = await build({ insecureAllowAllIngress: true, enableRunAppUrl: true });
        assert.strictEqual(r.one(SERVICE).inputs.ingress, "INGRESS_TRAFFIC_ALL");
        assert.strictEqual(r.one(SERVICE).inputs.defaultUriDisabled, false);
    });

    it("starts loading the first declared model as soon as Ollama is up, with the server as the main process", async () => {
        const c = container(await build({ models: ["gemma:2b", "llama3.1:8b"] }));
        assert.deepStrictEqual(c.commands.slice(0, 2), ["/bin/sh", "-c"]);
        assert.match(c.commands[2], /until ollama list .*\n.*ollama run "\$model" ""/s);
        assert.match(c.commands[2], /\nexec ollama serve$/);
        assert.deepStrictEqual(c.args, ["gemma:2b"]);
        assert.strictEqual(
            c.startupProbe.tcpSocket.port,
            11434,
            "the port opens before the model is loaded: no probe can wait",
        );
        assert.deepStrictEqual(
            container(await build({ models: ["gemma:2b", "phi3"], preloadModels: ["phi3", "gemma:2b"] })).args,
            ["phi3", "gemma:2b"],
        );
        const none = container(await build({ models: ["gemma:2b"], preloadModels: [] }));
        assert.deepStrictEqual([none.commands, none.args], [undefined, undefined], "the image's own entrypoint");
    });

    it("preloads only declared models", async () => {
        const error = await refusal(
            () =>
                new OllamaService("llm", {
                    region: "us-central1",
                    modelBucketName: "b",
                    models: ["gemma:2b"],
                    preloadModels: ["phi3"],
                }),
        );
        assertProblems(error, [["preloadModels[0]", "phi3"]]);
    });

    it("mounts the model bucket read-only at OLLAMA_MODELS and keeps models loaded", async () => {
        const r = await build({ modelsMountPath: "/models" });
        const t = r.one(SERVICE).inputs.template;
        assert.deepStrictEqual(t.volumes, [
            { name: "ollama-model", gcs: { bucket: "models-bucket", readOnly: true, mountOptions: ["implicit-dirs"] } },
        ]);
        assert.deepStrictEqual(t.containers[0].volumeMounts, [{ name: "ollama-model", mountPath: "/models" }]);
        assert.strictEqual(envOf(t.containers[0], "OLLAMA_MODELS"), "/models");
        assert.strictEqual(envOf(t.containers[0], "OLLAMA_KEEP_ALIVE"), "-1");
        assert.strictEqual(envOf(t.containers[0], "OLLAMA_HOST"), "0.0.0.0:11434");
    });

    it("starts on a read-only mount: pruning is off and the job creates the model directories first", async () => {
        const r = await build();
        assert.strictEqual(envOf(container(r), "OLLAMA_NOPRUNE"), "true");
        assert.ok(r.dependsOn(r.one(SERVICE), r.one(JOB)), "service waits for the pull job");
        assert.match(jobContainer(r).commands[2], /ollama serve/);
    });

    it("uses a TCP start-up probe on the container port within Cloud Run's 240 s limits", async () => {
        const probe = container(await build({ port: 8080 })).startupProbe;
        assert.deepStrictEqual(probe.tcpSocket, { port: 8080 });
        assert.ok(probe.periodSeconds <= 240 && probe.initialDelaySeconds <= 240);
        assert.ok(probe.timeoutSeconds <= probe.periodSeconds);
        assert.ok(probe.periodSeconds * probe.failureThreshold >= 120, "room to start a cold GPU instance");
    });

    it("pins a default image and never uses latest", async () => {
        assert.strictEqual(container(await build()).image, DEFAULT_OLLAMA_IMAGE);
        assert.doesNotMatch(DEFAULT_OLLAMA_IMAGE, /latest/);
    });

    it("sets OLLAMA_NUM_PARALLEL to the concurrency unless given", async () => {
        assert.strictEqual(envOf(container(await build({ concurrency: 8 })), "OLLAMA_NUM_PARALLEL"), "8");
        assert.strictEqual(
            envOf(container(await build({ concurrency: 8, numParallel: 4 })), "OLLAMA_NUM_PARALLEL"),
            "4",
        );
    });

    it("defaults CPU and memory to the RTX PRO 6000 minimum when that GPU is chosen", async () => {
        const r = await build({ gpuType: "nvidia-rtx-pro-6000" });
        assert.deepStrictEqual(container(r).resources.limits, { cpu: "20", memory: "80Gi", "nvidia.com/gpu": "1" });
        assert.deepStrictEqual(r.one(SERVICE).inputs.template.nodeSelector, { accelerator: "nvidia-rtx-pro-6000" });
    });

    it("runs as a dedicated service account that can only read the model bucket", async () => {
        const r = await build();
        const runAccount = r.one(ACCOUNT, "llm-run");
        const email = `${runAccount.inputs.accountId}@test-project.iam.gserviceaccount.com`;
        assert.strictEqual(r.one(SERVICE).inputs.template.serviceAccount, email);
        const grants = r.ofType(GRANT).filter((g) => g.inputs.member === `serviceAccount:${email}`);
        assert.deepStrictEqual(
            grants.map((g) => [g.inputs.bucket, g.inputs.role]),
            [["models-bucket", "roles/storage.objectViewer"]],
        );
        assert.ok(r.dependsOn(r.one(SERVICE), grants[0]), "the service starts after it can read the bucket");
    });

    it("pulls the declared models with a job of its own identity that can only write the model bucket", async () => {
        const r = await build({ models: ["gemma:2b", "llama3.1:8b"] });
        const job = r.one(JOB).inputs.template.template;
        const pullEmail = `${r.one(ACCOUNT, "llm-pull").inputs.accountId}@test-project.iam.gserviceaccount.com`;
        assert.strictEqual(job.serviceAccount, pullEmail);
        assert.deepStrictEqual(job.containers[0].args, ["gemma:2b", "llama3.1:8b"]);
        assert.strictEqual(job.containers[0].image, DEFAULT_OLLAMA_IMAGE);
        assert.deepStrictEqual(job.volumes[0].gcs, {
            bucket: "models-bucket",
            readOnly: false,
            mountOptions: ["implicit-dirs"],
        });
        const grants = r.ofType(GRANT).filter((g) => g.inputs.member === `serviceAccount:${pullEmail}`);
        assert.deepStrictEqual(
            grants.map((g) => g.inputs.role),
            ["roles/storage.objectUser"],
        );
        assert.ok(r.dependsOn(r.one(JOB), grants[0]));
    });

    it("gives the pull every attempt's time: the create waits for the task timeout times the attempts, plus a margin", async () => {
        const r = await build({ pullJob: { timeoutSeconds: 1800 } });
        assert.strictEqual(r.one(JOB).inputs.template.template.maxRetries, 1);
        assert.strictEqual(r.one(JOB).inputs.template.template.timeout, "1800s");
        assert.deepStrictEqual(r.one(JOB).customTimeouts, { create: "70m", update: "70m" });
    });

    it("starts the first pull once the bucket grants have had time to propagate, and only the first", async () => {
        const r = await build();
        const wait = r.one(TYPES.timeSleep);
        assert.strictEqual(wait.inputs.createDuration, "120s");
        for (const grant of r.ofType(GRANT)) assert.ok(r.dependsOn(wait, grant), `the wait follows ${grant.name}`);
        assert.deepStrictEqual(Object.keys(wait.inputs.triggers), ["grant0", "grant1"]);
        assert.ok(r.one(JOB).dependencies.includes(wait.urn), "the job waits for it");
        const none = await build({ pullJob: { grantPropagationSeconds: 0 } });
        assert.strictEqual(none.ofType(TYPES.timeSleep).length, 0);
        assert.ok(none.ofType(GRANT).every((g) => none.dependsOn(none.one(JOB), g)));
    });

    it("derives the run token from the model list: a changed list runs the job again, the same list does not", async () => {
        const token = async (models: string[]) => (await build({ models })).one(JOB).inputs.runExecutionToken;
        const first = await token(["gemma:2b"]);
        assert.strictEqual(await token(["gemma:2b"]), first);
        assert.notStrictEqual(await token(["gemma:2b", "phi3:mini"]), first);
        assert.match(first, /^m-[0-9a-f]{12}$/);
    });

    it("names service accounts within GCP's 6-30 character limit even for long component names", async () => {
        const { resources } = await record(
            () => new OllamaService("a-29-character-component-name", { region: "us-central1", modelBucketName: "b" }),
        );
        for (const account of resources.ofType(ACCOUNT)) {
            assert.match(account.inputs.accountId, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
        }
    });

    it("refuses a name whose generated job name and run token would pass GCP's 63 characters", async () => {
        const name = "a-very-long-component-name-for-an-endpoint";
        assertProblems(await refusal(() => new OllamaService(name, { region: "us-central1", modelBucketName: "b" })), [
            ["OllamaService name", name],
        ]);
    });

    it("refuses bad args with every problem at once, before registering anything", async () => {
        const error = await refusal(
            () =>
                new OllamaService("llm", {
                    region: "us-west1",
                    modelBucketName: "b",
                    cpu: 2,
                    memory: "8Gi",
                    image: "ollama/ollama:latest",
                }),
        );
        assertProblems(error, [
            ["region", "us-west1"],
            ["cpu", 2],
            ["memory", "8Gi"],
            ["image", "ollama/ollama:latest"],
        ]);
    });
});
