import * as assert from "assert";
import { MODEL_ARMOR_CALLOUT_QUOTA } from "../components/pure/quotas";
import {
    EndpointMonitoring,
    EndpointMonitoringArgs,
    GuardedLlmEndpoint,
    GuardedLlmEndpointArgs,
    MONITORING_ALERT_DEFAULTS,
} from "../components";
import { DashboardDefinition, renderDashboardGrid } from "../components/pure/monitoringDashboard";
import { DOCUMENTED_NAMES, filtersIn, undocumentedNames } from "../components/pure/monitoringNames";
import { TYPES } from "../components/pure/resourceTypes";
import { RecordedResource } from "../tools/mockRuntime";
import { renderPlan } from "../tools/renderPlan";
import { assertProblems, record, Recorded, refusal, shippedPlan } from "./harness";
import { LOG_METRIC_PROPAGATION_SECONDS } from "../components/endpointMonitoring";

const MONITORING_TYPES = [
    TYPES.dashboard,
    TYPES.alertPolicy,
    TYPES.notificationChannel,
    TYPES.logMetric,
    TYPES.logBucketConfig,
    TYPES.logSink,
    TYPES.logExclusion,
];

const recordedOf = async (stack: string) => new Recorded((await shippedPlan(stack)).resources);
const dashboardOf = (r: Recorded): DashboardDefinition => JSON.parse(r.one(TYPES.dashboard).inputs.dashboardJson);
const titles = (d: DashboardDefinition) => d.mosaicLayout.tiles.map((t) => t.widget.title);
const tile = (d: DashboardDefinition, title: string) => {
    const found = d.mosaicLayout.tiles.find((t) => t.widget.title === title);
    assert.ok(found, `no tile "${title}" in ${JSON.stringify(titles(d))}`);
    return found.widget;
};
const policy = (r: Recorded, key: string) => r.one(TYPES.alertPolicy, `${key}`);

/** Every filter and groupByFields entry the monitoring resources hold, with where it came from. */
function recordedFilters(r: Recorded): { where: string; filter: string }[] {
    const of = (res: RecordedResource, value: unknown) =>
        filtersIn(value).map(({ path, filter }) => ({ where: `${res.name} ${path}`, filter }));
    return [
        ...r.ofType(TYPES.dashboard).flatMap((d) => of(d, JSON.parse(d.inputs.dashboardJson))),
        ...r.ofType(TYPES.alertPolicy).flatMap((p) => of(p, p.inputs.conditions)),
        ...[TYPES.logMetric, TYPES.logSink, TYPES.logExclusion].flatMap((type) =>
            r.ofType(type).flatMap((res) => of(res, { filter: res.inputs.filter })),
        ),
    ];
}

const ENDPOINT: GuardedLlmEndpointArgs = {
    region: "europe-west4",
    access: { mode: "public" },
    loadBalancer: { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "managed", domains: ["llm.example.com"] } },
    monitoring: { notificationChannels: ["oncall@example.com"] },
};
async function endpoint(args: Partial<GuardedLlmEndpointArgs> = {}) {
    return record(() => new GuardedLlmEndpoint("llm", { ...ENDPOINT, ...args }));
}

const MONITORING: EndpointMonitoringArgs = {
    region: "us-central1",
    forwardingRuleName: "fr",
    loadBalancingScheme: "EXTERNAL_MANAGED",
    services: [
        { label: "svc", cloudRunService: "svc", promptTemplateId: "t-prompt", responseTemplateId: "t-response" },
    ],
    notificationChannels: ["projects/my-project/notificationChannels/42"],
};

