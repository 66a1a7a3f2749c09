/**
 * The offline plan as a picture: a Mermaid flowchart of what a stack really builds, drawn from the recorded resources
 * and the routes of their URL maps, never by hand. Clients, who may call (from the backend services: IAP and its
 * accessors, the VPC only, or anyone), the address and each forwarding rule, its URL map and where each routed path
 * goes (per host when the map routes by host), the backend service, serverless NEG, Cloud Run service (GPU, models)
 * and model bucket; the paths the load balancer refuses, summarised; and the traffic extension on the forwarding rule
 * with its chains and the Model Armor endpoint they call.
 *
 * Resources are linked as the program linked them, by recorded dependencies (forwarding rule -> proxy -> URL map ->
 * backend service -> NEG, extension -> forwarding rule, service -> bucket and pull job) and by the inputs that name
 * another resource where no dependency exists (a NEG names its Cloud Run service, a URL map route its backend
 * service), never by naming conventions. The output is deterministic: node ids come from resource names, and
 * everything is drawn in a fixed order, so that two diagrams can be compared as text.
 */
import { lastSegment } from "../components/pure/selfLinks";
import { classifyOllamaPath, OllamaPathKind } from "../components/pure/ollamaPaths";
import { TYPES } from "../components/pure/resourceTypes";
import { PROBE_PATHS, routedHosts, routeTable, RouteTableRow } from "../components/pure/routeTable";
import { RecordedResource } from "./mockRuntime";
import { Chain, chainFor, readScreening, Screening, screeningOf } from "./routeReport";

/** Mermaid node shapes, by what they stand for. */
const SHAPES = {
    stadium: ["([", "])"],
    box: ["[", "]"],
    round: ["(", ")"],
    rhombus: ["{", "}"],
    hexagon: ["{{", "}}"],
    cylinder: ["[(", ")]"],
} as const;
type Shape = keyof typeof SHAPES;

/** Characters Mermaid reads as syntax inside a quoted label, as its own entity codes. */
const ENTITIES: Record<string, string> = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "|": "#124;",
    "&": "#amp;",
    "`": "#96;",
};

