import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { buildPlan, readStackFile } from "../tools/planner";
import { envOf, Recorded, runtime } from "./harness";

const STACKS_DIR = path.join(__dirname, "..", "stacks");
const STACK_FILES = fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

async function planOf(stack: string): Promise<Recorded> {
    const plan = await buildPlan(runtime, stack, readStackFile(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`)));
    return new Recorded(plan.resources);
}

describe("shipped stacks", () => {
    it("ships dev and prod", () => {
        assert.deepStrictEqual(STACK_FILES.sort(), ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]);
    });

    for (const file of STACK_FILES) {
        const stack = file.slice("Pulumi.".length, -".yaml".length);
        describe(`${stack} stack`, () => {
            it("builds, with every regional resource in gcp:region and the service locked to the load balancer", async () => {
                const config = readStackFile(path.join(STACKS_DIR, file)).config;
                const r = await planOf(stack);
                for (const res of r.all.filter((x) => x.custom)) {
                    const location = res.inputs.location ?? res.inputs.region;
                    if (location !== undefined) assert.strictEqual(location.toLowerCase(), config["gcp:region"], res.urn);
                    if (res.inputs.project !== undefined) assert.strictEqual(res.inputs.project, config["gcp:project"], res.urn);
                }
                for (const service of r.ofType("gcp:cloudrunv2/service:Service")) {
                    assert.strictEqual(service.inputs.ingress, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER");
                    assert.strictEqual(service.inputs.defaultUriDisabled, true);
                    assert.doesNotMatch(service.inputs.template.containers[0].image, /:latest$|^[^:]+$/);
                }
            });

            it("grants nothing to allUsers or allAuthenticatedUsers and uses no default service account", async () => {
                const r = await planOf(stack);
                const text = JSON.stringify(r.all.map((x) => x.inputs));
                assert.doesNotMatch(text, /allUsers|allAuthenticatedUsers|-compute@developer\.gserviceaccount\.com/);
                for (const run of [...r.ofType("gcp:cloudrunv2/service:Service")]) {
                    assert.match(run.inputs.template.serviceAccount, /@.+\.iam\.gserviceaccount\.com$/);
                }
            });
        });
    }

    it("dev reproduces every Cloud Run setting of the article's gcloud run deploy", async () => {
        const r = await planOf("dev");
        const service = r.one("gcp:cloudrunv2/service:Service").inputs;
        const t = service.template;
        const c = t.containers[0];
        assert.deepStrictEqual(
            {
                region: service.location,
                cpu: c.resources.limits.cpu,
                memory: c.resources.limits.memory,
                gpu: c.resources.limits["nvidia.com/gpu"],
                gpuType: t.nodeSelector.accelerator,
                noGpuZonalRedundancy: t.gpuZonalRedundancyDisabled,
                port: c.ports.containerPort,
                timeout: t.timeout,
                concurrency: t.maxInstanceRequestConcurrency,
                numParallel: envOf(c, "OLLAMA_NUM_PARALLEL"),
                noCpuThrottling: c.resources.cpuIdle === false,
                maxInstances: t.scaling.maxInstanceCount,
                minInstances: t.scaling.minInstanceCount,
                mountPath: c.volumeMounts[0].mountPath,
                volume: c.volumeMounts[0].name,
            },
            {
                region: "us-central1", cpu: "4", memory: "16Gi", gpu: "1", gpuType: "nvidia-l4", noGpuZonalRedundancy: true,
                port: 11434, timeout: "600s", concurrency: 4, numParallel: "4", noCpuThrottling: true, maxInstances: 1,
                minInstances: 0, mountPath: "/root/.ollama/models", volume: "ollama-model",
            },
        );
        // --allow-unauthenticated becomes "no IAM check behind the load balancer", never an allUsers grant.
        assert.strictEqual(service.invokerIamDisabled, true);
        assert.deepStrictEqual(r.one("gcp:cloudrunv2/job:Job").inputs.template.template.containers[0].args, ["gemma:2b"]);
    });

    it("prod keeps one instance warm with a pinned image and more concurrency per GPU", async () => {
        const t = (await planOf("prod")).one("gcp:cloudrunv2/service:Service").inputs.template;
        assert.strictEqual(t.scaling.minInstanceCount, 1);
        assert.strictEqual(t.maxInstanceRequestConcurrency, 8);
        assert.strictEqual(envOf(t.containers[0], "OLLAMA_NUM_PARALLEL"), "8");
        assert.match(t.containers[0].image, /^ollama\/ollama:\d+\.\d+\.\d+$/);
    });
});
