/**
 * Stack files as the Pulumi CLI reads them: `Pulumi.<stack>.yaml` with the defaults of the project's typed config keys
 * (`Pulumi.yaml`) applied, in the flat shape Pulumi holds config in.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { isPlainObject, SECRET } from "../components/pure/values";
import { PROJECT_NAMESPACE } from "../stacks/config";

/** A stack file's configuration as Pulumi holds it: flat keys, objects and lists as JSON text. */
export interface StackFileConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

const PROJECT_FILE = path.join(__dirname, "..", "Pulumi.yaml");

/**
 * Reads a `Pulumi.<stack>.yaml` file, with the defaults of the project's typed config keys (`Pulumi.yaml`)
 * applied as the Pulumi CLI would. Encrypted (`secure:`) values cannot be decrypted offline: they become the
 * placeholder `"[secret]"` and their keys are marked secret, as Pulumi would.
 */
export function readStackFile(file: string): StackFileConfig {
    const { config, secretKeys } = readConfigMap(file);
    for (const [key, declaration] of Object.entries(projectConfigDeclarations())) {
        const fullKey = key.includes(":") ? key : `${PROJECT_NAMESPACE}:${key}`;
        if (config[fullKey] === undefined && declaration.default !== undefined)
            config[fullKey] = String(declaration.default);
    }
    return { config, secretKeys };
}

function projectConfigDeclarations(): Record<string, { default?: unknown }> {
    const project = parseYaml(fs.readFileSync(PROJECT_FILE, "utf8"));
    return (project?.config ?? {}) as Record<string, { default?: unknown }>;
}

function readConfigMap(file: string): StackFileConfig {
    const document = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    if (!isPlainObject(document) || (document.config !== undefined && !isPlainObject(document.config))) {
        throw new Error(`${file}: expected a "config:" map`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries((document.config ?? {}) as Record<string, unknown>)) {
        let secret = false;
        const plain = replaceSecureValues(value, () => (secret = true));
        // Pulumi holds top-level scalars as their text and objects and lists as JSON.
        config[key] = typeof plain === "object" && plain !== null ? JSON.stringify(plain) : String(plain);
        if (secret) secretKeys.push(key);
    }
    return { config, secretKeys };
}

function replaceSecureValues(value: unknown, onSecret: () => void): unknown {
    if (Array.isArray(value)) return value.map((v) => replaceSecureValues(v, onSecret));
    if (isPlainObject(value)) {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === "secure") {
            onSecret();
            return SECRET;
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecureValues(v, onSecret)]));
    }
    return value;
}
