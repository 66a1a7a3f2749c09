import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import { componentType } from "./pure/resourceTypes";

/** The Google APIs a guarded endpoint needs (docs/platform-facts.md#model-armor-extension). */
export const ENDPOINT_APIS = [
    "compute.googleapis.com",
    "run.googleapis.com",
    "storage.googleapis.com",
    "iam.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "modelarmor.googleapis.com",
    "networkservices.googleapis.com",
] as const;

/** Arguments of {@link ProjectApis}. */
export interface ProjectApisArgs {
    /** Project whose APIs to enable. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /** API service names, e.g. `"run.googleapis.com"`. @default {@link ENDPOINT_APIS} */
    readonly apis?: readonly string[];
}

/**
 * Enables APIs on a project and never disables them: other workloads in the project may rely on them, so a
 * `pulumi destroy` of an endpoint must not switch them off.
 */
export class ProjectApis extends pulumi.ComponentResource {
    /** One resource per API. */
    public readonly services: gcp.projects.Service[];
    /**
     * The project id, resolved only once every API is enabled. Pass it as `project` to other resources and they
     * are created after the APIs, with the dependency recorded (component `dependsOn` does not reach children).
     */
    public readonly readyProject: pulumi.Output<string>;

    constructor(name: string, args: ProjectApisArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("ProjectApis"), name, {}, opts);
        this.services = [...new Set(args.apis ?? ENDPOINT_APIS)].map(
            (api) =>
                new gcp.projects.Service(
                    `${name}-${api.split(".")[0]}`,
                    { project: args.project, service: api, disableOnDestroy: false, disableDependentServices: false },
                    { parent: this },
                ),
        );
        this.readyProject = pulumi.all(this.services.map((s) => s.project)).apply((projects) => projects[0]);
        this.registerOutputs({ readyProject: this.readyProject });
    }
}
