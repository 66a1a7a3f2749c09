/**
 * Every metric type, monitored-resource type, log-entry type and log field the monitoring of an endpoint uses, each
 * with the Google page that documents it: ONE table. `undocumentedNames` checks a filter (Cloud Monitoring or Cloud
 * Logging syntax) against it, so that a dashboard, a log-based metric or an alert policy naming anything else fails
 * the tests (test/endpointMonitoring.test.ts) instead of charting an empty line in production.
 *
 * The lists below were read in 2026 from Google's generated lists ("last generated at 2026-04-10"): check them again
 * before relying on a metric whose launch stage is BETA.
 */

/** Google's pages the names come from. */
export const MONITORING_SOURCES = {
    loadBalancingMetrics: "https://docs.cloud.google.com/monitoring/api/metrics_gcp_i_o#gcp-loadbalancing",
    modelArmorMetrics: "https://docs.cloud.google.com/monitoring/api/metrics_gcp_i_o#gcp-modelarmor",
    cloudRunMetrics: "https://docs.cloud.google.com/monitoring/api/metrics_gcp_p_z#gcp-run",
    monitoredResources: "https://docs.cloud.google.com/monitoring/api/resources",
    logBasedMetrics: "https://cloud.google.com/logging/docs/logs-based-metrics",
    userMetricPrefix: "https://docs.cloud.google.com/monitoring/api/metrics_gcp_i_o#gcp-monitoring",
    modelArmorLogging: "https://docs.cloud.google.com/model-armor/configure-logging",
    sanitizationResult: "https://docs.cloud.google.com/model-armor/reference/rest/v1/SanitizationResult",
    logExclusions: "https://docs.cloud.google.com/logging/docs/reference/v2/rest/v2/projects.exclusions",
    logBuckets: "https://cloud.google.com/logging/docs/routing/overview",
    modelArmorQuotas: "https://cloud.google.com/model-armor/quotas",
    calloutLogging: "https://docs.cloud.google.com/service-extensions/docs/monitor-lb-callouts",
} as const;

/** What kind of name a row documents. */
export type DocumentedNameKind = "metric" | "metricPrefix" | "resource" | "logType" | "logField";

/** One documented name. */
export interface DocumentedName {
    readonly kind: DocumentedNameKind;
    /** The name exactly as a filter writes it (`metric.type="<name>"`, `resource.type="<name>"`, a `jsonPayload` path). */
    readonly name: string;
    /** Metric labels (metrics) or resource labels (resources) the page lists; a filter may use no others. */
    readonly labels?: readonly string[];
    /** The monitored-resource types a metric is written against. */
    readonly resources?: readonly string[];
    readonly source: string;
    /** What is not confirmed by Google's text, when something is. */
    readonly caveat?: string;
}

const LB_LABELS = ["protocol", "response_code", "response_code_class", "cache_result", "client_country"] as const;
const LB_INTERNAL_LABELS = ["protocol", "response_code", "response_code_class", "cache_result"] as const;
const LB_RESOURCE_LABELS = [
    "project_id",
    "network_name",
    "region",
    "url_map_name",
    "forwarding_rule_name",
    "target_proxy_name",
    "matched_url_path_rule",
    "backend_target_name",
    "backend_target_type",
    "backend_name",
    "backend_type",
    "backend_scope",
    "backend_scope_type",
] as const;
const RUN_RESPONSE_LABELS = ["response_code", "response_code_class", "route"] as const;
const GPU_LABELS = ["container_name", "gpu_number"] as const;
const MODEL_ARMOR_RESOURCE_LABELS = ["resource_container", "location", "template_id"] as const;

