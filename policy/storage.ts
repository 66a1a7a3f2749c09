/** Cloud Storage: the model bucket (and any other) private, uniformly controlled and never force-destroyed. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../components/pure/resourceTypes";
import { isKnown, listOf, quote } from "../components/pure/values";
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

/** ACL resources that name one entity (`entity`), and those that list `ROLE:entity` pairs or a predefined ACL. */
const ENTITY_ACLS: readonly string[] = [
    TYPES.bucketAccessControl,
    TYPES.defaultObjectAccessControl,
    TYPES.objectAccessControl,
];
const LIST_ACLS: readonly string[] = [TYPES.bucketAcl, TYPES.defaultObjectAcl, TYPES.objectAcl];

/** Entities that stand for anyone on the internet (Cloud Storage JSON API, `BucketAccessControls`, `entity`). */
const PUBLIC_ENTITIES = ["allUsers", "allAuthenticatedUsers"];
/** Predefined ACLs that grant one of them (Cloud Storage, "Access control lists", predefined ACLs). */
const PUBLIC_PREDEFINED_ACLS = ["publicRead", "publicReadWrite", "authenticatedRead"];

/** What an ACL resource grants to the public, each described for a message. */
function publicGrants(type: string, props: Props): string[] {
    if (ENTITY_ACLS.includes(type)) {
        return PUBLIC_ENTITIES.includes(props.entity)
            ? [`entity ${quote(props.entity)} (role ${quote(props.role)})`]
            : [];
    }
    const pairs = listOf(props.roleEntities).filter(
        (pair) => typeof pair === "string" && PUBLIC_ENTITIES.includes(pair.split(":").slice(1).join(":")),
    );
    const predefined = PUBLIC_PREDEFINED_ACLS.includes(props.predefinedAcl) ? [props.predefinedAcl] : [];
    return [...pairs.map((p) => `roleEntities ${quote(p)}`), ...predefined.map((p) => `predefinedAcl ${quote(p)}`)];
}

export const storageNoPublicAcl: ResourceValidationPolicy = {
    name: "storage-no-public-acl",
    description:
        "No Cloud Storage ACL (bucket, default object or object access control, or ACL) grants allUsers or " +
        "allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([...ENTITY_ACLS, ...LIST_ACLS], (props, report, type) => {
        for (const grant of publicGrants(type, props)) {
            report(
                `grants ${grant}, i.e. access for anyone on the internet: model files (and whatever else the bucket ` +
                    "holds) become public. Fix: remove the ACL; grant a specific principal through IAM instead " +
                    "(ModelBucket.grantRead), and keep uniform bucket-level access on, which disables ACLs.",
            );
        }
    }),
};

export const storagePolicies = [storageBucketLockedDown, storageNoPublicAcl];
