/**
 * Where `npm run plan -- --diagram <file>` puts a stack's diagram: a `.mmd` file holds the bare flowchart; a `.md` file
 * a ```mermaid block between two HTML comments, the first naming the command that generated it. A `.md` file that
 * exists keeps everything but its block for the same stack, so that a README can hold generated diagrams among its
 * prose, and a test can find them. Free of the Pulumi SDK: the plan checks its arguments with it before loading any.
 */
import * as path from "path";

/** What a diagram file holds, by its extension. */
export type DiagramFormat = "markdown" | "mermaid";

/** The format of `file` by its extension (`.md`, `.mmd`); undefined for any other. */
export function diagramFormat(file: string): DiagramFormat | undefined {
    switch (path.extname(file).toLowerCase()) {
        case ".md":
            return "markdown";
        case ".mmd":
            return "mermaid";
        default:
            return undefined;
    }
}

/** The comment that closes a generated block. */
export const GENERATED_END = "<!-- end generated -->";

/** The comment that opens the block `npm run plan -- <source> --diagram <file>` generated (`source`: `--stack dev`). */
export const generatedMarker = (source: string, file: string) =>
    `<!-- generated: npm run plan -- ${source} --diagram ${file} -->`;

/** One generated block of a Markdown text. */
export interface GeneratedBlock {
    /** How the plan was told the stack: `--stack <name>` or `--config-file <path>`. */
    readonly source: string;
    /** The `--diagram` file the marker names. */
    readonly file: string;
    /** The flowchart inside the ```mermaid fence, without its last newline. */
    readonly flowchart: string;
    /** Where the block (from its opening comment to its closing one) starts and ends in the text. */
    readonly start: number;
    readonly end: number;
}

const BLOCK =
    /^<!-- generated: npm run plan -- (.+?) --diagram (.+?) -->\n```mermaid\n([\s\S]*?)\n```\n<!-- end generated -->$/gm;

/** Every generated block of `markdown`, in order. */
export function generatedBlocks(markdown: string): GeneratedBlock[] {
    return [...markdown.matchAll(BLOCK)].map((m) => ({
        source: m[1],
        file: m[2],
        flowchart: m[3],
        start: m.index!,
        end: m.index! + m[0].length,
    }));
}

/** A generated block: the opening comment, the ```mermaid fence around `flowchart`, the closing comment. */
export function markdownBlock(source: string, file: string, flowchart: string): string {
    return [generatedMarker(source, file), "```mermaid", flowchart, "```", GENERATED_END].join("\n");
}

/**
 * Why the `.md` file holding `existing` cannot take the diagram of `source`: it has no block generated for it.
 * Undefined when it can.
 */
export function markdownProblem(existing: string, source: string, file: string): string | undefined {
    if (generatedBlocks(existing).some((b) => b.source === source)) return undefined;
    return `${file} exists and holds no diagram generated for ${source}: name a new file, or put ${generatedMarker(source, file)} and ${GENERATED_END} around a \`\`\`mermaid block where it goes`;
}

/**
 * The text of the diagram file: the bare flowchart (`.mmd`); the block alone (a new `.md` file); or `existing` with
 * each block generated for `source` replaced (an existing `.md` file, which must have one: see {@link markdownProblem}).
 */
export function diagramFileText(
    format: DiagramFormat,
    source: string,
    file: string,
    flowchart: string,
    existing?: string,
): string {
    if (format === "mermaid") return `${flowchart}\n`;
    const block = markdownBlock(source, file, flowchart);
    if (existing === undefined) return `${block}\n`;
    let text = existing;
    for (const old of generatedBlocks(existing)
        .filter((b) => b.source === source)
        .reverse()) {
        text = text.slice(0, old.start) + block + text.slice(old.end);
    }
    return text;
}