const { loadBalancingMetrics, cloudRunMetrics, monitoredResources, modelArmorMetrics } = MONITORING_SOURCES;
const metric = (
    name: string,
    resources: readonly string[],
    labels: readonly string[],
    source: string,
    caveat?: string,
): DocumentedName => ({ kind: "metric", name, resources, labels, source, ...(caveat ? { caveat } : {}) });
const resource = (name: string, labels: readonly string[], caveat?: string): DocumentedName => ({
    kind: "resource",
    name,
    labels,
    source: monitoredResources,
    ...(caveat ? { caveat } : {}),
});

/** The table: every name the monitoring may use. */
export const DOCUMENTED_NAMES: readonly DocumentedName[] = [
    // Regional external Application Load Balancer (access iap or public).
    metric(
        "loadbalancing.googleapis.com/https/external/regional/request_count",
        ["http_external_regional_lb_rule"],
        LB_LABELS,
        loadBalancingMetrics,
    ),
    metric(
        "loadbalancing.googleapis.com/https/external/regional/total_latencies",
        ["http_external_regional_lb_rule"],
        LB_LABELS,
        loadBalancingMetrics,
    ),
    // Regional internal Application Load Balancer (access internal).
    metric(
        "loadbalancing.googleapis.com/https/internal/request_count",
        ["internal_http_lb_rule"],
        LB_INTERNAL_LABELS,
        loadBalancingMetrics,
    ),
    metric(
        "loadbalancing.googleapis.com/https/internal/total_latencies",
        ["internal_http_lb_rule"],
        LB_INTERNAL_LABELS,
        loadBalancingMetrics,
    ),
    // Cloud Run.
    metric(
        "run.googleapis.com/request_count",
        ["cloud_run_revision"],
        RUN_RESPONSE_LABELS,
        cloudRunMetrics,
        'the list names response_code and response_code_class (string labels) but not their values: "404" and "5xx" are the spellings public dashboards use',
    ),
    metric("run.googleapis.com/request_latencies", ["cloud_run_revision"], RUN_RESPONSE_LABELS, cloudRunMetrics),
    metric("run.googleapis.com/container/instance_count", ["cloud_run_revision"], ["state"], cloudRunMetrics),
    metric("run.googleapis.com/container/gpu/utilizations", ["cloud_run_revision"], GPU_LABELS, cloudRunMetrics),
    metric("run.googleapis.com/container/gpu/memory_utilizations", ["cloud_run_revision"], GPU_LABELS, cloudRunMetrics),
    // Model Armor's own metric (BETA): every sanitize request, project-wide, whatever the caller.
    metric(
        "modelarmor.googleapis.com/template/request_count",
        ["modelarmor.googleapis.com/Template"],
        ["match_found", "operation_type", "client_name", "sanitization_verdict"],
        modelArmorMetrics,
        "BETA; which client_name the load balancer's callouts carry is not documented, so the quota chart counts every caller",
    ),
    {
        kind: "metricPrefix",
        name: "logging.googleapis.com/user/",
        source: `${MONITORING_SOURCES.userMetricPrefix} (monitoring/stats/num_time_series), ${MONITORING_SOURCES.logBasedMetrics}`,
    },
    resource("http_external_regional_lb_rule", LB_RESOURCE_LABELS),
    resource("internal_http_lb_rule", LB_RESOURCE_LABELS),
    resource("cloud_run_revision", ["project_id", "service_name", "revision_name", "location", "configuration_name"]),
    resource("modelarmor.googleapis.com/Template", MODEL_ARMOR_RESOURCE_LABELS),
    resource(
        "modelarmor.googleapis.com/SanitizeOperation",
        MODEL_ARMOR_RESOURCE_LABELS,
        "listed among Cloud Monitoring's monitored resources (where the log-based metric's time series are written); that Model Armor's sanitize log entries carry this resource type is seen in public log samples, not stated on the Model Armor pages read",
    ),
    {
        kind: "logType",
        name: "type.googleapis.com/google.cloud.modelarmor.logging.v1.SanitizeOperationLogEntry",
        source: MONITORING_SOURCES.modelArmorLogging,
        caveat: "the entry type Google's Configure logging page filters on; its field-level schema is not published",
    },
    {
        kind: "logField",
        name: "jsonPayload.sanitizationResult.filterMatchState",
        source: MONITORING_SOURCES.sanitizationResult,
        caveat: "the field of the API's SanitizationResult; that the log entry carries it under jsonPayload.sanitizationResult is seen in public log samples (UNCONFIRMED)",
    },
];

