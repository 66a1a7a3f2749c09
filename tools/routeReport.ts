/**
 * The offline plan's route table: for each recorded URL map, where each path goes (by running `routeTable` over the
 * map's recorded inputs) and whether the Model Armor traffic extension on that map's forwarding rule screens it, in
 * which direction and with which template. Resources are linked by the dependencies the program really created
 * (extension -> forwarding rule -> proxy -> URL map), not by names.
 */
import { lastSegment } from "../components/pure/selfLinks";
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
import { PROBE_PATHS, routedHosts, routeTable, RouteTableRow } from "../components/pure/routeTable";
import { Condition, conditionMatches, parseCondition } from "../components/pure/screeningCel";
import { RecordedResource } from "./mockRuntime";

/** How one chain of a recorded traffic extension screens. */
export interface Chain {
    name: string;
    condition?: Condition;
    prompts?: string;
    responses?: string;
    failOpen: boolean;
    timeout?: string;
    /** The callout's service: the Model Armor endpoint it calls. */
    service?: string;
}

/** How one recorded traffic extension screens: its chains, the first match winning. */
export interface Screening {
    name: string;
    chains: Chain[];
}

/** Every URL map's route table as text lines: per host the map routes by name, or once for every host. */
export function renderRoutes(resources: RecordedResource[]): string[] {
    const lines: string[] = [];
    for (const urlMap of resources.filter((r) => r.type === TYPES.urlMap)) {
        const screening = screeningOf(urlMap, resources);
        const [only] = screening?.chains ?? [];
        const guard =
            screening === undefined
                ? "no Model Armor extension"
                : screening.chains.length === 1
                  ? `Model Armor via ${screening.name}, ${only.failOpen ? "FAIL OPEN" : "fail closed"}, timeout ${only.timeout}`
                  : `Model Armor via ${screening.name}: ${screening.chains.length} chains, the first that matches screens`;
        lines.push(`Routes of ${urlMap.name} (${guard}):`);
        const callers = whoMayCallThrough(urlMap, resources);
        if (callers) lines.push(`  who may call: ${callers}`);
        const multiChain = (screening?.chains.length ?? 0) > 1;
        if (multiChain) {
            for (const chain of screening!.chains) {
                lines.push(
                    `  chain ${chain.name}: ${chain.failOpen ? "FAIL OPEN" : "fail closed"}, timeout ${chain.timeout}`,
                );
            }
        }
        const hosts = routedHosts(urlMap.inputs);
        if (hosts[0] !== undefined) lines.push(`  any other host, or the IP address: ${describeUnnamed(urlMap)}`);
        for (const host of hosts) {
            let rows: RouteTableRow[];
            try {
                rows = routeTable(urlMap.inputs, PROBE_PATHS, host);
            } catch (e) {
                lines.push(`  cannot be computed: ${(e as Error).message}`);
                break;
            }
            const indent = host === undefined ? "  " : "    ";
            if (host !== undefined) lines.push(`  Host ${host}:`);
            const descriptions = rows.map((row) => describeRoute(row, screening, multiChain));
            if (new Set(descriptions).size === 1 && rows[0].route.kind === "redirect") {
                lines.push(`${indent}every path  ${descriptions[0]}`);
                continue;
            }
            const width = Math.max(...rows.map((r) => r.path.length));
            rows.forEach((row, i) => lines.push(`${indent}${row.path.padEnd(width)}  ${descriptions[i]}`));
        }
        lines.push("");
    }
    return lines;
}

/** Where a map that routes by host name sends the probes of a request without one of its names. */
function describeUnnamed(urlMap: RecordedResource): string {
    try {
        const routes = routeTable(urlMap.inputs, PROBE_PATHS).map((row) =>
            row.route.kind === "refused" ? `refused ${row.route.status}` : `${row.path} ${row.route.kind}`,
        );
        return [...new Set(routes)].join(", ");
    } catch (e) {
        return `cannot be computed: ${(e as Error).message}`;
    }
}

