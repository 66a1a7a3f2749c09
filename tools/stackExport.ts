/**
 * Reads a `pulumi stack export` document (version 3) into the resources the policy runner judges, as the recording
 * mock runtime records them. It accepts what `pulumi stack export` writes (with or without `--show-secrets`) and the
 * offline plan's `--json` output (tools/planner.ts `toStackExport`), which has the same shape but inputs only.
 *
 * Each resource's properties are its inputs merged with its outputs, the outputs winning: outputs are what is
 * deployed, and carry the `selfLink`, `name` and `id` that other resources' references name. Secrets are opaque.
 */
import { TYPES } from "../components/pure/resourceTypes";
import { isPlainObject, SECRET } from "../components/pure/values";
import { RecordedResource } from "./mockRuntime";

/**
 * The key that marks a special value in Pulumi state, and the signatures of a secret and of a resource reference
 * (@pulumi/pulumi `runtime/rpc`: `specialSigKey`, `specialSecretSig`, `specialResourceSig`). In an export a secret
 * is `{ [SIG_KEY]: SECRET_SIG, ciphertext }`, or `{ [SIG_KEY]: SECRET_SIG, plaintext }` with `--show-secrets`.
 */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** A document that is not a readable stack export; the message says what is wrong, in one line. */
export class StackExportError extends Error {}

/** The resources of the stack export in `text`, without the root stack and the providers. */
export function readStackExport(text: string): RecordedResource[] {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (e) {
        throw new StackExportError(`is not JSON (${(e as Error).message.replace(/\s+/g, " ")})`);
    }
    if (!isPlainObject(document) || document.version !== 3) {
        const version = isPlainObject(document) ? ` (version: ${JSON.stringify(document.version)})` : "";
        throw new StackExportError(
            `is not a version 3 stack export${version}: expected {"version": 3, "deployment": {"resources": [...]}}, ` +
                "as `pulumi stack export` writes it",
        );
    }
    const deployment = document.deployment;
    if (!isPlainObject(deployment)) throw new StackExportError('has no "deployment" object');
    // An empty stack's export has no resource list at all.
    const resources = deployment.resources ?? [];
    if (!Array.isArray(resources)) throw new StackExportError('has a "deployment.resources" that is not a list');
    return resources.flatMap((resource, i) => {
        if (!isPlainObject(resource) || typeof resource.urn !== "string" || typeof resource.type !== "string") {
            throw new StackExportError(`has a deployment.resources[${i}] without a "urn" and a "type"`);
        }
        if (resource.type === TYPES.stack || resource.type.startsWith("pulumi:providers:")) return [];
        // A resource left to delete after a replacement is no longer part of the program.
        if (resource.delete === true) return [];
        return [toRecorded(resource as Record<string, unknown> & { urn: string; type: string })];
    });
}

function toRecorded(resource: Record<string, unknown> & { urn: string; type: string }): RecordedResource {
    const inputs = objectOr(resource.inputs);
    const outputs = objectOr(resource.outputs);
    const keys = [...new Set([...Object.keys(inputs), ...Object.keys(outputs)])].filter((k) => !k.startsWith("__"));
    const merged = Object.fromEntries(
        keys.map((key) => [key, outputs[key] === undefined || outputs[key] === null ? inputs[key] : outputs[key]]),
    );
    const props = Object.fromEntries(Object.entries(merged).map(([key, value]) => [key, opaque(value)]));
    return {
        urn: resource.urn,
        custom: resource.custom === true,
        type: resource.type,
        name: resource.urn.split("::").slice(3).join("::"),
        ...(typeof resource.parent === "string" && resource.parent !== "" ? { parent: resource.parent } : {}),
        inputs: props,
        secretInputs: keys.filter((key) => containsSecret(merged[key])),
        dependencies: strings(resource.dependencies),
        propertyDependencies: Object.fromEntries(
            Object.entries(objectOr(resource.propertyDependencies)).map(([key, urns]) => [key, strings(urns)]),
        ),
        ...(resource.protect === true ? { protect: true } : {}),
        ...(resource.retainOnDelete === true ? { retainOnDelete: true } : {}),
    };
}

/** `value` with every secret replaced by "[secret]" and every resource reference by its URN. */
function opaque(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(opaque);
    if (!isPlainObject(value)) return value;
    if (value[SIG_KEY] === SECRET_SIG) return SECRET;
    if (value[SIG_KEY] === RESOURCE_SIG) return value.urn;
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, opaque(v)]));
}

function containsSecret(value: unknown): boolean {
    if (Array.isArray(value)) return value.some(containsSecret);
    if (!isPlainObject(value)) return false;
    return value[SIG_KEY] === SECRET_SIG || Object.values(value).some(containsSecret);
}

const objectOr = (value: unknown): Record<string, any> => (isPlainObject(value) ? value : {});
const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
