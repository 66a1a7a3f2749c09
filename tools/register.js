// The TypeScript loader of the tests, the offline plan and the policy CLI: sucrase's TypeScript and import transforms,
// which keep every line where it was (so stack traces point at the right line without source maps), cached on disk
// by content so that a file is transformed once. Type checking is `tsc`'s job (`npm test` runs it). The Pulumi CLI
// runs the stacks program with ts-node as usual.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "guarded-llm", "ts");
const OPTIONS = { transforms: ["typescript", "imports"] };
const VERSION = `${require("sucrase/package.json").version} ${JSON.stringify(OPTIONS)}`;
let transform;

require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const key = crypto.createHash("sha256").update(VERSION).update("\0").update(filename).update("\0").update(source);
    const cached = path.join(CACHE_DIR, `${key.digest("hex")}.js`);
    let code;
    try {
        code = fs.readFileSync(cached, "utf8");
    } catch {
        transform = transform || require("sucrase").transform;
        code = transform(source, { ...OPTIONS, filePath: filename }).code;
        try {
            fs.mkdirSync(CACHE_DIR, { recursive: true });
            fs.writeFileSync(`${cached}.${process.pid}`, code);
            fs.renameSync(`${cached}.${process.pid}`, cached);
        } catch {
            // A read-only checkout runs uncached.
        }
    }
    module._compile(code, filename);
};
