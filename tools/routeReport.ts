/**
 * The offline plan's route table: for each recorded URL map, where each path goes (by running `routeTable` over the
 * map's recorded inputs) and whether the Model Armor traffic extension on that map's forwarding rule screens it, in
 * which direction and with which template. Resources are linked by the dependencies the program really created
 * (extension -> forwarding rule -> proxy -> URL map), not by names.
 */
import {
    decodeModelArmorSettings,
    DEFAULT_MODEL_ENTRY,
    PROMPT_TEMPLATE_KEY,
    REQUEST_BODY,
    RESPONSE_BODY,
    RESPONSE_TEMPLATE_KEY,
} from "../components/pure/modelArmorSettings";
import { whoMayCall } from "../components/access";
import { TYPES } from "../components/pure/resourceTypes";
import { routeTable, RouteTableRow } from "../components/pure/routeTable";
import { pathsOfScreeningCel } from "../components/pure/screeningCel";
import { RecordedResource } from "./mockRuntime";

/** How one recorded traffic extension screens. */
interface Screening {
    name: string;
    paths: string[];
    prompts?: string;
    responses?: string;
    failOpen: boolean;
    timeout?: string;
}

/** Every URL map's route table as text lines. */
export function renderRoutes(resources: RecordedResource[]): string[] {
    const lines: string[] = [];
    for (const urlMap of resources.filter((r) => r.type === TYPES.urlMap)) {
        const screening = screeningOf(urlMap, resources);
        const guard = screening
            ? `Model Armor via ${screening.name}, ${screening.failOpen ? "FAIL OPEN" : "fail closed"}, timeout ${screening.timeout}`
            : "no Model Armor extension";
        lines.push(`Routes of ${urlMap.name} (${guard}):`);
        const callers = whoMayCallThrough(urlMap, resources);
        if (callers) lines.push(`  who may call: ${callers}`);
        let rows: RouteTableRow[];
        try {
            rows = routeTable(urlMap.inputs);
        } catch (e) {
            lines.push(`  cannot be computed: ${(e as Error).message}`);
            continue;
        }
        const descriptions = rows.map((row) => describeRoute(row, screening));
        if (new Set(descriptions).size === 1 && rows[0].route.kind === "redirect") {
            lines.push(`  every path  ${descriptions[0]}`, "");
            continue;
        }
        const width = Math.max(...rows.map((r) => r.path.length));
        rows.forEach((row, i) => lines.push(`  ${row.path.padEnd(width)}  ${descriptions[i]}`));
        lines.push("");
    }
    return lines;
}

function describeRoute(row: RouteTableRow, screening: Screening | undefined): string {
    const { route } = row;
    if (route.kind === "refused") return `refused ${route.status}`;
    if (route.kind === "redirect") return `redirect ${route.status}`;
    const matched = screening?.paths.includes(row.path);
    if (row.ollamaKind === "read-only") return `-> Ollama  nothing to screen (read-only: no prompt or response)`;
    if (!matched) return `-> Ollama  UNSCREENED (outside the Model Armor extension)`;
    if (!row.screened) return `-> Ollama  UNSCREENED (Model Armor ignores this API's bodies)`;
    const sides = [
        screening!.prompts ? `prompts by ${screening!.prompts}` : "prompts UNSCREENED",
        screening!.responses ? `responses by ${screening!.responses} (non-streaming only)` : "responses UNSCREENED",
    ];
    return `-> Ollama  screened: ${sides.join(", ")}`;
}

/** The extension bound to a forwarding rule whose proxy uses `urlMap`, read from its recorded inputs. */
function screeningOf(urlMap: RecordedResource, resources: RecordedResource[]): Screening | undefined {
    const uses = (r: RecordedResource, target: RecordedResource) => r.dependencies.includes(target.urn);
    const proxies = resources.filter((r) => uses(r, urlMap));
    const rules = resources.filter((r) => r.type === TYPES.forwardingRule && proxies.some((p) => uses(r, p)));
    const extension = resources.find((r) => r.type === TYPES.trafficExtension && rules.some((rule) => uses(r, rule)));
    if (!extension) return undefined;
    const chain = extension.inputs.extensionChains?.[0];
    const callout = chain?.extensions?.[0] ?? {};
    const events: string[] = callout.supportedEvents ?? [];
    const entries = decodeModelArmorSettings(callout.metadata?.model_armor_settings)?.entries ?? [];
    const fallback = entries.find((entry) => entry.model === DEFAULT_MODEL_ENTRY);
    const templateName = (id: unknown) => (typeof id === "string" ? id.split("/").pop() : undefined);
    return {
        name: extension.name,
        paths: pathsOfScreeningCel(chain?.matchCondition?.celExpression ?? ""),
        prompts: events.includes(REQUEST_BODY) ? templateName(fallback?.[PROMPT_TEMPLATE_KEY]) : undefined,
        responses: events.includes(RESPONSE_BODY) ? templateName(fallback?.[RESPONSE_TEMPLATE_KEY]) : undefined,
        failOpen: callout.failOpen === true,
        timeout: callout.timeout,
    };
}

/** Who may call through the backend service that `urlMap` routes to, read from the recorded resources. */
function whoMayCallThrough(urlMap: RecordedResource, resources: RecordedResource[]): string | undefined {
    const backend = resources.find((r) => r.type === TYPES.backendService && urlMap.dependencies.includes(r.urn));
    if (!backend) return undefined;
    if (backend.inputs.loadBalancingScheme === "INTERNAL_MANAGED") {
        return whoMayCall({ mode: "internal", subnet: "" });
    }
    if (backend.inputs.iap?.enabled === true) {
        const accessors = resources
            .filter((r) => r.type === TYPES.iapBackendServiceIamMember && r.dependencies.includes(backend.urn))
            .map((r) => String(r.inputs.member));
        return whoMayCall({ mode: "iap", accessors });
    }
    return whoMayCall({ mode: "public" });
}