/** One line of a label as Mermaid reads it literally: its syntax characters escaped, no line break. */
export function escapeLabel(text: string): string {
    return text.replace(/\s*\n\s*/g, " ").replace(/[#"<>|&`]/g, (c) => ENTITIES[c]);
}

/** A quoted label of several lines, broken with `<br/>`. */
const label = (lines: readonly string[]) => `"${lines.map(escapeLabel).join("<br/>")}"`;

/** Words Mermaid's flowchart grammar reads as keywords, never node ids. */
const RESERVED_IDS = new Set([
    "end",
    "graph",
    "flowchart",
    "subgraph",
    "style",
    "class",
    "classdef",
    "click",
    "call",
    "href",
    "linkstyle",
    "default",
    "direction",
    "interpolate",
]);

/** A flowchart built node by node: each node declared once, in the order first drawn, then the edges in order. */
class Flowchart {
    private readonly ids = new Map<string, string>();
    private readonly taken = new Set<string>();
    private readonly nodes: string[] = [];
    private readonly edges: string[] = [];

    /** The id of the node for `key`, declaring it with `shape` and `lines` the first time. */
    node(key: string, name: string, shape: Shape, lines: readonly string[]): string {
        const known = this.ids.get(key);
        if (known !== undefined) return known;
        let base = name.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "node";
        if (/^\d/.test(base) || RESERVED_IDS.has(base.toLowerCase())) base = `n_${base}`;
        let id = base;
        for (let i = 2; this.taken.has(id); i++) id = `${base}_${i}`;
        this.taken.add(id);
        this.ids.set(key, id);
        const [open, close] = SHAPES[shape];
        this.nodes.push(`${id}${open}${label(lines)}${close}`);
        return id;
    }

    /** An edge (`-->`, `-.-`, `---`, `<-->`), labelled with `lines` if any; the same edge twice is drawn once. */
    edge(from: string, to: string, arrow = "-->", lines: readonly string[] = []): void {
        const edge = `${from} ${arrow}${lines.length ? `|${label(lines)}|` : ""} ${to}`;
        if (!this.edges.includes(edge)) this.edges.push(edge);
    }

    text(): string {
        return ["flowchart TB", ...this.nodes, ...this.edges].map((l, i) => (i === 0 ? l : `    ${l}`)).join("\n");
    }
}

/** By name, then by URN (unique), so that the order never depends on the order of registration. */
const byName = (a: RecordedResource, b: RecordedResource) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0;
/** A resource's name as GCP holds it: its `name` input, else its Pulumi name (what the mock runtime gives it). */
const gcpName = (r: RecordedResource): string => (typeof r.inputs.name === "string" ? r.inputs.name : r.name);

/** Lookups over the recorded resources, each answer sorted by name. */
class Resources {
    constructor(readonly all: readonly RecordedResource[]) {}

    ofType(...types: string[]): RecordedResource[] {
        return this.all.filter((r) => types.includes(r.type)).sort(byName);
    }

    /** The resources of `types` that `r` depends on. */
    dependencies(r: RecordedResource, ...types: string[]): RecordedResource[] {
        return this.ofType(...types).filter((d) => r.dependencies.includes(d.urn));
    }

    /** The resources of `types` that depend on `r`. */
    dependents(r: RecordedResource, ...types: string[]): RecordedResource[] {
        return this.ofType(...types).filter((d) => d.dependencies.includes(r.urn));
    }
}

/** Where one URL map sends every path it names and each probe, for each host it routes by name and for any other. */
interface MapRoutes {
    /** Whether the map routes by host name: then its rows carry the host, and `undefined` is any other host. */
    readonly byHost: boolean;
    readonly rows: readonly RouteTableRow[];
}

function mapRoutes(urlMap: RecordedResource): MapRoutes {
    const hosts = routedHosts(urlMap.inputs);
    const byHost = hosts[0] !== undefined;
    const rows = (byHost ? [...hosts, undefined] : [undefined]).flatMap((host) =>
        routeTable(urlMap.inputs, PROBE_PATHS, host),
    );
    return { byHost, rows };
}

/** What a refused path is, in the refused node's summary. */
const REFUSED_KINDS: readonly (readonly [string, OllamaPathKind])[] = [
    ["admin", "admin"],
    ["unscreened inference", "unscreened-inference"],
    ["inference", "screened-inference"],
    ["read-only", "read-only"],
    ["unknown", "unknown"],
];

/** The width past which Mermaid wraps a label's line by itself (200 px), in characters of its default font. */
const LINE_WIDTH = 28;

/**
 * `items` joined with commas in lines of at most {@link LINE_WIDTH} characters (an item longer than that alone on its
 * line), the first line prefixed with `head`, or `head` on a line of its own when the first item does not fit after it.
 */
function wrapped(head: string, items: readonly string[]): string[] {
    const lines: string[] = [];
    let line = head;
    for (const item of items) {
        const next = line === head ? `${line}${item}` : `${line}, ${item}`;
        if (line.trim() !== "" && next.length + 1 > LINE_WIDTH) {
            lines.push(line === head ? head.trimEnd() : `${line},`);
            line = item;
        } else {
            line = next;
        }
    }
    if (line !== head) lines.push(line);
    return lines;
}

/** Who may call through `backend`, as the access node says it; the key tells distinct modes apart. */
function accessOf(backend: RecordedResource, resources: Resources): { key: string; lines: string[]; iap: boolean } {
    if (backend.inputs.loadBalancingScheme === "INTERNAL_MANAGED") {
        return { key: "internal", lines: ["who may call", "internal:", "clients in the VPC only"], iap: false };
    }
    if (backend.inputs.iap?.enabled === true) {
        const accessors = resources
            .dependents(backend, TYPES.iapBackendServiceIamMember)
            .map((r) => String(r.inputs.member))
            .sort();
        return { key: `iap:${accessors.join(",")}`, lines: ["who may call", "IAP: only", ...accessors], iap: true };
    }
    return { key: "public", lines: ["who may call", "public:", "anyone on the internet"], iap: false };
}

/** The TLS a proxy terminates with: its certificate and its SSL policy. */
function tlsOf(proxy: RecordedResource, resources: Resources): string[] {
    const lines: string[] = [];
    for (const cert of resources.dependencies(proxy, TYPES.certificateManagerCertificate)) {
        const domains: string[] = cert.inputs.managed?.domains ?? [];
        lines.push(domains.length ? "managed certificate:" : "Certificate Manager certificate", ...domains);
    }
    for (const cert of resources.dependencies(proxy, TYPES.sslCertificate)) {
        const selfSigned = resources.dependencies(cert, TYPES.tlsSelfSignedCert).length > 0;
        lines.push(selfSigned ? "self-signed certificate" : `certificate ${cert.name}`);
    }
    for (const policy of resources.dependencies(proxy, TYPES.sslPolicy)) {
        const version = /^TLS_(\d)_(\d)$/.exec(String(policy.inputs.minTlsVersion));
        lines.push(
            `${version ? `TLS ${version[1]}.${version[2]}+` : "TLS"} (${policy.inputs.profile ?? "SSL policy"})`,
        );
    }
    return lines;
}

/**
 * The flowchart of what `resources` (one plan's) build: Mermaid source, starting `flowchart TB`, without a last
 * newline.
 */
export function renderDiagram(recorded: readonly RecordedResource[]): string {
    const resources = new Resources(recorded);
    const chart = new Flowchart();
    const clients = chart.node("clients", "clients", "stadium", ["clients"]);

    const proxyOf = (rule: RecordedResource) => resources.dependencies(rule, TYPES.httpsProxy, TYPES.httpProxy)[0];
    const mapOf = (proxy: RecordedResource | undefined) =>
        proxy === undefined ? undefined : resources.dependencies(proxy, TYPES.urlMap)[0];
    // HTTPS rules first, then by name: the main path is drawn first.
    const rules = resources
        .ofType(TYPES.forwardingRule)
        .map((rule) => ({ rule, proxy: proxyOf(rule) }))
        .sort((a, b) => Number(a.proxy?.type !== TYPES.httpsProxy) - Number(b.proxy?.type !== TYPES.httpsProxy));

    // Who may call: from the backend services the rules' URL maps use.
    const backends = [
        ...new Set(
            rules.flatMap(({ proxy }) => {
                const urlMap = mapOf(proxy);
                return urlMap ? resources.dependencies(urlMap, TYPES.backendService) : [];
            }),
        ),
    ].sort(byName);
    const accessNodes: string[] = [];
    for (const access of backends.map((b) => accessOf(b, resources))) {
        const id = chart.node(`access:${access.key}`, "access", "hexagon", access.lines);
        if (accessNodes.includes(id)) continue;
        accessNodes.push(id);
        chart.edge(clients, id);
        if (access.iap) {
            const refused = chart.node("iap-refused", "iap_refused", "box", ["refused by IAP", "401 / 302 / 403"]);
            chart.edge(id, refused, "-->", ["anyone else"]);
        }
    }
    const callers = accessNodes.length > 0 ? accessNodes : [clients];

    const routesOf = new Map<string, MapRoutes>();
    const ruleIds = new Map<string, string>();
    for (const { rule, proxy } of rules) {
        const address = resources.dependencies(rule, TYPES.address)[0];
        let entry: string | undefined;
        if (address) {
            const internal = address.inputs.addressType === "INTERNAL";
            const records = resources
                .dependents(address, TYPES.dnsRecordSet)
                .map((r) => `${r.inputs.type} ${r.inputs.name} (zone ${r.inputs.managedZone})`);
            entry = chart.node(address.urn, address.name, "box", [
                internal ? "internal address" : "static IP",
                address.name,
                internal
                    ? `subnet ${lastSegment(address.inputs.subnetwork)}${address.inputs.address ? ` ${address.inputs.address}` : ""}`
                    : `${address.inputs.addressType ?? "EXTERNAL"}, ${address.inputs.networkTier ?? "PREMIUM"} tier`,
                ...records,
            ]);
            for (const caller of callers) chart.edge(caller, entry);
        }
        const ruleId = chart.node(rule.urn, rule.name, "box", [
            `${proxy?.type === TYPES.httpProxy ? "HTTP" : "HTTPS"} :${rule.inputs.portRange} forwarding rule`,
            rule.name,
            ...(proxy && proxy.type === TYPES.httpsProxy ? tlsOf(proxy, resources) : []),
        ]);
        ruleIds.set(rule.urn, ruleId);
        for (const caller of entry ? [entry] : callers) chart.edge(caller, ruleId);
        for (const subnet of resources.dependencies(rule, TYPES.subnetwork)) {
            const id = chart.node(subnet.urn, subnet.name, "box", [
                "proxy-only subnet",
                subnet.name,
                String(subnet.inputs.ipCidrRange),
            ]);
            chart.edge(id, ruleId, "-.-");
        }
        const urlMap = mapOf(proxy);
        if (urlMap) drawUrlMap(chart, urlMap, resources, routesOf, (id) => chart.edge(ruleId, id));
    }

    // The traffic extensions on the rules, their chains and what each screens.
    for (const { rule, proxy } of rules) {
        const urlMap = mapOf(proxy);
        const routes = urlMap ? routesOf.get(urlMap.urn) : undefined;
        for (const extension of resources.dependents(rule, TYPES.trafficExtension)) {
            const extId = chart.node(extension.urn, extension.name, "box", ["traffic extension", extension.name]);
            chart.edge(ruleIds.get(rule.urn)!, extId, "-.-");
            const screening = readScreening(extension);
            screening.chains.forEach((chain, i) => {
                const chainId = chart.node(`${extension.urn}#${i}`, `${extension.name}-chain-${i + 1}`, "round", [
                    screening.chains.length === 1
                        ? `chain ${chain.name}`
                        : `chain ${i + 1} of ${screening.chains.length}: ${chain.name}`,
                    ...screenedBy(chain, screening, routes),
                    `prompts: ${chain.prompts ?? "UNSCREENED"}`,
                    ...(chain.responses
                        ? [`responses: ${chain.responses}`, "(non-streaming only)"]
                        : ["responses: UNSCREENED"]),
                    `${chain.failOpen ? "FAIL OPEN" : "fail closed"}, timeout ${chain.timeout ?? "default"}`,
                ]);
                chart.edge(extId, chainId);
                const region = /^modelarmor\.([a-z0-9-]+)\.rep\.googleapis\.com$/.exec(chain.service ?? "")?.[1];
                const armor = chart.node(`armor:${chain.service}`, "model_armor", "cylinder", [
                    "Model Armor",
                    ...(region ? [region] : [chain.service ?? "(no endpoint)"]),
                ]);
                const sides = [chain.prompts && "prompts", chain.responses && "responses"].filter(Boolean) as string[];
                chart.edge(chainId, armor, "<-->", sides.length ? [sides.join(" and ")] : ["nothing"]);
            });
        }
    }
    return chart.text();
}

/** The paths a chain screens: each routed row it is the first to select, and whose bodies Model Armor reads. */
function screenedBy(chain: Chain, screening: Screening, routes: MapRoutes | undefined): string[] {
    if (chain.condition === undefined) return ["condition not readable: selects nothing known"];
    const rows = (routes?.rows ?? []).filter((row) => row.screened && chainFor(row, screening) === chain);
    if (rows.length === 0) return ["screens no routed path"];
    const hosts = [...new Set(rows.map((r) => r.host))];
    return hosts.flatMap((host) => {
        const paths = rows.filter((r) => r.host === host).map((r) => r.path);
        return host === undefined ? wrapped("screens ", paths) : [`screens ${host}:`, ...wrapped("", paths)];
    });
}

/** Draws a URL map (linked by `link`), where it routes and what it refuses. */
function drawUrlMap(
    chart: Flowchart,
    urlMap: RecordedResource,
    resources: Resources,
    routesOf: Map<string, MapRoutes>,
    link: (id: string) => void,
): void {
    let routes: MapRoutes;
    try {
        routes = mapRoutes(urlMap);
    } catch (e) {
        const id = chart.node(urlMap.urn, urlMap.name, "rhombus", [
            "URL map",
            urlMap.name,
            `routes cannot be computed: ${(e as Error).message}`,
        ]);
        return link(id);
    }
    routesOf.set(urlMap.urn, routes);
    const { rows, byHost } = routes;
    const redirects = [...new Set(rows.map((r) => (r.route.kind === "redirect" ? r.route.status : undefined)))];
    if (redirects.length === 1 && redirects[0] !== undefined) {
        const https = rows.every((r) => r.route.kind === "redirect" && r.route.redirect.httpsRedirect === true);
        const id = chart.node(urlMap.urn, urlMap.name, "rhombus", [
            "URL map",
            urlMap.name,
            "every path:",
            `${redirects[0]} redirect${https ? " to HTTPS" : ""}`,
        ]);
        return link(id);
    }
    const mapId = chart.node(urlMap.urn, urlMap.name, "rhombus", ["URL map", urlMap.name]);
    link(mapId);
    const screening = screeningOf(urlMap, [...resources.all]);
    const hostLine = (host: string | undefined) =>
        !byHost ? [] : host === undefined ? ["any other Host, or the IP address"] : [`Host ${host}`];
    const hosts = [...new Set(rows.map((r) => r.host))];
    // Routed paths: an edge per host and backend service, naming each path (and its rewrite).
    for (const host of hosts) {
        const routed = rows.filter((r) => r.host === host && r.route.kind === "backend");
        const services = [...new Set(routed.map((r) => (r.route.kind === "backend" ? r.route.service : "")))];
        for (const service of services) {
            const paths = routed
                .filter((r) => r.route.kind === "backend" && r.route.service === service)
                .map((r) => {
                    const rewritten = r.route.kind === "backend" ? r.route.rewrittenPath : undefined;
                    const unscreened = r.ollamaKind !== "read-only" && !(r.screened && chainFor(r, screening));
                    return `${r.path}${rewritten ? ` as ${rewritten}` : ""}${unscreened ? " UNSCREENED" : ""}`;
                });
            drawBackend(chart, service, urlMap, resources, (id) =>
                chart.edge(mapId, id, "-->", [...hostLine(host), ...paths]),
            );
        }
    }
    // Refused paths, summarised by status and kind; any other host is one line when it is refused every path.
    const unnamedRefused = byHost && rows.filter((r) => r.host === undefined).every((r) => r.route.kind === "refused");
    const refused = rows.filter((r) => r.route.kind === "refused" && !(unnamedRefused && r.host === undefined));
    const statuses = [...new Set(refused.map((r) => (r.route.kind === "refused" ? r.route.status : 0)))];
    for (const status of statuses) {
        const paths = [
            ...new Set(
                refused.filter((r) => r.route.kind === "refused" && r.route.status === status).map((r) => r.path),
            ),
        ];
        const kinds = REFUSED_KINDS.flatMap(([name, kind]) =>
            wrapped(
                `${name}: `,
                paths.filter((p) => classifyOllamaPath(p) === kind),
            ),
        );
        const id = chart.node(`${urlMap.urn}:refused:${status}`, `refused_${status}`, "box", [
            `refused ${status}`,
            "by the load balancer",
            ...kinds,
        ]);
        const others = [byHost ? "any other path of each Host" : "any other path"];
        if (unnamedRefused) others.push("any other Host, or the IP address");
        chart.edge(mapId, id, "-->", others);
    }
    if (statuses.length === 0 && unnamedRefused) {
        const status = rows.find((r) => r.host === undefined && r.route.kind === "refused")?.route;
        const id = chart.node(`${urlMap.urn}:refused:unnamed`, "refused", "box", [
            `refused ${status?.kind === "refused" ? status.status : ""} by the load balancer`,
        ]);
        chart.edge(mapId, id, "-->", ["any other Host, or the IP address"]);
    }
    // Redirects of some paths only (a map that redirects every path says so in its own node).
    for (const status of redirects.filter((s): s is number => s !== undefined)) {
        const paths = rows.filter((r) => r.route.kind === "redirect" && r.route.status === status).map((r) => r.path);
        const id = chart.node(`${urlMap.urn}:redirect:${status}`, `redirect_${status}`, "box", [`${status} redirect`]);
        chart.edge(mapId, id, "-->", wrapped("", [...new Set(paths)]));
    }
}

/**
 * Draws the backend service a URL map routes to (`service`: its self link, matched with the map's dependencies by
 * name; linked by `link`), its NEGs, their Cloud Run services, the services' buckets and pull jobs.
 */
function drawBackend(
    chart: Flowchart,
    service: string,
    urlMap: RecordedResource,
    resources: Resources,
    link: (id: string) => void,
): void {
    const name = lastSegment(service)!;
    const backend = resources.dependencies(urlMap, TYPES.backendService).find((b) => gcpName(b) === name);
    if (!backend)
        return link(chart.node(`backend:${service}`, name, "box", ["backend service", name, "(not in the plan)"]));
    const armor = lastSegment(backend.inputs.securityPolicy);
    const backendId = chart.node(backend.urn, backend.name, "box", [
        "backend service",
        backend.name,
        ...(armor ? [`Cloud Armor ${armor}`] : []),
    ]);
    link(backendId);
    for (const neg of resources.dependencies(backend, TYPES.networkEndpointGroup)) {
        const negId = chart.node(neg.urn, neg.name, "box", [
            neg.inputs.networkEndpointType === "SERVERLESS" ? "serverless NEG" : "NEG",
            neg.name,
        ]);
        chart.edge(backendId, negId);
        const runName = neg.inputs.cloudRun?.service;
        for (const run of resources.ofType(TYPES.cloudRunService).filter((s) => gcpName(s) === runName)) {
            drawCloudRun(chart, run, resources, (id) => chart.edge(negId, id));
        }
    }
}

/** Draws a Cloud Run service (linked by `link`), its model bucket and the job that pulls its models. */
function drawCloudRun(chart: Flowchart, run: RecordedResource, resources: Resources, link: (id: string) => void): void {
    const template = run.inputs.template ?? {};
    const container = template.containers?.[0] ?? {};
    const jobs = resources.dependencies(run, TYPES.cloudRunJob);
    const jobContainer = (job: RecordedResource) => job.inputs.template?.template?.containers?.[0] ?? {};
    const models: string[] = [
        ...new Set<string>(jobs.length ? jobs.flatMap((j) => jobContainer(j).args ?? []) : (container.args ?? [])),
    ];
    const gpus = Number(container.resources?.limits?.["nvidia.com/gpu"] ?? 0);
    const accelerator = template.nodeSelector?.accelerator;
    const scaling = template.scaling ?? {};
    const runId = chart.node(run.urn, run.name, "box", [
        "Cloud Run service",
        run.name,
        accelerator ? `GPU: ${gpus > 1 ? `${gpus} x ` : ""}${accelerator}` : "no GPU",
        `models: ${models.length ? models.join(", ") : "none declared"}`,
        `instances: ${scaling.minInstanceCount ?? 0} to ${scaling.maxInstanceCount ?? "?"}`,
        run.inputs.ingress === "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
            ? "ingress: load balancer only"
            : `ingress: ${run.inputs.ingress ?? "all"}`,
    ]);
    link(runId);
    const mountOf = (volumes: any[] | undefined, bucket: RecordedResource) =>
        (volumes ?? []).find((v) => v?.gcs?.bucket === gcpName(bucket))?.gcs;
    const drawBucket = (bucket: RecordedResource) =>
        chart.node(bucket.urn, bucket.name, "cylinder", [
            "model bucket",
            bucket.name,
            ...(bucket.protect ? ["protected"] : []),
        ]);
    for (const bucket of resources.dependencies(run, TYPES.bucket)) {
        const mount = mountOf(template.volumes, bucket);
        if (!mount) continue;
        chart.edge(runId, drawBucket(bucket), "---", [mount.readOnly ? "read-only mount" : "read-write mount"]);
    }
    for (const job of jobs) {
        const jobId = chart.node(job.urn, job.name, "box", [
            "Cloud Run job",
            job.name,
            "pulls the models",
            "before the service starts",
        ]);
        for (const bucket of resources.dependencies(job, TYPES.bucket)) {
            const mount = mountOf(job.inputs.template?.template?.volumes, bucket);
            if (!mount) continue;
            chart.edge(jobId, drawBucket(bucket), "---", [mount.readOnly ? "read-only mount" : "read-write mount"]);
        }
    }
}
