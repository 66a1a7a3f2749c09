// The Pulumi program of the guarded-llm stacks (Pulumi.yaml `main`): check the stack file, then build.
import { readStackConfig } from "./config";
import { buildStack } from "./program";

export = buildStack(readStackConfig());
