/** Cloud Storage: the model bucket (and any other) private, uniformly controlled and never force-destroyed. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../components/pure/resourceTypes";
import { isKnown, quote } from "../components/pure/values";
import { Props, forTypes } from "./values";

/** One bucket setting: what it must be, and why. */
interface BucketRule {
    readonly field: string;
    readonly ok: (value: unknown) => boolean;
    readonly required: string;
    readonly why: string;
}

const BUCKET_RULES: readonly BucketRule[] = [
    {
        field: "uniformBucketLevelAccess",
        ok: (v) => v === true,
        required: "true",
        why: "without it, per-object ACLs can grant access that the bucket's IAM policy does not show",
    },
    {
        // The API default is "inherited": public unless an organization policy says otherwise.
        field: "publicAccessPrevention",
        ok: (v) => v === "enforced",
        required: '"enforced"',
        why: "otherwise a single allUsers grant publishes every model file",
    },
    {
        field: "forceDestroy",
        ok: (v) => v !== true,
        required: "false (or unset)",
        why: "true deletes every object with the bucket on a stray destroy or replacement",
    },
];

export const storageBucketLockedDown: ResourceValidationPolicy = {
    name: "storage-bucket-locked-down",
    description:
        "Cloud Storage buckets use uniform bucket-level access, enforce public access prevention and are not " +
        "force-destroyed.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([TYPES.bucket], (props: Props, report) => {
        for (const rule of BUCKET_RULES) {
            const value = props[rule.field];
            if (!isKnown(value) || rule.ok(value)) continue;
            report(
                `${rule.field} is ${quote(value)}: ${rule.why}. Fix: set ${rule.field} to ${rule.required} (ModelBucket does).`,
            );
        }
    }),
};

export const storagePolicies = [storageBucketLockedDown];
