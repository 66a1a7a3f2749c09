import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GuardedLlmGateway } from "../components/guardedLlmGateway";
import { TYPES } from "../components/pure/resourceTypes";
import { escapeLabel, renderDiagram } from "../tools/diagram";
import {
    diagramFileText,
    diagramFormat,
    generatedBlocks,
    generatedMarker,
    GENERATED_END,
    markdownBlock,
    markdownProblem,
} from "../tools/diagramFile";
import { RecordedResource } from "../tools/mockRuntime";
import { CliResult, record, runCommandHere, runtime, shippedPlan } from "./harness";
import { planCommand } from "../tools/plan";

const README = path.join(__dirname, "..", "README.md");
const diagramOf = async (stack: string) => renderDiagram((await shippedPlan(stack)).resources);

/** A label's lines as written: `<br/>` breaks, Mermaid's entity codes decoded. */
const ENTITY = /#(\d+|quot|lt|gt|amp);/g;
const NAMED: Record<string, string> = { quot: '"', lt: "<", gt: ">", amp: "&" };
const decode = (label: string) =>
    label.split("<br/>").map((l) => l.replace(ENTITY, (_, c: string) => NAMED[c] ?? String.fromCharCode(Number(c))));

const NODE = /^ {4}(\w+)(\(\[|\[\(|\{\{|\[|\(|\{)"([^"]*)"(\]\)|\)\]|\}\}|\]|\)|\})$/;
const EDGE = /^ {4}(\w+) (-->|-\.-|---|<-->)(?:\|"([^"]*)"\|)? (\w+)$/;
const SHAPE_PAIRS: Record<string, string> = { "([": "])", "[(": ")]", "{{": "}}", "[": "]", "(": ")", "{": "}" };

interface Parsed {
    nodes: Map<string, string[]>;
    edges: { from: string; arrow: string; to: string; label: string[] }[];
}

/**
 * Reads a generated flowchart back, failing on any line that is not a node or an edge as the generator writes them
 * and on any label character Mermaid would read as syntax: the flowchart renders if this passes.
 */
function parse(flowchart: string): Parsed {
    const [header, ...lines] = flowchart.split("\n");
    assert.strictEqual(header, "flowchart TB");
    const parsed: Parsed = { nodes: new Map(), edges: [] };
    const checkLabel = (label: string, line: string) => {
        const bare = label.replace(/<br\/>/g, "").replace(ENTITY, "");
        assert.doesNotMatch(bare, /["<>#|`]/, `a character Mermaid reads as syntax in: ${line}`);
    };
    for (const line of lines) {
        const node = NODE.exec(line);
        if (node) {
            assert.strictEqual(SHAPE_PAIRS[node[2]], node[4], `unbalanced shape: ${line}`);
            assert.ok(!parsed.nodes.has(node[1]), `node ${node[1]} declared twice`);
            checkLabel(node[3], line);
            parsed.nodes.set(node[1], decode(node[3]));
            continue;
        }
        const edge = EDGE.exec(line);
        assert.ok(edge, `neither a node nor an edge: ${JSON.stringify(line)}`);
        for (const id of [edge[1], edge[4]]) assert.ok(parsed.nodes.has(id), `edge to undeclared node ${id}: ${line}`);
        if (edge[3] !== undefined) checkLabel(edge[3], line);
        parsed.edges.push({ from: edge[1], arrow: edge[2], to: edge[4], label: edge[3] ? decode(edge[3]) : [] });
    }
    return parsed;
}

/** The id of the one node whose label has every line of `lines`. */
function node(d: Parsed, ...lines: string[]): string {
    const ids = [...d.nodes].filter(([, label]) => lines.every((l) => label.includes(l))).map(([id]) => id);
    assert.strictEqual(ids.length, 1, `expected one node with ${JSON.stringify(lines)}, found ${ids.join(", ")}`);
    return ids[0];
}

/** The label of the edge from `from` to `to`; fails if there is none. */
function edge(d: Parsed, from: string, to: string, arrow = "-->"): string[] {
    const found = d.edges.find((e) => e.from === from && e.to === to && e.arrow === arrow);
    assert.ok(found, `no edge ${from} ${arrow} ${to}`);
    return found.label;
}

describe("plan diagram (npm run plan -- --diagram)", () => {
    describe("README.md", () => {
        it("holds diagrams generated from the stacks as they are now", async () => {
            const text = fs.readFileSync(README, "utf8");
            const blocks = generatedBlocks(text);
            assert.ok(
                blocks.some((b) => b.source === "--stack dev"),
                `README.md has a block generated for dev (${generatedMarker("--stack dev", "README.md")} ... ${GENERATED_END})`,
            );
            // A diagram marker that the block pattern misses would leave a hand-edited diagram unchecked.
            assert.strictEqual(
                blocks.length,
                text.match(/^<!-- generated: npm run plan -- .* --diagram .*-->$/gm)?.length,
            );
            for (const block of blocks) {
                const stack = /^--stack ([\w-]+)$/.exec(block.source)?.[1];
                assert.ok(stack, `README.md's generated blocks name a shipped stack, not ${block.source}`);
                const drawn = await diagramOf(stack);
                if (block.flowchart === drawn) continue;
                const old = block.flowchart.split("\n");
                const now = drawn.split("\n");
                const at = old.findIndex((line, i) => line !== now[i]);
                assert.fail(
                    `README.md's diagram of ${stack} is not what the plan draws now ` +
                        `(line ${(at < 0 ? old.length : at) + 1}: ${JSON.stringify(old[at] ?? "")} ` +
                        `should be ${JSON.stringify(now[at < 0 ? old.length : at] ?? "")}); ` +
                        `regenerate it with: npm run plan -- ${block.source} --diagram README.md`,
                );
            }
        });
    });

    describe("drawn from the recorded resources", () => {
        it("dev: public clients, the address and HTTPS rule, the allowlist, the service on its GPU, the bucket", async () => {
            const d = parse(await diagramOf("dev"));
            const clients = node(d, "clients");
            const access = node(d, "who may call", "public:");
            const address = node(d, "static IP", "dev-lb-ip");
            const rule = node(d, "HTTPS :443 forwarding rule", "dev-lb-https");
            const urlMap = node(d, "URL map", "dev-lb-url-map");
            const backend = node(d, "backend service", "dev-lb-backend");
            const neg = node(d, "serverless NEG", "dev-lb-neg");
            const run = node(d, "Cloud Run service", "dev-ollama", "GPU: nvidia-l4", "models: gemma:2b");
            const bucket = node(d, "model bucket", "dev-models", "protected");
            const job = node(d, "Cloud Run job", "dev-ollama-model-pull");
            edge(d, clients, access);
            edge(d, access, address);
            edge(d, address, rule);
            assert.ok(d.nodes.get(rule)!.includes("self-signed certificate"));
            edge(d, rule, urlMap);
            assert.deepStrictEqual(edge(d, urlMap, backend), ["/v1/chat/completions", "/v1/completions", "/v1/models"]);
            edge(d, backend, neg);
            edge(d, neg, run);
            assert.deepStrictEqual(edge(d, run, bucket, "---"), ["read-only mount"]);
            assert.deepStrictEqual(edge(d, job, bucket, "---"), ["read-write mount"]);
            // What the load balancer refuses, summarised by kind.
            const refused = node(d, "refused 404", "by the load balancer");
            assert.deepStrictEqual(edge(d, urlMap, refused), ["any other path"]);
            const summary = d.nodes.get(refused)!.join(" ");
            for (const kind of [
                "admin: /api/pull,",
                "unscreened inference: /api/generate, /api/chat",
                "read-only: /, /api/show",
                "unknown: /debug/pprof/,",
            ]) {
                assert.ok(summary.includes(kind), `${kind} in ${summary}`);
            }
            // The extension on the HTTPS rule, its chain, and Model Armor.
            const extension = node(d, "traffic extension", "dev-armor-ext");
            edge(d, rule, extension, "-.-");
            const chain = node(d, "chain model-armor", "prompts: dev-armor-prompt", "fail closed, timeout 1s");
            assert.ok(d.nodes.get(chain)!.includes("responses: dev-armor-response"));
            assert.deepStrictEqual(d.nodes.get(chain)!.slice(1, 4), [
                "screens",
                "/v1/chat/completions,",
                "/v1/completions",
            ]);
            edge(d, extension, chain);
            assert.deepStrictEqual(edge(d, chain, node(d, "Model Armor", "us-central1"), "<-->"), [
                "prompts and responses",
            ]);
            assert.ok(
                ![...d.nodes.values()].flat().some((l) => /IAP|redirect|HTTP :80/.test(l)),
                "no IAP, no redirect",
            );
        });

        it("prod: IAP with its accessors, and the :80 rule that redirects every path to HTTPS", async () => {
            const d = parse(await diagramOf("prod"));
            const access = node(d, "who may call", "IAP: only", "group:llm-users@example.com");
            assert.deepStrictEqual(edge(d, access, node(d, "refused by IAP", "401 / 302 / 403")), ["anyone else"]);
            const address = node(d, "static IP", "prod-lb-ip");
            edge(d, access, address);
            const https = node(
                d,
                "HTTPS :443 forwarding rule",
                "prod-lb-https",
                "managed certificate:",
                "llm.example.com",
            );
            const http = node(d, "HTTP :80 forwarding rule", "prod-lb-http");
            edge(d, address, https);
            edge(d, address, http);
            edge(d, http, node(d, "URL map", "prod-lb-http-redirect", "every path:", "308 redirect to HTTPS"));
            node(d, "Cloud Run service", "prod-ollama", "models: gemma3:4b, llama3.1:8b", "instances: 1 to 3");
            // The extension screens the HTTPS rule, not the redirect.
            const extension = node(d, "traffic extension", "prod-armor-ext");
            edge(d, https, extension, "-.-");
            assert.ok(!d.edges.some((e) => e.from === http && e.to === extension));
        });

        it("fleet: both hosts to their own service and GPU, a chain per service, anything else refused", async () => {
            const d = parse(await diagramOf("fleet"));
            const urlMap = node(d, "URL map", "fleet-lb-url-map");
            const services = [
                ["chat", "chat.llm.example.com", "nvidia-l4", "gemma3:4b", "fleet-armor-prompt"],
                [
                    "coder",
                    "coder.llm.example.com",
                    "nvidia-rtx-pro-6000",
                    "qwen2.5-coder:32b",
                    "fleet-coder-armor-prompt",
                ],
            ];
            const extension = node(d, "traffic extension", "fleet-armor-ext");
            const armor = node(d, "Model Armor", "us-central1");
            const bucket = node(d, "model bucket", "fleet-models");
            services.forEach(([name, host, gpu, model, template], i) => {
                const backend = node(d, "backend service", `fleet-lb-${name}-backend`);
                assert.deepStrictEqual(edge(d, urlMap, backend), [
                    `Host ${host}`,
                    "/v1/chat/completions",
                    "/v1/completions",
                    "/v1/models",
                ]);
                const neg = node(d, "serverless NEG", `fleet-lb-${name}-neg`);
                edge(d, backend, neg);
                const run = node(d, "Cloud Run service", `fleet-${name}`, `GPU: ${gpu}`, `models: ${model}`);
                edge(d, neg, run);
                edge(d, run, bucket, "---");
                const chain = node(d, `chain ${i + 1} of 2: ${name}`, `screens ${host}:`, `prompts: ${template}`);
                assert.ok(d.nodes.get(chain)!.includes("fail closed, timeout 1s"));
                edge(d, extension, chain);
                edge(d, chain, armor, "<-->");
            });
            assert.deepStrictEqual(edge(d, urlMap, node(d, "refused 404", "by the load balancer")), [
                "any other path of each Host",
                "any other Host, or the IP address",
            ]);
            edge(d, node(d, "HTTP :80 forwarding rule", "fleet-lb-http"), node(d, "URL map", "fleet-lb-http-redirect"));
            node(d, "who may call", "IAP: only", "group:llm-users@example.com");
        });

        it("internal: the VPC only, on a private address with its DNS record", async () => {
            const d = parse(await diagramOf("internal"));
            const access = node(d, "who may call", "internal:", "clients in the VPC only");
            const address = node(d, "internal address", "internal-lb-ip", "subnet llm-apps");
            assert.ok(d.nodes.get(address)!.includes("A llm.internal.example.com. (zone internal-example)"));
            edge(d, access, address);
        });

        it("routing by path prefix: the prefixed paths, each as the path its service receives", async () => {
            const { resources } = await record(
                () =>
                    new GuardedLlmGateway("gw", {
                        region: "us-central1",
                        access: { mode: "public" },
                        loadBalancer: { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "self-signed" } },
                        services: {
                            chat: { pathPrefix: "/chat", models: ["gemma3:4b"] },
                            coder: { pathPrefix: "/coder", models: ["qwen2.5-coder:7b"] },
                        },
                        allowUnconfirmedPathScreening: true,
                    }),
            );
            const d = parse(renderDiagram(resources.all));
            const urlMap = node(d, "URL map", "gw-lb-url-map");
            assert.deepStrictEqual(edge(d, urlMap, node(d, "backend service", "gw-lb-coder-backend")), [
                "/coder/v1/chat/completions as /v1/chat/completions",
                "/coder/v1/completions as /v1/completions",
                "/coder/v1/models as /v1/models",
            ]);
            const refused = d.nodes.get(node(d, "refused 404"))!.join(" ");
            assert.match(refused, / inference: \/v1\/chat\/completions, /, "the unprefixed paths are refused");
            node(d, "chain 2 of 2: coder", "/coder/v1/chat/completions,");
        });

        it("links resources by their recorded dependencies, and marks what no chain screens", async () => {
            const plan = await shippedPlan("dev");
            const copy: RecordedResource[] = JSON.parse(JSON.stringify(plan.resources));
            const extension = copy.find((r) => r.type === TYPES.trafficExtension)!;
            const rule = copy.find((r) => r.type === TYPES.forwardingRule)!;
            // An extension that no longer depends on the rule is not drawn on it, whatever it is called.
            extension.dependencies = extension.dependencies.filter((urn) => urn !== rule.urn);
            const d = parse(renderDiagram(copy));
            assert.ok(![...d.nodes.values()].some((l) => l.includes("traffic extension")));
            const urlMap = node(d, "URL map", "dev-lb-url-map");
            assert.deepStrictEqual(edge(d, urlMap, node(d, "backend service", "dev-lb-backend")), [
                "/v1/chat/completions UNSCREENED",
                "/v1/completions UNSCREENED",
                "/v1/models",
            ]);
        });

        it("is deterministic: the same text whatever order the resources were recorded in", async () => {
            for (const stack of ["dev", "fleet"]) {
                const resources = (await shippedPlan(stack)).resources;
                assert.strictEqual(renderDiagram([...resources].reverse()), renderDiagram(resources), stack);
            }
        });

        it("escapes what Mermaid reads as syntax in a label", () => {
            assert.strictEqual(
                escapeLabel('a "b" <c> #d | e & `f`'),
                "a #quot;b#quot; #lt;c#gt; #35;d #124; e #amp; #96;f#96;",
            );
            assert.strictEqual(escapeLabel("two\n  lines"), "two lines");
        });
    });

    describe("the diagram file", () => {
        const flowchart = 'flowchart TB\n    a["a"]';

        it("is the bare flowchart in a .mmd file, a marked ```mermaid block in a .md file", () => {
            assert.strictEqual(diagramFormat("x.mmd"), "mermaid");
            assert.strictEqual(diagramFormat("docs/X.MD"), "markdown");
            assert.strictEqual(diagramFormat("x.png"), undefined);
            assert.strictEqual(diagramFileText("mermaid", "--stack dev", "x.mmd", flowchart), `${flowchart}\n`);
            assert.strictEqual(
                diagramFileText("markdown", "--stack dev", "x.md", flowchart),
                `<!-- generated: npm run plan -- --stack dev --diagram x.md -->\n\`\`\`mermaid\n${flowchart}\n\`\`\`\n<!-- end generated -->\n`,
            );
        });

        it("replaces only the block generated for the same stack in an existing .md file", () => {
            const text = [
                "# Title",
                markdownBlock("--stack dev", "x.md", 'flowchart TB\n    old["old"]'),
                "prose",
                markdownBlock("--stack prod", "x.md", 'flowchart TB\n    p["p"]'),
                "",
            ].join("\n");
            const updated = diagramFileText("markdown", "--stack dev", "x.md", flowchart, text);
            assert.strictEqual(updated, text.replace('    old["old"]', '    a["a"]'));
            assert.deepStrictEqual(
                generatedBlocks(updated).map((b) => [b.source, b.flowchart]),
                [
                    ["--stack dev", flowchart],
                    ["--stack prod", 'flowchart TB\n    p["p"]'],
                ],
            );
            assert.strictEqual(markdownProblem(text, "--stack dev", "x.md"), undefined);
            assert.match(
                markdownProblem(text, "--stack fleet", "x.md")!,
                /^x\.md exists and holds no diagram generated for --stack fleet: /,
            );
        });
    });

    describe("the --diagram flag", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diagram-"));
        const mmd = path.join(dir, "dev.mmd");
        const md = path.join(dir, "doc.md");
        const unmarked = path.join(dir, "notes.md");
        const staleDoc = [
            "# Doc",
            "",
            markdownBlock("--stack dev", md, 'flowchart TB\n    stale["stale"]'),
            "",
            "end",
            "",
        ];
        fs.writeFileSync(md, staleDoc.join("\n"));
        fs.writeFileSync(unmarked, "# Notes\n");
        const runs: CliResult[] = [];
        // One after the other: each plans under the suite's recording runtime.
        before(async () => {
            for (const target of [
                [mmd],
                [md],
                [],
                [path.join(dir, "dev.png")],
                [unmarked],
                [path.join(dir, "missing", "dev.md")],
            ]) {
                runs.push(await runCommandHere(planCommand(runtime), ["--stack", "dev", "--diagram", ...target]));
            }
        });

        it("writes the flowchart to a .mmd file, and refreshes the stack's block in a .md file", async () => {
            const drawn = await diagramOf("dev");
            const [mmdRun, mdRun] = runs;
            for (const [run, file] of [
                [mmdRun, mmd],
                [mdRun, md],
            ] as const) {
                assert.strictEqual(run.status, 0, run.stderr);
                assert.match(run.stdout, new RegExp(`\\nWrote ${file.replace(/[.\\\\]/g, "\\$&")}\\n$`));
            }
            assert.strictEqual(fs.readFileSync(mmd, "utf8"), `${drawn}\n`);
            const expected = [...staleDoc];
            expected[2] = markdownBlock("--stack dev", md, drawn);
            assert.strictEqual(fs.readFileSync(md, "utf8"), expected.join("\n"), "nothing else in the file changes");
        });

        it("exits 2 with the usage line on wrong usage, before building anything", () => {
            const usage =
                "usage: npm run plan -- (--stack <name> | --config-file <path>) [--json <file>] [--diagram <file.md|file.mmd>]";
            const [, , noValue, wrongExtension, noBlock, noFolder] = runs;
            const expected: [CliResult, string][] = [
                [noValue, "plan: --diagram needs a value"],
                [
                    wrongExtension,
                    `plan: --diagram needs a .md file (a Mermaid block in Markdown) or a .mmd file (the bare flowchart), not "${path.join(dir, "dev.png")}"`,
                ],
                [
                    noBlock,
                    `plan: --diagram: ${unmarked} exists and holds no diagram generated for --stack dev: name a new file, or put ${generatedMarker("--stack dev", unmarked)} and ${GENERATED_END} around a \`\`\`mermaid block where it goes`,
                ],
                [noFolder, `plan: --diagram: no folder at ${path.join(dir, "missing")}`],
            ];
            for (const [run, message] of expected) {
                assert.strictEqual(run.status, 2, run.stderr);
                assert.strictEqual(run.stdout, "");
                assert.strictEqual(run.stderr, `${message}\n${usage}\n`);
            }
            assert.strictEqual(fs.readFileSync(unmarked, "utf8"), "# Notes\n", "left as it was");
        });
    });
});