/** The chain that screens a routed row: the first whose condition selects it (before or after a rewrite). */
export function chainFor(row: RouteTableRow, screening: Screening | undefined): Chain | undefined {
    if (screening === undefined || row.route.kind !== "backend") return undefined;
    const backendService = lastSegment(row.route.service);
    const paths = [row.path, ...(row.route.rewrittenPath === undefined ? [] : [row.route.rewrittenPath])];
    return paths
        .map((path) =>
            screening.chains.find(
                (c) => c.condition && conditionMatches(c.condition, { path, host: row.host, backendService }),
            ),
        )
        .find((c) => c !== undefined);
}

function describeRoute(row: RouteTableRow, screening: Screening | undefined, namesChain: boolean): string {
    const { route } = row;
    if (route.kind === "refused") return `refused ${route.status}`;
    if (route.kind === "redirect") return `redirect ${route.status}`;
    const target = `-> ${namesChain ? lastSegment(route.service) : "Ollama"}${route.rewrittenPath ? ` as ${route.rewrittenPath}` : ""}`;
    const chain = chainFor(row, screening);
    if (row.ollamaKind === "read-only") return `${target}  nothing to screen (read-only: no prompt or response)`;
    if (!chain) return `${target}  UNSCREENED (outside the Model Armor extension)`;
    if (!row.screened) return `${target}  UNSCREENED (Model Armor ignores this API's bodies)`;
    const sides = [
        chain.prompts ? `prompts by ${chain.prompts}` : "prompts UNSCREENED",
        chain.responses ? `responses by ${chain.responses} (non-streaming only)` : "responses UNSCREENED",
    ];
    // Model Armor reads the operation from the path it is sent, which behind a rewrite is most likely the prefixed one.
    const verdict = route.rewrittenPath
        ? "screening UNCONFIRMED (Model Armor may not recognise this path)"
        : "screened";
    return `${target}  ${verdict}${namesChain ? ` by chain ${chain.name}` : ""}: ${sides.join(", ")}`;
}

/** The extension bound to a forwarding rule whose proxy uses `urlMap`, read from its recorded inputs. */
export function screeningOf(urlMap: RecordedResource, resources: RecordedResource[]): Screening | undefined {
    const uses = (r: RecordedResource, target: RecordedResource) => r.dependencies.includes(target.urn);
    const proxies = resources.filter((r) => uses(r, urlMap));
    const rules = resources.filter((r) => r.type === TYPES.forwardingRule && proxies.some((p) => uses(r, p)));
    const extension = resources.find((r) => r.type === TYPES.trafficExtension && rules.some((rule) => uses(r, rule)));
    return extension && readScreening(extension);
}

/** How a recorded traffic extension screens, read from its inputs. */
export function readScreening(extension: RecordedResource): Screening {
    const chains = (extension.inputs.extensionChains ?? []).map((chain: any): Chain => {
        const callout = chain?.extensions?.[0] ?? {};
        const events: string[] = callout.supportedEvents ?? [];
        const entries = decodeModelArmorSettings(callout.metadata?.model_armor_settings)?.entries ?? [];
        const fallback = entries.find((entry) => entry.model === DEFAULT_MODEL_ENTRY);
        const cel = chain?.matchCondition?.celExpression;
        return {
            name: chain?.name,
            condition: typeof cel === "string" ? parseCondition(cel) : undefined,
            prompts: events.includes(REQUEST_BODY) ? lastSegment(fallback?.[PROMPT_TEMPLATE_KEY]) : undefined,
            responses: events.includes(RESPONSE_BODY) ? lastSegment(fallback?.[RESPONSE_TEMPLATE_KEY]) : undefined,
            failOpen: callout.failOpen === true,
            timeout: callout.timeout,
            service: typeof callout.service === "string" ? callout.service : undefined,
        };
    });
    return { name: extension.name, chains };
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
