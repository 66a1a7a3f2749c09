/**
 * What the monitoring of a guarded endpoint watches, as plain data: the Cloud Monitoring dashboard definition, the
 * alert policies' conditions and the Cloud Logging filters, built only from the names of `monitoringNames.ts`; and
 * the dashboard drawn as a text grid (for the plan and the README). SDK-free, so the plan and the tests can use it.
 */
import { MODEL_ARMOR_CALLOUT_QUOTA } from "./quotas";
import { MONITORING_SOURCES } from "./monitoringNames";

/** One Cloud Run service of the endpoint, and the templates that screen it. */
export interface MonitoredService {
    /** How the dashboard names it: the gateway's service name, or the Cloud Run service's. */
    readonly label: string;
    /** The Cloud Run service's name (`resource.label.service_name`). */
    readonly cloudRunService: string;
    /** Short template ids (`resource.label.template_id`), not full paths. */
    readonly promptTemplateId: string;
    readonly responseTemplateId: string;
}

/** Everything the dashboard and the alerts filter on; plain strings, known before the update. */
export interface MonitoringTargets {
    /** The dashboard's and the policies' display name prefix, e.g. `guarded-llm prod`. */
    readonly title: string;
    readonly region: string;
    /** The HTTPS forwarding rule's name (`resource.label.forwarding_rule_name`). */
    readonly forwardingRule: string;
    /** An internal Application Load Balancer (access mode internal): its metrics live under `https/internal/`. */
    readonly internal: boolean;
    /** What the URL map answers every path it does not route (403 or 404). */
    readonly refusedPathStatus: number;
    readonly services: readonly MonitoredService[];
    /** The log-based metric counting Model Armor matches: `logging.googleapis.com/user/<name>`. */
    readonly blockMetricType: string;
}

/** Alert thresholds, resolved (the defaults are `EndpointMonitoring`'s). */
export interface AlertThresholds {
    /** Load balancer 5xx responses per minute. */
    readonly failClosedPerMinute: number;
    /** Model Armor matches (blocked prompts and responses) per minute. */
    readonly blockedPerMinute: number;
    /** Mean GPU utilisation of a service, percent. */
    readonly gpuUtilizationPercent: number;
    /** GPU memory utilisation (99th percentile over its instances), percent. */
    readonly gpuMemoryPercent: number;
    /** Sanitize requests per minute, as a percent of the callout quota. */
    readonly calloutQuotaPercent: number;
}

/** How long a condition must hold before an alert opens, per alert. */
export const ALERT_WINDOWS = {
    failClosed: "300s",
    blocked: "300s",
    gpu: "600s",
    quota: "180s",
} as const;

const MINUTE = "60s";

/** The load balancer's metric type and monitored resource, external or internal. */
export function loadBalancerNames(internal: boolean, metric: "request_count" | "total_latencies") {
    return internal
        ? { type: `loadbalancing.googleapis.com/https/internal/${metric}`, resource: "internal_http_lb_rule" }
        : {
              type: `loadbalancing.googleapis.com/https/external/regional/${metric}`,
              resource: "http_external_regional_lb_rule",
          };
}

const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(",");
/** A Monitoring filter term: one value, or `one_of(...)` for several. */
const equalsAny = (field: string, values: readonly string[]) =>
    values.length === 1 ? `${field}="${values[0]}"` : `${field}=one_of(${quoted(values)})`;
const unique = (values: readonly string[]) => [...new Set(values)];

/** A filter on the endpoint's HTTPS forwarding rule. */
export function loadBalancerFilter(
    t: MonitoringTargets,
    metric: "request_count" | "total_latencies",
    extra = "",
): string {
    const { type, resource } = loadBalancerNames(t.internal, metric);
    return [
        `metric.type="${type}"`,
        `resource.type="${resource}"`,
        `resource.label."forwarding_rule_name"="${t.forwardingRule}"`,
        `resource.label."region"="${t.region}"`,
        extra,
    ]
        .filter(Boolean)
        .join(" ");
}

