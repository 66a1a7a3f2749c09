// ESLint flat config: typescript-eslint's recommended rules, formatting left to Prettier, and the
// import-direction rule of this repository:
//
//     components/pure/  <-  components/*.ts, policy/  <-  stacks/, tools/  <-  test/ (may import anything)
//
// components/pure/ is the SDK-free layer: node builtins and its own files only, so that the policy pack
// (which runs with @pulumi/policy alone, without @pulumi/gcp) can share it.
import { builtinModules } from "node:module";
import { defineConfig, globalIgnores } from "eslint/config";
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// A bare package specifier that is neither a node builtin (`crypto`, `node:crypto`, `fs/promises`) nor one of `allowed`
// (each also matching its subpaths, e.g. `@pulumi/policy/...`). Relative specifiers (`./x`, `../x`) never match.
const packageOtherThan = (...allowed) => {
    const builtins = builtinModules.map(escapeRegex).join("|");
    const extra = allowed.map((name) => `|${escapeRegex(name)}(?:/.*)?`).join("");
    return `^(?![./]|node:)(?!(?:${builtins}${extra})$)`;
};

// One `no-restricted-imports` setting per directory: in a flat config a later block's options replace an earlier
// block's, so these file sets must not overlap. The typescript-eslint variant also checks `import x = require("...")`.
// Each also refuses relative paths that step back in (`./../x`, `../components/pure/../x`), which would slip past the
// groups below.
const NOT_NORMALIZED = {
    regex: String.raw`^\./\.\.(/|$)|(^|/)[^./][^/]*/\.\.(/|$)`,
    message:
        "write relative imports without `./..` or `dir/..` segments, so that the import-direction rule can check them",
};
const restrictImports = (...patterns) => ({
    "@typescript-eslint/no-restricted-imports": ["error", { patterns: [...patterns, NOT_NORMALIZED] }],
});

const PURE_MESSAGE =
    "components/pure/ is the SDK-free layer: it may import only node builtins and its own ./ files (no @pulumi/*, yaml or other packages, nothing outside the folder)";
const POLICY_MESSAGE =
    "policy/ may import only @pulumi/policy and components/pure (the SDK-free layer): the pack runs without @pulumi/gcp";
const COMPONENTS_MESSAGE =
    "components/ may not import policy/, tools/, stacks/ or test/: they depend on components, not the other way round";
const STACKS_MESSAGE =
    "stacks/ may not import tools/, test/ or policy/: the deployed program depends on components only";
const CLIENT_MESSAGE =
    "client/ is for the applications that call the endpoint: it may import only its own files and its packages";
const TOOLS_MESSAGE = "tools/ may not import test/: tests depend on tools, not the other way round";

export default defineConfig(
    globalIgnores(["**/node_modules/", "dist/", "policy/node_modules/"]),
    eslint.configs.recommended,
    tseslint.configs.recommended,
    {
        rules: {
            // `any` is used deliberately where Pulumi's inputs and recorded resource properties are untyped.
            "@typescript-eslint/no-explicit-any": "off",
            // Reading a package's version with `require(".../package.json")` is deliberate (no resolveJsonModule).
            "@typescript-eslint/no-require-imports": ["error", { allow: ["/package\\.json$"] }],
            // Its fix, `new Error(message, { cause })`, needs lib ES2022; tsconfig.json's lib is ES2020.
            "preserve-caught-error": "off",
        },
    },
    {
        // The TypeScript loader is plain CommonJS: it runs before any TypeScript can.
        files: ["tools/register.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "readonly", __dirname: "readonly", process: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["test/**/*.ts"],
        rules: {
            // Tests hand a `require` shim to the README example they run, which loads modules by name.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        files: ["components/pure/**/*.ts"],
        rules: restrictImports(
            { regex: packageOtherThan(), message: PURE_MESSAGE },
            { group: ["..", "../**"], message: PURE_MESSAGE },
        ),
    },
    {
        files: ["components/*.ts"],
        rules: restrictImports({
            group: [
                "../policy",
                "../policy/**",
                "../tools",
                "../tools/**",
                "../stacks",
                "../stacks/**",
                "../test",
                "../test/**",
            ],
            message: COMPONENTS_MESSAGE,
        }),
    },
    {
        files: ["policy/**/*.ts"],
        rules: restrictImports(
            { regex: packageOtherThan("@pulumi/policy"), message: POLICY_MESSAGE },
            {
                // Everything outside policy/ except components/pure/ (and not components/ itself, i.e. its index).
                group: ["../**", "!../components/", "!../components/pure/", "!../components/pure/**"],
                message: POLICY_MESSAGE,
            },
        ),
    },
    {
        files: ["stacks/**/*.ts"],
        rules: restrictImports({
            group: ["../tools", "../tools/**", "../test", "../test/**", "../policy", "../policy/**"],
            message: STACKS_MESSAGE,
        }),
    },
    {
        files: ["tools/**/*.ts"],
        rules: restrictImports({ group: ["../test", "../test/**"], message: TOOLS_MESSAGE }),
    },
    {
        files: ["client/**/*.ts"],
        rules: restrictImports({ group: ["../**"], message: CLIENT_MESSAGE }),
    },
    prettier,
);
