import * as assert from "assert";
import { BUCKET_READ_ROLE, BUCKET_READ_WRITE_ROLE, ModelBucket } from "../components";
import { assertProblems, record, refusal } from "./harness";
import { TYPES } from "../components/pure/resourceTypes";

const BUCKET = TYPES.bucket;
const GRANT = TYPES.bucketIamMember;

describe("ModelBucket", () => {
    it("creates a private bucket in the region: uniform access, public access prevention, no force-destroy", async () => {
        const { resources } = await record(() => new ModelBucket("models", { location: "europe-west4" }));
        const bucket = resources.one(BUCKET);
        assert.deepStrictEqual(
            {
                location: bucket.inputs.location,
                uniformBucketLevelAccess: bucket.inputs.uniformBucketLevelAccess,
                publicAccessPrevention: bucket.inputs.publicAccessPrevention,
                forceDestroy: bucket.inputs.forceDestroy,
            },
            {
                location: "EUROPE-WEST4",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                forceDestroy: false,
            },
        );
    });

    it("is protected by default and not retained unless asked", async () => {
        const { resources } = await record(() => new ModelBucket("models", { location: "us-central1" }));
        assert.strictEqual(resources.one(BUCKET).protect, true);
        assert.strictEqual(resources.one(BUCKET).retainOnDelete, undefined);
    });

    it("can be unprotected and retained on delete instead", async () => {
        const { resources } = await record(
            () => new ModelBucket("models", { location: "us-central1", protect: false, retainOnDelete: true }),
        );
        assert.strictEqual(resources.one(BUCKET).protect, undefined);
        assert.strictEqual(resources.one(BUCKET).retainOnDelete, true);
    });

    it("grants object read or read-write on this bucket only", async () => {
        const { resources } = await record(() => {
            const models = new ModelBucket("models", { location: "us-central1", bucketName: "my-models" });
            models.grantRead("reader", "serviceAccount:r@p.iam.gserviceaccount.com");
            models.grantReadWrite("writer", "serviceAccount:w@p.iam.gserviceaccount.com");
        });
        const reader = resources.one(GRANT, "reader");
        const writer = resources.one(GRANT, "writer");
        assert.deepStrictEqual(reader.inputs, {
            bucket: "my-models",
            role: BUCKET_READ_ROLE,
            member: "serviceAccount:r@p.iam.gserviceaccount.com",
        });
        assert.deepStrictEqual(writer.inputs, {
            bucket: "my-models",
            role: BUCKET_READ_WRITE_ROLE,
            member: "serviceAccount:w@p.iam.gserviceaccount.com",
        });
        assert.ok(resources.dependsOn(reader, resources.one(BUCKET)));
    });

    it("refuses a location that is not a region, before registering anything", async () => {
        assertProblems(await refusal(() => new ModelBucket("models", { location: "US" })), [["location", "US"]]);
    });
});