/** A filter on some of the endpoint's Cloud Run services (all of them by default). */
export function cloudRunFilter(
    t: MonitoringTargets,
    metric: string,
    services: readonly MonitoredService[] = t.services,
    extra = "",
): string {
    return [
        `metric.type="run.googleapis.com/${metric}"`,
        `resource.type="cloud_run_revision"`,
        equalsAny(`resource.label."service_name"`, unique(services.map((s) => s.cloudRunService))),
        `resource.label."location"="${t.region}"`,
        extra,
    ]
        .filter(Boolean)
        .join(" ");
}

/** The endpoint's template ids screening one side, each once. */
export const templateIds = (services: readonly MonitoredService[], side: "prompt" | "response") =>
    unique(services.map((s) => (side === "prompt" ? s.promptTemplateId : s.responseTemplateId)));

/**
 * The Cloud Logging filter of Model Armor's sanitize entries for these templates (Logging query language): what the
 * optional sink and `_Default` exclusion select. `matchesOnly` narrows it to the screenings that found a match, which
 * the templates (all INSPECT_AND_BLOCK unless overridden) block: what the log-based metric counts.
 */
export function sanitizeLogFilter(region: string, templates: readonly string[], matchesOnly = false): string {
    return [
        `resource.type="modelarmor.googleapis.com/SanitizeOperation"`,
        `jsonPayload.@type="type.googleapis.com/google.cloud.modelarmor.logging.v1.SanitizeOperationLogEntry"`,
        `resource.labels.location="${region}"`,
        `resource.labels.template_id=(${templates.map((id) => `"${id}"`).join(" OR ")})`,
        ...(matchesOnly ? [`jsonPayload.sanitizationResult.filterMatchState="MATCH_FOUND"`] : []),
    ].join("\n");
}

/** A Monitoring filter on the log-based metric, for the templates given. */
export function blockMetricFilter(t: MonitoringTargets, templates: readonly string[]): string {
    return [
        `metric.type="${t.blockMetricType}"`,
        `resource.type="modelarmor.googleapis.com/SanitizeOperation"`,
        equalsAny(`resource.label."template_id"`, templates),
    ].join(" ");
}

/** Model Armor's own count of sanitize requests, every template of the project. */
export const SANITIZE_REQUESTS_FILTER = `metric.type="modelarmor.googleapis.com/template/request_count" resource.type="modelarmor.googleapis.com/Template"`;

// --- the dashboard -------------------------------------------------------------------------------------------------

interface Aggregation {
    alignmentPeriod: string;
    perSeriesAligner: string;
    crossSeriesReducer?: string;
    groupByFields?: string[];
}
interface DataSet {
    timeSeriesQuery: { timeSeriesFilter: { filter: string; aggregation: Aggregation } };
    plotType: "LINE" | "STACKED_BAR";
    legendTemplate?: string;
    minAlignmentPeriod: string;
}
interface Widget {
    title: string;
    xyChart?: { dataSets: DataSet[]; thresholds?: { value: number; label: string }[]; yAxis: { label: string } };
    text?: { content: string; format: "MARKDOWN" };
}
/** A tile of the dashboard's mosaic layout (48 columns). */
export interface Tile {
    /** Left out at 0: the API does not return zero positions, and a stored 0 would show as a change on every update. */
    xPos?: number;
    yPos?: number;
    width: number;
    height: number;
    widget: Widget;
}
/** The dashboard definition, as `gcp.monitoring.Dashboard.dashboardJson` takes it. */
export interface DashboardDefinition {
    displayName: string;
    mosaicLayout: { columns: number; tiles: Tile[] };
}

const COLUMNS = 48;
const CHART_HEIGHT = 16;
const NOTE_HEIGHT = 6;

