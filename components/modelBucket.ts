import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import { bucketNameProblem } from "./naming";
import { componentType } from "./pure/resourceTypes";
import { checkComponentArgs, declareArgKeys, definedOnly, Problems } from "./validation";

/** Arguments of {@link ModelBucket}. */
export interface ModelBucketArgs {
    /** Region of the bucket; put it in the Cloud Run region so model loads stay in-region. */
    readonly location: string;
    /** Project of the bucket. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /**
     * Physical bucket name (globally unique). @default Pulumi auto-naming from the resource name, which avoids
     * collisions with buckets in other projects
     */
    readonly bucketName?: pulumi.Input<string>;
    /**
     * Protect the bucket from `pulumi destroy` and from replacements: re-pulling models costs time and egress.
     * @default true
     */
    readonly protect?: boolean;
    /** Leave the bucket in GCP when it is removed from the program. @default false */
    readonly retainOnDelete?: boolean;
    /** Labels on the bucket. @default none */
    readonly labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Object roles granted by the helpers: nothing here can change bucket settings or its IAM policy. */
export const BUCKET_READ_ROLE = "roles/storage.objectViewer";
export const BUCKET_READ_WRITE_ROLE = "roles/storage.objectUser";

const MODEL_BUCKET_ARG_KEYS = declareArgKeys<ModelBucketArgs>()({
    config: [],
    codeOnly: ["location", "project", "bucketName", "protect", "retainOnDelete", "labels"],
});
const MODEL_BUCKET_DEFAULTS = { protect: true, retainOnDelete: false };

export function validateModelBucketArgs(args: ModelBucketArgs, problems: Problems): void {
    problems.knownKeys(args as object as Record<string, unknown>, MODEL_BUCKET_ARG_KEYS.codeOnly);
    problems.region("location", args.location);
    if (typeof args.bucketName === "string") {
        const problem = bucketNameProblem(args.bucketName, false);
        if (problem) problems.add("bucketName", args.bucketName, problem);
    }
    if (args.protect !== undefined) problems.boolean("protect", args.protect);
    if (args.retainOnDelete !== undefined) problems.boolean("retainOnDelete", args.retainOnDelete);
}

/**
 * Grants `role` on one bucket to one member. The single place bucket grants are made, for {@link ModelBucket}'s
 * helpers and for components given the name of a bucket they do not own.
 */
export function grantBucketRole(
    name: string,
    bucket: pulumi.Input<string>,
    role: typeof BUCKET_READ_ROLE | typeof BUCKET_READ_WRITE_ROLE,
    member: pulumi.Input<string>,
    opts?: pulumi.CustomResourceOptions,
): gcp.storage.BucketIAMMember {
    return new gcp.storage.BucketIAMMember(name, { bucket, role, member }, opts);
}

/**
 * The Cloud Storage bucket that holds Ollama's model files: uniform bucket-level access, public access prevention
 * enforced, never force-destroyed, protected by default.
 */
export class ModelBucket extends pulumi.ComponentResource {
    /** The bucket resource. */
    public readonly bucket: gcp.storage.Bucket;
    /** The bucket's name, for volume mounts and IAM. */
    public readonly bucketName: pulumi.Output<string>;

    constructor(name: string, args: ModelBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs("ModelBucket", name, args, validateModelBucketArgs, undefined, (n) =>
            args.bucketName === undefined ? bucketNameProblem(n, true) : undefined,
        );
        super(componentType("ModelBucket"), name, {}, opts);

        const { protect, retainOnDelete } = { ...MODEL_BUCKET_DEFAULTS, ...definedOnly(args) };
        this.bucket = new gcp.storage.Bucket(
            name,
            {
                name: args.bucketName,
                project: args.project,
                location: args.location.toUpperCase(),
                storageClass: "STANDARD",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                // A bucket of model files must never vanish with its contents on a stray destroy.
                forceDestroy: false,
                labels: args.labels,
            },
            { parent: this, protect, retainOnDelete },
        );
        this.bucketName = this.bucket.name;
        this.registerOutputs({ bucketName: this.bucketName });
    }

    /** Lets `member` (e.g. `serviceAccount:x@p.iam.gserviceaccount.com`) read objects in this bucket only. */
    grantRead(name: string, member: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions) {
        return grantBucketRole(name, this.bucketName, BUCKET_READ_ROLE, member, { parent: this, ...opts });
    }

    /** Lets `member` read, create and delete objects in this bucket only (not change the bucket or its IAM). */
    grantReadWrite(name: string, member: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions) {
        return grantBucketRole(name, this.bucketName, BUCKET_READ_WRITE_ROLE, member, { parent: this, ...opts });
    }
}
