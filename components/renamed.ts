import * as pulumi from "@pulumi/pulumi";
import { componentType } from "./pure/resourceTypes";

/**
 * `opts` plus an alias to the component's former type name, so that stacks deployed under the old name keep their
 * resources (their children follow the parent's alias).
 */
export function renamedFrom(
    formerName: string,
    opts?: pulumi.ComponentResourceOptions,
): pulumi.ComponentResourceOptions {
    return { ...opts, aliases: [...(opts?.aliases ?? []), { type: componentType(formerName) }] };
}