const dataSet = (
    filter: string,
    aggregation: Aggregation,
    legendTemplate?: string,
    plotType: DataSet["plotType"] = "LINE",
): DataSet => ({
    timeSeriesQuery: { timeSeriesFilter: { filter, aggregation } },
    plotType,
    minAlignmentPeriod: MINUTE,
    ...(legendTemplate ? { legendTemplate } : {}),
});
const perMinute = (groupByFields?: string[]): Aggregation => ({
    alignmentPeriod: MINUTE,
    perSeriesAligner: "ALIGN_DELTA",
    crossSeriesReducer: "REDUCE_SUM",
    ...(groupByFields ? { groupByFields } : {}),
});
type Threshold = { value: number; label: string };
const chart = (title: string, yAxis: string, dataSets: DataSet[], thresholds: Threshold[] = []): Widget => ({
    title,
    xyChart: { dataSets, yAxis: { label: yAxis }, ...(thresholds.length > 0 ? { thresholds } : {}) },
});
const lines = (...thresholds: Threshold[]) => thresholds;

/** The rows of the dashboard, top to bottom; each row's widgets share its width equally. */
function dashboardRows(t: MonitoringTargets, a: AlertThresholds): Widget[][] {
    const refused = t.refusedPathStatus;
    const quota = MODEL_ARMOR_CALLOUT_QUOTA.perMinute;
    const note: Widget = {
        title: `${t.title}: how to read this dashboard`,
        text: {
            format: "MARKDOWN",
            content: [
                `Load balancer \`${t.forwardingRule}\` (${t.internal ? "internal" : "external"}, ${t.region}); per-minute counts unless a chart says otherwise.`,
                `**Refused by the allowlist**: the load balancer's ${refused}s minus Cloud Run's own ${refused}s (an unknown model) is what the URL map refused itself${refused === 403 ? " (IAP's refusals and Model Armor's 403 blocks count among the load balancer's 403s too)" : ""}.`,
                `**Fail-closed 500s**: no metric label says a Model Armor callout failed; the load balancer's 5xx minus Cloud Run's 5xx is what the load balancer answered itself (callout failures, timeouts, quota). The request log's \`service_extension_info\` names the cause.`,
                `**Model Armor blocks** come from a log-based metric over Model Armor's sanitize entries: a template whose \`logSanitizeOperations\` is off counts nothing.`,
            ].join("\n\n"),
        },
    };
    const lb = [
        chart("Requests at the load balancer, by response code", "requests/s", [
            dataSet(
                loadBalancerFilter(t, "request_count"),
                {
                    alignmentPeriod: MINUTE,
                    perSeriesAligner: "ALIGN_RATE",
                    crossSeriesReducer: "REDUCE_SUM",
                    groupByFields: ["metric.label.response_code"],
                },
                undefined,
                "STACKED_BAR",
            ),
        ]),
        chart("Latency at the load balancer (p95), by response code class", "ms", [
            dataSet(loadBalancerFilter(t, "total_latencies"), {
                alignmentPeriod: MINUTE,
                perSeriesAligner: "ALIGN_DELTA",
                crossSeriesReducer: "REDUCE_PERCENTILE_95",
                groupByFields: ["metric.label.response_code_class"],
            }),
        ]),
    ];
    const guard = [
        chart(`${refused}s, load balancer vs Cloud Run: the gap is the allowlist`, "responses/min", [
            dataSet(
                loadBalancerFilter(t, "request_count", `metric.label."response_code"=${refused}`),
                perMinute(),
                `load balancer ${refused}`,
            ),
            dataSet(
                cloudRunFilter(t, "request_count", t.services, `metric.label."response_code"="${refused}"`),
                perMinute(),
                `Cloud Run ${refused}`,
            ),
        ]),
        chart("Model Armor blocks, by direction", "blocks/min", [
            ...(["prompt", "response"] as const).map((side) => {
                const ids = templateIds(t.services, side);
                return dataSet(
                    blockMetricFilter(t, ids),
                    perMinute(ids.length > 1 ? ["resource.label.template_id"] : undefined),
                    ids.length > 1 ? `${side}s: \${resource.labels.template_id}` : `${side}s`,
                );
            }),
        ]),
        chart(
            "5xx, load balancer vs Cloud Run: the gap is fail-closed callouts",
            "responses/min",
            [
                dataSet(
                    loadBalancerFilter(t, "request_count", `metric.label."response_code_class"=500`),
                    perMinute(),
                    "load balancer 5xx",
                ),
                dataSet(
                    cloudRunFilter(t, "request_count", t.services, `metric.label."response_code_class"="5xx"`),
                    perMinute(),
                    "Cloud Run 5xx",
                ),
            ],
            lines({ value: a.failClosedPerMinute, label: "alert" }),
        ),
        chart(
            "Model Armor sanitize requests vs the callout quota",
            "requests/min",
            [dataSet(SANITIZE_REQUESTS_FILTER, perMinute(), "sanitize requests (project)")],
            lines(
                { value: quota, label: `quota ${quota}/min` },
                { value: (quota * a.calloutQuotaPercent) / 100, label: "alert" },
            ),
        ),
    ];
    const perService = t.services.map((s) => [
        chart(`${s.label}: instances`, "instances", [
            dataSet(
                cloudRunFilter(t, "container/instance_count", [s]),
                {
                    alignmentPeriod: MINUTE,
                    perSeriesAligner: "ALIGN_MAX",
                    crossSeriesReducer: "REDUCE_SUM",
                    groupByFields: ["metric.label.state"],
                },
                undefined,
                "STACKED_BAR",
            ),
        ]),
        chart(
            `${s.label}: GPU utilisation (mean)`,
            "ratio",
            [
                // The statistic the GPU saturation alert watches, so that its line means what the alert means.
                dataSet(cloudRunFilter(t, "container/gpu/utilizations", [s]), {
                    alignmentPeriod: MINUTE,
                    perSeriesAligner: "ALIGN_MEAN",
                    crossSeriesReducer: "REDUCE_MAX",
                }),
            ],
            lines({ value: a.gpuUtilizationPercent / 100, label: "alert" }),
        ),
        chart(
            `${s.label}: GPU memory (p99)`,
            "ratio",
            [
                dataSet(cloudRunFilter(t, "container/gpu/memory_utilizations", [s]), {
                    alignmentPeriod: MINUTE,
                    perSeriesAligner: "ALIGN_PERCENTILE_99",
                    crossSeriesReducer: "REDUCE_MAX",
                }),
            ],
            lines({ value: a.gpuMemoryPercent / 100, label: "alert" }),
        ),
        chart(`${s.label}: request latency at Cloud Run (p95)`, "ms", [
            dataSet(cloudRunFilter(t, "request_latencies", [s]), {
                alignmentPeriod: MINUTE,
                perSeriesAligner: "ALIGN_DELTA",
                crossSeriesReducer: "REDUCE_PERCENTILE_95",
            }),
        ]),
    ]);
    return [[note], lb, guard, ...perService];
}