describe("EndpointMonitoring", () => {
    describe("in the shipped stacks", () => {
        it("is off unless a stack sets guarded-llm:monitoring: dev and internal build no monitoring resource", async () => {
            for (const stack of ["dev", "internal"]) {
                const r = await recordedOf(stack);
                for (const type of MONITORING_TYPES) assert.deepStrictEqual(r.ofType(type), [], `${stack} ${type}`);
            }
        });

        it("creates the block-rate alert only after its metric has had time to become known, and excludes sanitize entries from _Default only once the sink routes them", async () => {
            const r = await recordedOf("prod");
            const metric = r.one(TYPES.logMetric);
            const wait = r.one(TYPES.timeSleep, "prod-monitoring-block-metric-propagation");
            assert.strictEqual(wait.inputs.createDuration, `${LOG_METRIC_PROPAGATION_SECONDS}s`);
            assert.ok(wait.dependencies.includes(metric.urn));
            const blockRate = r.ofType(TYPES.alertPolicy).find((p) => p.name.endsWith("-block-rate"))!;
            assert.deepStrictEqual(
                blockRate.dependencies.filter((d) => d === wait.urn),
                [wait.urn],
            );
            assert.ok(r.one(TYPES.logExclusion).dependencies.includes(r.one(TYPES.logSink).urn));
        });

        it("prod: one dashboard, the block metric, four alert policies telling the on-call address", async () => {
            const r = await recordedOf("prod");
            const channel = r.one(TYPES.notificationChannel);
            assert.deepStrictEqual(
                [channel.inputs.type, channel.inputs.labels],
                ["email", { email_address: "llm-oncall@example.com" }],
            );
            const policies = r.ofType(TYPES.alertPolicy);
            assert.deepStrictEqual(policies.map((p) => p.name).sort(), [
                "prod-monitoring-block-rate",
                "prod-monitoring-callout-quota",
                "prod-monitoring-fail-closed",
                "prod-monitoring-gpu-saturation",
            ]);
            for (const p of policies) {
                assert.deepStrictEqual(p.inputs.notificationChannels, [
                    "projects/guarded-llm-prod/notificationChannels/prod-monitoring-email-0-id",
                ]);
            }
            const metric = r.one(TYPES.logMetric);
            assert.strictEqual(metric.inputs.name, "prod-monitoring-model-armor-blocks");
            assert.strictEqual(metric.inputs.bucketName, undefined, "project-scoped: exclusions do not blind it");
            assert.match(metric.inputs.filter, /template_id=\("prod-armor-prompt" OR "prod-armor-response"\)/);
            assert.match(metric.inputs.filter, /filterMatchState="MATCH_FOUND"/);
            assert.ok(r.dependsOn(policy(r, "prod-monitoring-block-rate"), metric), "the alert waits for its metric");
        });

        it("prod keeps the sanitize entries 30 days in a regional bucket of their own, out of _Default", async () => {
            const r = await recordedOf("prod");
            const bucket = r.one(TYPES.logBucketConfig).inputs;
            assert.deepStrictEqual(
                [bucket.bucketId, bucket.location, bucket.retentionDays],
                ["prod-monitoring-model-armor", "us-central1", 30],
            );
            const sink = r.one(TYPES.logSink).inputs;
            assert.strictEqual(
                sink.destination,
                "logging.googleapis.com/projects/guarded-llm-prod/locations/us-central1/buckets/prod-monitoring-model-armor",
            );
            const exclusion = r.one(TYPES.logExclusion).inputs;
            assert.strictEqual(exclusion.filter, sink.filter, "what is routed is what is kept out of _Default");
            assert.doesNotMatch(sink.filter, /MATCH_FOUND/, "every sanitize entry of the templates, not only blocks");
        });

        it("prod's dashboard watches its HTTPS rule, its Cloud Run service and its templates", async () => {
            const d = dashboardOf(await recordedOf("prod"));
            assert.deepStrictEqual(titles(d), [
                "guarded-llm prod: how to read this dashboard",
                "Requests at the load balancer, by response code",
                "Latency at the load balancer (p95), by response code class",
                "404s, load balancer vs Cloud Run: the gap is the allowlist",
                "Model Armor blocks, by direction",
                "5xx, load balancer vs Cloud Run: the gap is fail-closed callouts",
                "Model Armor sanitize requests vs the callout quota",
                "prod-ollama: instances",
                "prod-ollama: GPU utilisation (mean)",
                "prod-ollama: GPU memory (p99)",
                "prod-ollama: request latency at Cloud Run (p95)",
            ]);
            const filters = filtersIn(d).map((f) => f.filter);
            const lb = filters.filter((f) => f.includes("loadbalancing.googleapis.com"));
            assert.ok(lb.length > 0 && lb.every((f) => f.includes(`"forwarding_rule_name"="prod-lb-https"`)));
            const run = filters.filter((f) => f.includes("run.googleapis.com"));
            assert.ok(run.length > 0 && run.every((f) => f.includes(`"service_name"="prod-ollama"`)));
            const blocks = tile(d, "Model Armor blocks, by direction").xyChart!.dataSets;
            assert.deepStrictEqual(
                blocks.map((s) => [s.legendTemplate, s.timeSeriesQuery.timeSeriesFilter.filter.split(" ").pop()]),
                [
                    ["prompts", `resource.label."template_id"="prod-armor-prompt"`],
                    ["responses", `resource.label."template_id"="prod-armor-response"`],
                ],
            );
            const refused = tile(d, "404s, load balancer vs Cloud Run: the gap is the allowlist").xyChart!.dataSets.map(
                (s) => s.legendTemplate,
            );
            assert.deepStrictEqual(refused, ["load balancer 404", "Cloud Run 404"]);
        });

        it("fleet: one dashboard with a row of widgets per service; the metric and alerts cover every service", async () => {
            const r = await recordedOf("fleet");
            const d = dashboardOf(r);
            for (const service of ["chat", "coder"]) {
                const row = d.mosaicLayout.tiles.filter((t) => t.widget.title.startsWith(`${service}: `));
                assert.deepStrictEqual(
                    row.map((t) => t.widget.title),
                    [
                        `${service}: instances`,
                        `${service}: GPU utilisation (mean)`,
                        `${service}: GPU memory (p99)`,
                        `${service}: request latency at Cloud Run (p95)`,
                    ],
                );
                assert.ok(new Set(row.map((t) => t.yPos)).size === 1, "one row per service");
                for (const t of row) {
                    assert.match(
                        t.widget.xyChart!.dataSets[0].timeSeriesQuery.timeSeriesFilter.filter,
                        new RegExp(`"service_name"="fleet-${service}"`),
                    );
                }
            }
            // chat shares the gateway's templates; coder has its own (preset strict).
            assert.match(r.one(TYPES.logMetric).inputs.filter, /\("fleet-armor-prompt" OR "fleet-coder-armor-prompt"/);
            const [prompts] = tile(d, "Model Armor blocks, by direction").xyChart!.dataSets;
            assert.deepStrictEqual(prompts.timeSeriesQuery.timeSeriesFilter.aggregation.groupByFields, [
                "resource.label.template_id",
            ]);
            const gpu = policy(r, "fleet-monitoring-gpu-saturation").inputs.conditions;
            assert.match(gpu[0].conditionThreshold.filter, /"service_name"=one_of\("fleet-chat","fleet-coder"\)/);
            const threshold = (key: string) =>
                policy(r, `fleet-monitoring-${key}`).inputs.conditions[0].conditionThreshold.thresholdValue;
            assert.deepStrictEqual([threshold("fail-closed"), threshold("block-rate")], [10, 40], "fleet's own");
            assert.strictEqual(threshold("callout-quota"), 480, "80% of 600/min, the default");
            assert.deepStrictEqual(r.ofType(TYPES.logBucketConfig), [], "fleet keeps the entries in _Default");
        });

        it("the plan draws each dashboard as a grid and says where the screened text lands", async () => {
            const prod = renderPlan(await shippedPlan("prod"));
            assert.match(prod, /\nDashboard "guarded-llm prod":\n {2}\+-+\+\n {2}\| guarded-llm prod: how to read/);
            assert.match(prod, /\n {2}kept in log bucket prod-monitoring-model-armor \(us-central1, 30 days\)\n/);
            const dev = renderPlan(await shippedPlan("dev"));
            assert.doesNotMatch(dev, /\nDashboard /);
            assert.match(dev, /\n {2}written by dev-armor-prompt, dev-armor-response \(logSanitizeOperations\)\n/);
            assert.match(dev, /\n {2}kept in the project's _Default bucket/);
        });
    });

    describe("names Google documents, and nothing else", () => {
        it("every metric type, resource type, label, log entry type and log field recorded is in the table", async () => {
            const internal = await endpoint({
                access: { mode: "internal", subnet: "apps" },
                loadBalancer: { proxySubnetCidr: "192.168.16.0/23", tls: { mode: "managed", domains: ["a.b.c"] } },
                monitoring: { sanitizeLogs: { exclude: true } },
            });
            const plans = [await recordedOf("prod"), await recordedOf("fleet"), internal.resources];
            let checked = 0;
            for (const r of plans) {
                const userMetrics = r
                    .ofType(TYPES.logMetric)
                    .map((m) => `logging.googleapis.com/user/${m.inputs.name}`);
                for (const { where, filter } of recordedFilters(r)) {
                    checked++;
                    assert.deepStrictEqual(undocumentedNames(filter), [], `${where}: ${filter}`);
                    for (const [, type] of filter.matchAll(/metric\.type="(logging\.googleapis\.com\/user\/[^"]+)"/g)) {
                        assert.ok(userMetrics.includes(type), `${where} charts ${type}, which no log metric defines`);
                    }
                }
            }
            assert.ok(checked > 60, `${checked} filters checked`);
            const internalFilters = recordedFilters(internal.resources)
                .map((f) => f.filter)
                .join("\n");
            assert.match(internalFilters, /loadbalancing\.googleapis\.com\/https\/internal\/request_count/);
            assert.match(internalFilters, /resource\.type="internal_http_lb_rule"/);
            assert.doesNotMatch(internalFilters, /external\/regional/);
        });

        it("the check refuses what the table does not hold: types, labels, log fields, log names", () => {
            assert.deepStrictEqual(
                undocumentedNames(
                    'metric.type="run.googleapis.com/container/gpu/utilization" resource.type="cloud_run_revision"',
                ),
                ['metric type "run.googleapis.com/container/gpu/utilization"'],
                "the singular spelling public snippets use is not Google's",
            );
            assert.deepStrictEqual(
                undocumentedNames(
                    'metric.type="loadbalancing.googleapis.com/https/external/regional/request_count" resource.type="http_external_regional_lb_rule" metric.label."proxy_status"="x" resource.label.service_name="s"',
                ),
                ['metric label "proxy_status"', 'resource label "service_name"'],
            );
            assert.deepStrictEqual(undocumentedNames('resource.type="cloud_run_service"'), [
                'resource type "cloud_run_service"',
            ]);
            assert.deepStrictEqual(
                undocumentedNames(
                    'jsonPayload.@type="type.googleapis.com/x.SanitizeLog" jsonPayload.sanitizationVerdict="BLOCK" logName="projects/p/logs/x"',
                ),
                [
                    'log entry type "type.googleapis.com/x.SanitizeLog"',
                    'log field "jsonPayload.sanitizationVerdict"',
                    'log name "projects/p/logs/x"',
                ],
            );
            assert.deepStrictEqual(undocumentedNames('metric.type="logging.googleapis.com/user/"'), [
                'metric type "logging.googleapis.com/user/"',
            ]);
            assert.deepStrictEqual(undocumentedNames("metric.label.nope"), ['metric label "nope"']);
            assert.deepStrictEqual(
                filtersIn({ a: [{ filter: "x", aggregation: { groupByFields: ["y"] } }] }).map((f) => f.path),
                ["a[0].filter", "a[0].aggregation.groupByFields[0]"],
            );
        });

        it("every row of the table names the Google page it comes from", () => {
            for (const row of DOCUMENTED_NAMES) {
                assert.match(row.source, /^https:\/\/(docs\.)?cloud\.google\.com\//, row.name);
            }
        });
    });

    describe("the component", () => {
        it("applies the default thresholds, written once, key by key under the overrides", async () => {
            const { resources: r } = await record(
                () => new EndpointMonitoring("m", { ...MONITORING, alerts: { gpuUtilizationPercent: 80 } }),
            );
            const conditions = (key: string) => r.one(TYPES.alertPolicy, `m-${key}`).inputs.conditions;
            const [utilisation, memory] = conditions("gpu-saturation");
            assert.deepStrictEqual(
                [utilisation.conditionThreshold.thresholdValue, memory.conditionThreshold.thresholdValue],
                [0.8, MONITORING_ALERT_DEFAULTS.gpuMemoryPercent / 100],
            );
            assert.strictEqual(
                conditions("callout-quota")[0].conditionThreshold.thresholdValue,
                (MODEL_ARMOR_CALLOUT_QUOTA.perMinute * MONITORING_ALERT_DEFAULTS.calloutQuotaPercent) / 100,
            );
            assert.strictEqual(
                conditions("fail-closed")[0].conditionThreshold.thresholdValue,
                MONITORING_ALERT_DEFAULTS.failClosedPerMinute,
            );
            // The dashboard draws the same thresholds.
            const d = JSON.parse(r.one(TYPES.dashboard).inputs.dashboardJson) as DashboardDefinition;
            assert.deepStrictEqual(tile(d, "svc: GPU utilisation (mean)").xyChart!.thresholds, [
                { value: 0.8, label: "alert" },
            ]);
        });

        it("uses existing channels as given and creates an email channel for each address", async () => {
            const { resources: r } = await record(
                () =>
                    new EndpointMonitoring("m", {
                        ...MONITORING,
                        notificationChannels: ["projects/my-project/notificationChannels/42", "a@example.com"],
                    }),
            );
            assert.strictEqual(r.one(TYPES.notificationChannel).inputs.labels.email_address, "a@example.com");
            assert.deepStrictEqual(r.one(TYPES.alertPolicy, "m-fail-closed").inputs.notificationChannels, [
                "projects/my-project/notificationChannels/42",
                "projects/test-project/notificationChannels/m-email-0-id",
            ]);
        });

        it("with exclude alone keeps the entries out of _Default and stores them nowhere; the metric still counts", async () => {
            const { resources: r } = await record(
                () => new EndpointMonitoring("m", { ...MONITORING, sanitizeLogs: { exclude: true } }),
            );
            assert.deepStrictEqual([r.ofType(TYPES.logBucketConfig), r.ofType(TYPES.logSink)], [[], []]);
            assert.match(r.one(TYPES.logExclusion).inputs.filter, /template_id=\("t-prompt" OR "t-response"\)/);
            assert.strictEqual(r.one(TYPES.logMetric).inputs.bucketName, undefined);
        });

        it("with retentionDays and exclude false copies the entries to their own bucket and leaves _Default alone", async () => {
            const { resources: r } = await record(
                () =>
                    new EndpointMonitoring("m", { ...MONITORING, sanitizeLogs: { retentionDays: 7, exclude: false } }),
            );
            assert.strictEqual(r.one(TYPES.logBucketConfig).inputs.retentionDays, 7);
            assert.strictEqual(r.one(TYPES.logBucketConfig).inputs.project, "test-project", "the provider's");
            assert.deepStrictEqual(r.ofType(TYPES.logExclusion), []);
        });

        it("warns when the alerts tell no one", async () => {
            const { warnings } = await record(
                () => new EndpointMonitoring("m", { ...MONITORING, notificationChannels: [] }),
            );
            assert.deepStrictEqual(warnings, [
                "monitoring.notificationChannels is empty: the alert policies open incidents in the console and notify no one",
            ]);
        });

        it("refuses its args with every problem, each catalogued, before registering anything", async () => {
            const error = await refusal(
                () =>
                    new EndpointMonitoring("m", {
                        ...MONITORING,
                        loadBalancingScheme: "EXTERNAL" as "EXTERNAL_MANAGED",
                        services: [],
                        notificationChannels: ["a@example.com", "a@example.com", "oncall"],
                        alerts: { failClosedPerMinute: -1, gpuUtilizationPercent: 150 },
                        sanitizeLogs: { retentionDays: 0 },
                    }),
            );
            assertProblems(error, [
                ["loadBalancingScheme", "EXTERNAL"],
                ["services"],
                ["notificationChannels[1]", "a@example.com"],
                ["notificationChannels[2]", "oncall"],
                ["alerts.failClosedPerMinute", -1],
                ["alerts.gpuUtilizationPercent", 150],
                ["sanitizeLogs.retentionDays", 0],
            ]);
        });
    });

    describe("in GuardedLlmEndpoint", () => {
        it("watches the endpoint's own rule, service and templates, and enables the APIs it needs", async () => {
            const { resources: r } = await endpoint({ enableApis: true });
            const filters = recordedFilters(r).map((f) => f.filter);
            assert.ok(filters.some((f) => f.includes(`"forwarding_rule_name"="llm-lb-https"`)));
            assert.ok(filters.some((f) => f.includes(`"template_id"="llm-armor-prompt"`)));
            const apis = r.ofType(TYPES.projectService).map((s) => s.inputs.service);
            for (const api of ["monitoring.googleapis.com", "logging.googleapis.com"]) assert.ok(apis.includes(api));
            const dashboard = r.one(TYPES.dashboard);
            assert.ok(r.dependsOn(dashboard, r.one(TYPES.projectService, "llm-apis-monitoring")));
        });

        it("warns that a template logging no sanitize operations leaves the block count blind", async () => {
            const { warnings } = await endpoint({
                modelArmor: { response: { logging: { sanitizeOperations: false } } },
            });
            assert.ok(
                warnings.includes(
                    "modelArmor.response.logging.sanitizeOperations is false: Model Armor writes no sanitize entries for responses, so the dashboard and the block-rate alert count none of them",
                ),
                warnings.join("\n"),
            );
        });

        it("refuses monitoring keys under monitoring., and dropping the entries an INSPECT_ONLY template needs", async () => {
            assertProblems(
                await refusal(
                    () =>
                        new GuardedLlmEndpoint("llm", {
                            ...ENDPOINT,
                            monitoring: { alerts: { blockedPerMinute: 2.5 }, sanitizeLogs: { exclude: false } },
                        }),
                ),
                [["monitoring.alerts.blockedPerMinute", 2.5], ["monitoring.sanitizeLogs"]],
            );
            assertProblems(
                await refusal(
                    () =>
                        new GuardedLlmEndpoint("llm", {
                            ...ENDPOINT,
                            modelArmor: { response: { enforcement: "INSPECT_ONLY" } },
                            monitoring: { sanitizeLogs: { exclude: true } },
                        }),
                ),
                [["monitoring.sanitizeLogs.exclude", true]],
            );
        });
    });

    it("lays tiles in whole columns that fill each row, and leaves zero positions out (the API drops them)", async () => {
        const r = await recordedOf("fleet");
        const { mosaicLayout } = JSON.parse(r.one(TYPES.dashboard).inputs.dashboardJson) as DashboardDefinition;
        for (const tile of mosaicLayout.tiles) {
            assert.ok(tile.xPos !== 0 && tile.yPos !== 0, JSON.stringify({ xPos: tile.xPos, yPos: tile.yPos }));
            assert.ok(Number.isInteger(tile.width));
        }
        const rows = new Map<number, number>();
        for (const t of mosaicLayout.tiles) rows.set(t.yPos ?? 0, (rows.get(t.yPos ?? 0) ?? 0) + t.width);
        assert.deepStrictEqual([...new Set(rows.values())], [mosaicLayout.columns]);
    });

    it("draws a dashboard's tiles as a text grid, each box its share of the 48 columns", () => {
        const widget = (title: string) => ({ title });
        const grid = renderDashboardGrid(
            {
                displayName: "d",
                mosaicLayout: {
                    columns: 48,
                    tiles: [
                        { width: 48, height: 6, widget: widget("note") },
                        { yPos: 6, width: 24, height: 16, widget: widget("left chart") },
                        { xPos: 24, yPos: 6, width: 24, height: 16, widget: widget("right chart with a long title") },
                    ],
                },
            },
            41,
        );
        assert.deepStrictEqual(grid, [
            "+---------------------------------------+",
            "| note                                  |",
            "+-------------------+-------------------+",
            "| left chart        | right chart with  |",
            "|                   | a long title      |",
            "+-------------------+-------------------+",
        ]);
    });
});