/** The rows of `kind`, by name. */
export function documented(kind: DocumentedNameKind): ReadonlyMap<string, DocumentedName> {
    return new Map(DOCUMENTED_NAMES.filter((n) => n.kind === kind).map((n) => [n.name, n]));
}

/** A quoted or bare label key after `metric.label.` / `resource.labels.`. */
const LABEL = String.raw`(metric|resource)\.labels?\.(?:"([^"]+)"|(\w+))`;

/**
 * What `filter` names that the table does not document: metric and resource types, labels of the metrics and
 * resources the filter names (or, without a type in the same filter, of any documented one), log entry types and
 * `jsonPayload` fields. `groupByFields` entries (`resource.label.service_name`) are checked the same way. Empty when
 * everything is documented.
 */
export function undocumentedNames(filter: string): string[] {
    const metrics = documented("metric");
    const resources = documented("resource");
    const prefixes = [...documented("metricPrefix").keys()];
    const found: string[] = [];
    const metricTypes = [...filter.matchAll(/metric\.type\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    const resourceTypes = [...filter.matchAll(/resource\.type\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    for (const type of metricTypes) {
        if (!metrics.has(type) && !prefixes.some((p) => type.startsWith(p) && type.length > p.length)) {
            found.push(`metric type "${type}"`);
        }
    }
    for (const type of resourceTypes) {
        if (!resources.has(type)) found.push(`resource type "${type}"`);
    }
    const labelsOf = (rows: ReadonlyMap<string, DocumentedName>, named: string[]) =>
        new Set(
            (named.length > 0 ? named.map((n) => rows.get(n)) : [...rows.values()]).flatMap((r) => r?.labels ?? []),
        );
    const metricLabels = labelsOf(metrics, metricTypes);
    const resourceLabels = labelsOf(resources, resourceTypes);
    for (const m of filter.matchAll(new RegExp(LABEL, "g"))) {
        const [, scope, quoted, bare] = m;
        const label = quoted ?? bare;
        const known = scope === "metric" ? metricLabels : resourceLabels;
        if (!known.has(label)) found.push(`${scope} label "${label}"`);
    }
    for (const m of filter.matchAll(/jsonPayload\.@type\s*=\s*"([^"]+)"/g)) {
        if (!documented("logType").has(m[1])) found.push(`log entry type "${m[1]}"`);
    }
    for (const m of filter.matchAll(/jsonPayload\.(?!@type)([\w.]+)/g)) {
        const field = `jsonPayload.${m[1]}`;
        if (!documented("logField").has(field)) found.push(`log field "${field}"`);
    }
    for (const m of filter.matchAll(/logName\s*[:=]\s*"([^"]+)"/g)) found.push(`log name "${m[1]}"`);
    return found;
}

/**
 * Every filter and `groupByFields` entry in a dashboard definition, an alert policy's conditions or any other plain
 * JSON: the strings under the keys `filter` and `groupByFields`, with their paths.
 */
export function filtersIn(value: unknown, path = ""): { path: string; filter: string }[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => filtersIn(v, `${path}[${i}]`));
    if (value === null || typeof value !== "object") return [];
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
        const at = path ? `${path}.${key}` : key;
        if (key === "filter" && typeof child === "string") return [{ path: at, filter: child }];
        if (key === "groupByFields" && Array.isArray(child)) {
            return child.filter((f) => typeof f === "string").map((f, i) => ({ path: `${at}[${i}]`, filter: f }));
        }
        return filtersIn(child, at);
    });
}