/** The endpoint's dashboard: a note, the load balancer, the guard, then one row per Cloud Run service. */
export function dashboardDefinition(t: MonitoringTargets, a: AlertThresholds): DashboardDefinition {
    const tiles: Tile[] = [];
    let yPos = 0;
    for (const row of dashboardRows(t, a)) {
        // Whole columns only: the last tile takes what a division leaves over.
        const width = Math.floor(COLUMNS / row.length);
        const height = row.some((w) => w.text) ? NOTE_HEIGHT : CHART_HEIGHT;
        row.forEach((widget, i) => {
            const last = i === row.length - 1;
            const xPos = i * width;
            tiles.push({
                ...(xPos > 0 ? { xPos } : {}),
                ...(yPos > 0 ? { yPos } : {}),
                width: last ? COLUMNS - xPos : width,
                height,
                widget,
            });
        });
        yPos += height;
    }
    return { displayName: t.title, mosaicLayout: { columns: COLUMNS, tiles } };
}

/**
 * The dashboard's tiles as a text grid: one box per tile, rows in order, each box as wide as its share of the 48
 * columns. What the plan prints and the README shows.
 */
export function renderDashboardGrid(dashboard: DashboardDefinition, width = 100): string[] {
    const { columns } = dashboard.mosaicLayout;
    const tiles = dashboard.mosaicLayout.tiles.map((t) => ({ ...t, xPos: t.xPos ?? 0, yPos: t.yPos ?? 0 }));
    const rows = [...new Set(tiles.map((t) => t.yPos))].sort((a, b) => a - b);
    const at = (x: number) => Math.round((x * (width - 1)) / columns);
    const out: string[] = [];
    const border = (row: typeof tiles) => {
        const chars = Array.from({ length: width }, () => " ");
        for (const t of row) {
            for (let i = at(t.xPos); i <= at(t.xPos + t.width); i++) chars[i] = "-";
            chars[at(t.xPos)] = "+";
            chars[at(t.xPos + t.width)] = "+";
        }
        return chars.join("").trimEnd();
    };
    const pushBorder = (line: string) => {
        // A row's top border merges with the row above's bottom one: corners win over dashes.
        const previous = out[out.length - 1];
        if (previous === undefined || !previous.startsWith("+")) return void out.push(line);
        const merged = Array.from({ length: Math.max(line.length, previous.length) }, (_, i) =>
            line[i] === "+" || previous[i] === "+" ? "+" : (line[i] ?? previous[i]),
        );
        out[out.length - 1] = merged.join("");
    };
    for (const y of rows) {
        const row = tiles.filter((t) => t.yPos === y).sort((a, b) => a.xPos - b.xPos);
        pushBorder(border(row));
        const cells = row.map((t) => ({ t, inner: at(t.xPos + t.width) - at(t.xPos) - 3 }));
        // Titles wrap within their box, at most three lines.
        const wrapped = cells.map(({ t, inner }) => {
            const linesOf: string[] = [];
            for (const word of t.widget.title.split(" ")) {
                const last = linesOf[linesOf.length - 1];
                if (last !== undefined && `${last} ${word}`.length <= inner)
                    linesOf[linesOf.length - 1] = `${last} ${word}`;
                else linesOf.push(word.length > inner ? `${word.slice(0, inner - 1)}~` : word);
            }
            return linesOf.slice(0, 3);
        });
        const height = Math.max(...wrapped.map((w) => w.length));
        for (let line = 0; line < height; line++) {
            const chars = Array.from({ length: width }, () => " ");
            cells.forEach(({ t }, i) => {
                const start = at(t.xPos);
                chars[start] = "|";
                chars[at(t.xPos + t.width)] = "|";
                [...(wrapped[i][line] ?? "")].forEach((c, j) => (chars[start + 2 + j] = c));
            });
            out.push(chars.join("").trimEnd());
        }
        pushBorder(border(row));
    }
    return out;
}

