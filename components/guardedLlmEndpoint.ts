import * as pulumi from "@pulumi/pulumi";
import { ModelBucket } from "./modelBucket";
import { ENDPOINT_APIS, ProjectApis } from "./projectApis";
import { OllamaService, OllamaServiceArgs, validateOllamaServiceArgs } from "./ollamaService";
import { Problems } from "./validation";

/** Arguments of {@link GuardedLlmEndpoint}. */
export interface GuardedLlmEndpointArgs {
    /** The one region of every regional resource (Cloud Run, load balancer, Model Armor templates). */
    readonly region: string;
    /** Project of every resource. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /** The Ollama service. @default the {@link OllamaServiceArgs} defaults */
    readonly ollama?: Omit<OllamaServiceArgs, "region" | "project" | "modelBucketName">;
    /**
     * An existing bucket for the model files; the endpoint grants itself access to it but does not manage it.
     * @default a new, protected {@link ModelBucket}
     */
    readonly existingModelBucketName?: pulumi.Input<string>;
    /**
     * Enable the APIs the endpoint needs ({@link ENDPOINT_APIS}) and create everything after them. APIs are never
     * disabled on destroy. @default false
     */
    readonly enableApis?: boolean;
}

/** The whole guarded LLM endpoint from one args object; what the stacks build. */
export class GuardedLlmEndpoint extends pulumi.ComponentResource {
    /** The model bucket, unless an existing one was given. */
    public readonly modelBucket?: ModelBucket;
    /** Name of the bucket holding the model files. */
    public readonly modelBucketName: pulumi.Output<string>;
    /** The Ollama service and its model-pull job. */
    public readonly ollama: OllamaService;
    /** The enabled APIs, when `enableApis` is set. */
    public readonly apis?: ProjectApis;

    constructor(name: string, args: GuardedLlmEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = new Problems(`GuardedLlmEndpoint "${name}" args.`);
        validateOllamaServiceArgs(
            { ...args.ollama, region: args.region, modelBucketName: "" },
            problems.under("ollama.", { region: problems.key("region") }),
        );
        if (args.enableApis !== undefined) problems.boolean("enableApis", args.enableApis);
        problems.check();
        super("guarded-llm:index:GuardedLlmEndpoint", name, {}, opts);

        if (args.enableApis) this.apis = new ProjectApis(`${name}-apis`, { project: args.project, apis: ENDPOINT_APIS }, { parent: this });
        // Every child takes its project from here: with APIs enabled, it resolves only once they are.
        const project = this.apis?.readyProject ?? args.project;
        if (args.existingModelBucketName === undefined) {
            this.modelBucket = new ModelBucket(`${name}-models`, { location: args.region, project }, { parent: this });
        }
        this.modelBucketName = this.modelBucket?.bucketName ?? pulumi.output(args.existingModelBucketName!);
        this.ollama = new OllamaService(
            `${name}-ollama`,
            { ...args.ollama, region: args.region, project, modelBucketName: this.modelBucketName },
            { parent: this },
        );
        this.registerOutputs({ modelBucketName: this.modelBucketName, serviceName: this.ollama.serviceName });
    }
}
