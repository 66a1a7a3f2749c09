import * as assert from "assert";
import { ENDPOINT_PART_KEYS, GUARDED_LLM_ENDPOINT_ARG_KEYS } from "../components/guardedLlmEndpoint";
import { declareArgKeys } from "../components/validation";
import { PROJECT_KEYS } from "../stacks/config";

interface ExampleArgs {
    readonly region: string;
    readonly cpu?: number;
    readonly labels?: Record<string, string>;
}

describe("declared arg keys", () => {
    it("fail to compile when a key of the args is in neither list, or a listed key is not one of them", () => {
        // `tsc --noEmit` (part of `npm test`) fails if either line below compiles: the checks are at compile time.
        // @ts-expect-error: `labels` is neither a config key nor code-only.
        declareArgKeys<ExampleArgs>()({ config: ["cpu"], codeOnly: ["region"] });
        // @ts-expect-error: `memory` is not a key of ExampleArgs.
        declareArgKeys<ExampleArgs>()({ config: ["cpu", "labels", "memory"], codeOnly: ["region"] });
        const keys = declareArgKeys<ExampleArgs>()({ config: ["cpu", "labels"], codeOnly: ["region"] });
        assert.deepStrictEqual(keys.config, ["cpu", "labels"]);
    });

    it("give the stack config its key lists: every endpoint config key, each part's component keys", () => {
        assert.deepStrictEqual(
            GUARDED_LLM_ENDPOINT_ARG_KEYS.config.filter((key) => !PROJECT_KEYS.includes(key)),
            [],
        );
        assert.deepStrictEqual(Object.keys(ENDPOINT_PART_KEYS), [
            "ollama",
            "loadBalancer",
            "modelArmor",
            "cloudArmor",
            "monitoring",
        ]);
        assert.ok(ENDPOINT_PART_KEYS.ollama.includes("labels"), "ollama.labels can be set from a stack");
        assert.ok(
            ENDPOINT_PART_KEYS.modelArmor.includes("grantSdpRoles"),
            "modelArmor.grantSdpRoles can be set from a stack",
        );
    });
});