// --- the alert policies --------------------------------------------------------------------------------------------

/** One condition of an alert policy, as `gcp.monitoring.AlertPolicy` takes it. */
export interface ThresholdCondition {
    displayName: string;
    conditionThreshold: {
        filter: string;
        comparison: "COMPARISON_GT";
        thresholdValue: number;
        duration: string;
        aggregations: Aggregation[];
        trigger: { count: number };
    };
}

/** An alert policy, without its notification channels. */
export interface AlertPolicySpec {
    /** Stable key: the policy's resource name suffix. */
    readonly key: "fail-closed" | "block-rate" | "gpu-saturation" | "callout-quota";
    readonly displayName: string;
    readonly severity: "CRITICAL" | "ERROR" | "WARNING";
    readonly conditions: ThresholdCondition[];
    /** Markdown shown with an incident: what the alert means and where to look. */
    readonly documentation: string;
}

const condition = (
    displayName: string,
    filter: string,
    thresholdValue: number,
    duration: string,
    aggregation: Aggregation,
): ThresholdCondition => ({
    displayName,
    conditionThreshold: {
        filter,
        comparison: "COMPARISON_GT",
        thresholdValue,
        duration,
        aggregations: [aggregation],
        trigger: { count: 1 },
    },
});

/** The four alert policies of an endpoint. */
export function alertPolicySpecs(t: MonitoringTargets, a: AlertThresholds): AlertPolicySpec[] {
    const quota = MODEL_ARMOR_CALLOUT_QUOTA.perMinute;
    const quotaThreshold = (quota * a.calloutQuotaPercent) / 100;
    const templates = [...templateIds(t.services, "prompt"), ...templateIds(t.services, "response")];
    const gpu = {
        alignmentPeriod: MINUTE,
        crossSeriesReducer: "REDUCE_MAX",
        groupByFields: ["resource.label.service_name"],
    };
    return [
        {
            key: "fail-closed",
            displayName: `${t.title}: load balancer 5xx (fail-closed callouts among them)`,
            severity: "CRITICAL",
            conditions: [
                condition(
                    `load balancer 5xx above ${a.failClosedPerMinute}/min`,
                    loadBalancerFilter(t, "request_count", `metric.label."response_code_class"=500`),
                    a.failClosedPerMinute,
                    ALERT_WINDOWS.failClosed,
                    perMinute(),
                ),
            ],
            documentation: [
                `More than ${a.failClosedPerMinute} 5xx responses a minute at load balancer \`${t.forwardingRule}\` for ${ALERT_WINDOWS.failClosed}.`,
                "The extension fails closed: a Model Armor callout that fails, times out or exceeds the callout quota is answered 500. No metric label separates those from Ollama's own 5xx: compare with the dashboard's Cloud Run 5xx line, and read the load balancer's request log entries (`service_extension_info.grpc_status`).",
            ].join("\n\n"),
        },
        {
            key: "block-rate",
            displayName: `${t.title}: Model Armor block rate`,
            severity: "WARNING",
            conditions: [
                condition(
                    `Model Armor blocks above ${a.blockedPerMinute}/min`,
                    blockMetricFilter(t, templates),
                    a.blockedPerMinute,
                    ALERT_WINDOWS.blocked,
                    perMinute(),
                ),
            ],
            documentation: [
                `Model Armor blocked more than ${a.blockedPerMinute} prompts or responses a minute for ${ALERT_WINDOWS.blocked}: an attack, a misbehaving client, or a template that has become too strict.`,
                'The sanitize entries in Cloud Logging name the filter that matched (and carry the screened text: see the README\'s "Observing it").',
            ].join("\n\n"),
        },
        {
            key: "gpu-saturation",
            displayName: `${t.title}: GPU saturation`,
            severity: "WARNING",
            conditions: [
                condition(
                    `mean GPU utilisation above ${a.gpuUtilizationPercent}%`,
                    cloudRunFilter(t, "container/gpu/utilizations"),
                    a.gpuUtilizationPercent / 100,
                    ALERT_WINDOWS.gpu,
                    { ...gpu, perSeriesAligner: "ALIGN_MEAN" },
                ),
                condition(
                    `GPU memory above ${a.gpuMemoryPercent}%`,
                    cloudRunFilter(t, "container/gpu/memory_utilizations"),
                    a.gpuMemoryPercent / 100,
                    ALERT_WINDOWS.gpu,
                    { ...gpu, perSeriesAligner: "ALIGN_PERCENTILE_99" },
                ),
            ],
            documentation: `A service's GPUs have been busy (or their memory full) for ${ALERT_WINDOWS.gpu}: requests queue for a slot. Raise maxInstances (within the GPU quota), lower concurrency, or serve a smaller model.`,
        },
        {
            key: "callout-quota",
            displayName: `${t.title}: Model Armor callout quota`,
            severity: "ERROR",
            conditions: [
                condition(
                    `sanitize requests above ${a.calloutQuotaPercent}% of ${quota}/min`,
                    SANITIZE_REQUESTS_FILTER,
                    quotaThreshold,
                    ALERT_WINDOWS.quota,
                    perMinute(),
                ),
            ],
            documentation: [
                `Model Armor received more than ${quotaThreshold} sanitize requests a minute in this project for ${ALERT_WINDOWS.quota}: ${a.calloutQuotaPercent}% of the ${quota}/min quota on requests from load balancers. Past the quota, callouts fail and every screened request is answered 500 (${MONITORING_SOURCES.modelArmorQuotas}).`,
                "The count is Model Armor's `template/request_count` over every template of the project: each screened request costs one sanitize request per screened direction (two with `screen: both`), and direct API callers count too, so the chart errs high. Whether the quota counts callout streams or sanitize requests is not documented. Raise the quota, or throttle clients with Cloud Armor.",
            ].join("\n\n"),
        },
    ];
}
