import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import * as time from "@pulumiverse/time";
import { ModelArmorTemplatesSettings } from "./modelArmorPresets";
import { boundedSlug } from "./naming";
import { modelArmorTemplateId } from "./modelArmorTemplates";
import type { RegionalHttpsLoadBalancer } from "./regionalHttpsLoadBalancer";
import {
    AlertPolicySpec,
    AlertThresholds,
    alertPolicySpecs,
    dashboardDefinition,
    MonitoredService,
    MonitoringTargets,
    sanitizeLogFilter,
    templateIds,
} from "./pure/monitoringDashboard";
import { componentType } from "./pure/resourceTypes";
import { checkComponentArgs, declareArgKeys, definedOnly, Problems } from "./validation";

/** Alert thresholds; every field has a default ({@link MONITORING_ALERT_DEFAULTS}). */
export type AlertThresholdArgs = Partial<AlertThresholds>;

/**
 * Where Model Armor's sanitize entries (which carry the screened prompts and responses) are kept. By default they go
 * where every log goes: the project's `_Default` bucket (30 days unless changed), readable by whoever reads it.
 */
export interface SanitizeLogsArgs {
    /**
     * Keep them in a log bucket of their own, in the endpoint's region, for this many days (1 to 3650): a sink routes
     * them there. Out of `_Default` too, unless `exclude` is false. @default none: no bucket of their own
     */
    readonly retentionDays?: number;
    /**
     * Keep them out of the `_Default` bucket (an exclusion on the `_Default` sink). Without `retentionDays` they are
     * then stored nowhere. The block metric counts them all the same: project-level log-based metrics count every
     * entry the Logging API receives, whatever the exclusions. @default true with `retentionDays`, else false
     */
    readonly exclude?: boolean;
}

/** The stack config part of {@link EndpointMonitoringArgs}: `guarded-llm:monitoring`. */
export interface EndpointMonitoringConfig {
    /**
     * Who is told when an alert opens: each entry an existing channel (`projects/P/notificationChannels/ID`) or an
     * email address, for which a channel of type email is created. @default none: incidents open in the console only
     */
    readonly notificationChannels?: readonly string[];
    /** Alert thresholds. @default {@link MONITORING_ALERT_DEFAULTS} */
    readonly alerts?: AlertThresholdArgs;
    /** Where the sanitize entries are kept. @default `_Default`, as every log */
    readonly sanitizeLogs?: SanitizeLogsArgs;
}

/** One service watched: the Cloud Run service and the short ids of its templates (as `modelArmorTemplateId` gives). */
export type MonitoredServiceArgs = MonitoredService;

/** Arguments of {@link EndpointMonitoring}. */
export interface EndpointMonitoringArgs extends EndpointMonitoringConfig {
    /** Region of the load balancer, the Cloud Run services and the templates. */
    readonly region: string;
    /** Project of every resource. @default the provider's project (`gcp:project`) */
    readonly project?: pulumi.Input<string>;
    /** The dashboard's and the policies' display name prefix. @default `guarded-llm <name>` */
    readonly displayName?: string;
    /** Name of the HTTPS forwarding rule (`RegionalHttpsLoadBalancer.httpsForwardingRule.name`). */
    readonly forwardingRuleName: pulumi.Input<string>;
    /** `RegionalHttpsLoadBalancer.loadBalancingScheme`: the internal load balancer's metrics have names of their own. */
    readonly loadBalancingScheme: "EXTERNAL_MANAGED" | "INTERNAL_MANAGED";
    /** What the URL map answers the paths it does not route. @default 404 */
    readonly refusedPathStatus?: 403 | 404;
    /** The Cloud Run services behind the load balancer, at least one, and their templates. */
    readonly services: readonly MonitoredServiceArgs[];
}

export const ENDPOINT_MONITORING_ARG_KEYS = declareArgKeys<EndpointMonitoringArgs>()({
    config: ["notificationChannels", "alerts", "sanitizeLogs"],
    codeOnly: [
        "region",
        "project",
        "displayName",
        "forwardingRuleName",
        "loadBalancingScheme",
        "refusedPathStatus",
        "services",
    ],
});
export const ALERT_THRESHOLD_KEYS: readonly (keyof AlertThresholds)[] = [
    "failClosedPerMinute",
    "blockedPerMinute",
    "gpuUtilizationPercent",
    "gpuMemoryPercent",
    "calloutQuotaPercent",
];
export const SANITIZE_LOGS_KEYS: readonly (keyof SanitizeLogsArgs)[] = ["retentionDays", "exclude"];

/**
 * How long the block-rate alert waits after its log-based metric is created: Cloud Monitoring can take minutes to know
 * a new metric, and refuses an alert on it until then (UNCONFIRMED how long in practice; Google's error says up to 10
 * minutes). Waiting costs one deploy this long, once.
 */
export const LOG_METRIC_PROPAGATION_SECONDS = 600;

/** The alert thresholds when a stack sets none: the one place they are written. */
export const MONITORING_ALERT_DEFAULTS: AlertThresholds = {
    failClosedPerMinute: 5,
    blockedPerMinute: 20,
    gpuUtilizationPercent: 90,
    gpuMemoryPercent: 95,
    calloutQuotaPercent: 80,
};

/** Each threshold's range and unit, as the error messages say it. */
const THRESHOLD_RANGES: Record<keyof AlertThresholds, readonly [number, number, string]> = {
    failClosedPerMinute: [1, 100000, "per minute"],
    blockedPerMinute: [1, 100000, "per minute"],
    gpuUtilizationPercent: [1, 100, "percent"],
    gpuMemoryPercent: [1, 100, "percent"],
    calloutQuotaPercent: [1, 100, "percent"],
};

/** Cloud Logging keeps a bucket's logs 1 to 3650 days. */
const RETENTION_DAYS = [1, 3650] as const;
const CHANNEL_PATTERN = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/notificationChannels\/[0-9]+$/;
const EMAIL_PATTERN = /^[^@\s"]+@[^@\s"]+\.[^@\s".]+$/;

/** Applies the defaults of the alert thresholds. */
export const resolveAlertThresholds = (alerts: AlertThresholdArgs | undefined): AlertThresholds => ({
    ...MONITORING_ALERT_DEFAULTS,
    ...definedOnly(alerts),
});

/** Where the sanitize entries go, after the defaults: a bucket of their own (days), out of `_Default`, or neither. */
export function resolveSanitizeLogs(args: SanitizeLogsArgs | undefined) {
    const retentionDays = args?.retentionDays;
    return { retentionDays, exclude: args?.exclude ?? retentionDays !== undefined };
}

/** Checks the `guarded-llm:monitoring` keys, under `problems`' prefix. */
export function validateMonitoringConfig(config: EndpointMonitoringConfig, problems: Problems): void {
    const { notificationChannels, alerts, sanitizeLogs } = config;
    if (notificationChannels !== undefined && problems.array("notificationChannels", notificationChannels)) {
        const channels: unknown[] = [...notificationChannels];
        channels.forEach((channel, i) => {
            const key = `notificationChannels[${i}]`;
            if (typeof channel !== "string" || !(CHANNEL_PATTERN.test(channel) || EMAIL_PATTERN.test(channel))) {
                problems.add(
                    key,
                    channel,
                    'must be an existing notification channel ("projects/my-project/notificationChannels/123") or an email address',
                );
                return;
            }
            const earlier = channels.indexOf(channel);
            if (earlier < i) problems.add(key, channel, `duplicates notificationChannels[${earlier}]`);
        });
    }
    if (alerts !== undefined && problems.object("alerts", alerts)) {
        problems.under("alerts.").knownKeys(alerts, ALERT_THRESHOLD_KEYS);
        for (const key of ALERT_THRESHOLD_KEYS) {
            const [min, max, unit] = THRESHOLD_RANGES[key];
            if (alerts[key] !== undefined) problems.integer(`alerts.${key}`, alerts[key], min, max, unit);
        }
    }
    if (sanitizeLogs !== undefined && problems.object("sanitizeLogs", sanitizeLogs)) {
        problems.under("sanitizeLogs.").knownKeys(sanitizeLogs, SANITIZE_LOGS_KEYS);
        const { retentionDays, exclude } = sanitizeLogs;
        if (retentionDays !== undefined) {
            problems.integer("sanitizeLogs.retentionDays", retentionDays, ...RETENTION_DAYS, "days");
        }
        if (exclude !== undefined) problems.boolean("sanitizeLogs.exclude", exclude);
        if (retentionDays === undefined && exclude !== true) {
            problems.add(
                "sanitizeLogs",
                undefined,
                "changes nothing: set retentionDays (a log bucket of their own, kept that many days) and/or exclude: true (kept out of the _Default bucket)",
            );
        }
    }
}

/**
 * With `sanitizeLogs` dropping the entries (excluded from `_Default`, no bucket of their own), an INSPECT_ONLY
 * template's findings are recorded nowhere: refused, under `exclude`. `settings` are the templates' of the endpoint.
 */
export function validateSanitizeLogsKeepFindings(
    config: EndpointMonitoringConfig | undefined,
    settings: readonly ModelArmorTemplatesSettings[],
    problems: Problems,
): void {
    const { retentionDays, exclude } = resolveSanitizeLogs(config?.sanitizeLogs);
    if (!exclude || retentionDays !== undefined) return;
    const inspectOnly = settings.some((s) =>
        [s.prompt, s.response].some((side) => side.enforcement === "INSPECT_ONLY"),
    );
    if (inspectOnly) {
        problems.add(
            "sanitizeLogs.exclude",
            true,
            "drops every sanitize entry, but a template is INSPECT_ONLY and records its findings only there: set retentionDays to keep them in a bucket of their own",
        );
    }
}

/** Checks a whole {@link EndpointMonitoringArgs}: the config keys and what code gives. */
export function validateEndpointMonitoringArgs(args: EndpointMonitoringArgs, problems: Problems): void {
    const { config, codeOnly } = ENDPOINT_MONITORING_ARG_KEYS;
    problems.knownKeys(args as object as Record<string, unknown>, [...config, ...codeOnly]);
    problems.region("region", args.region);
    problems.oneOf("loadBalancingScheme", args.loadBalancingScheme, ["EXTERNAL_MANAGED", "INTERNAL_MANAGED"]);
    if (args.refusedPathStatus !== undefined && args.refusedPathStatus !== 403 && args.refusedPathStatus !== 404) {
        problems.add("refusedPathStatus", args.refusedPathStatus, "must be 403 or 404");
    }
    if (!Array.isArray(args.services) || args.services.length === 0) {
        problems.add("services", undefined, "must list at least one Cloud Run service and its templates");
    }
    validateMonitoringConfig(args, problems);
}

/** Warnings of a monitored endpoint: alerts that tell no one. */
export function endpointMonitoringWarnings(config: EndpointMonitoringConfig): string[] {
    return (config.notificationChannels ?? []).length === 0
        ? [
              "monitoring.notificationChannels is empty: the alert policies open incidents in the console and notify no one",
          ]
        : [];
}

/**
 * Opt-in observability for a guarded endpoint or gateway: a Cloud Monitoring dashboard (the load balancer, what the
 * guard refused, blocked and failed, each Cloud Run service's instances, GPU and latency), a log-based metric counting
 * Model Armor's blocks, four alert policies (fail-closed 500s, block rate, GPU saturation, the callout quota) with
 * their notification channels, and optionally a log bucket, sink and `_Default` exclusion for the sanitize entries,
 * which carry the screened text. Every metric, resource and log field it names is in `pure/monitoringNames.ts`.
 */
export class EndpointMonitoring extends pulumi.ComponentResource {
    /** The dashboard. */
    public readonly dashboard: gcp.monitoring.Dashboard;
    /** The log-based metric counting Model Armor's matches (blocks) on the endpoint's templates. */
    public readonly blockMetric: gcp.logging.Metric;
    /** Its metric type, `logging.googleapis.com/user/<name>`. */
    public readonly blockMetricType: string;
    /** The alert policies, by key. */
    public readonly alertPolicies: Readonly<Record<AlertPolicySpec["key"], gcp.monitoring.AlertPolicy>>;
    /** The email channels created for `notificationChannels` entries that are addresses. */
    public readonly emailChannels: gcp.monitoring.NotificationChannel[];
    /** The sanitize entries' own bucket, with `sanitizeLogs.retentionDays`. */
    public readonly sanitizeLogBucket?: gcp.logging.ProjectBucketConfig;
    /** The sink routing them there. */
    public readonly sanitizeLogSink?: gcp.logging.ProjectSink;
    /** The exclusion keeping them out of `_Default`. */
    public readonly sanitizeLogExclusion?: gcp.logging.ProjectExclusion;
    /** The alert thresholds, after the defaults. */
    public readonly thresholds: AlertThresholds;

    constructor(name: string, args: EndpointMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs("EndpointMonitoring", name, args, validateEndpointMonitoringArgs);
        super(componentType("EndpointMonitoring"), name, {}, opts);
        const { region, project } = args;
        for (const warning of endpointMonitoringWarnings(args)) pulumi.log.warn(warning, this);
        this.thresholds = resolveAlertThresholds(args.alerts);
        const title = args.displayName ?? `guarded-llm ${name.replace(/-monitoring$/, "")}`;
        const parent = { parent: this };

        // Explicitly named, so that its metric type is known before it exists: 1-100 characters.
        const metricName = `${boundedSlug(name, 80)}-model-armor-blocks`;
        this.blockMetricType = `logging.googleapis.com/user/${metricName}`;
        const templates = [...templateIds(args.services, "prompt"), ...templateIds(args.services, "response")];
        this.blockMetric = new gcp.logging.Metric(
            `${name}-blocks`,
            {
                project,
                name: metricName,
                description: `${title}: Model Armor sanitize entries that found a match (blocked, for INSPECT_AND_BLOCK templates), per template`,
                filter: sanitizeLogFilter(region, templates, true),
                metricDescriptor: { metricKind: "DELTA", valueType: "INT64", unit: "1" },
            },
            parent,
        );

        const targets = (forwardingRule: string): MonitoringTargets => ({
            title,
            region,
            forwardingRule,
            internal: args.loadBalancingScheme === "INTERNAL_MANAGED",
            refusedPathStatus: args.refusedPathStatus ?? 404,
            services: args.services,
            blockMetricType: this.blockMetricType,
        });
        const forwardingRule = pulumi.output(args.forwardingRuleName);
        this.dashboard = new gcp.monitoring.Dashboard(
            `${name}-dashboard`,
            {
                project,
                dashboardJson: forwardingRule.apply((fr) =>
                    JSON.stringify(dashboardDefinition(targets(fr), this.thresholds)),
                ),
            },
            { parent: this, dependsOn: [this.blockMetric] },
        );

        const channels = args.notificationChannels ?? [];
        this.emailChannels = channels
            .filter((c) => !c.startsWith("projects/"))
            .map(
                (email, i) =>
                    new gcp.monitoring.NotificationChannel(
                        `${name}-email-${i}`,
                        { project, type: "email", displayName: `${title}: ${email}`, labels: { email_address: email } },
                        parent,
                    ),
            );
        const notificationChannels = [
            ...channels.filter((c) => c.startsWith("projects/")),
            ...this.emailChannels.map((c) => c.name),
        ];
        // Cloud Monitoring refuses an alert on a log-based metric it does not know yet ("could take up to 10 minutes"
        // after the metric is created): the block-rate policy waits, once, when the metric is created or replaced.
        const metricKnown = new time.Sleep(
            `${name}-block-metric-propagation`,
            { createDuration: `${LOG_METRIC_PROPAGATION_SECONDS}s`, triggers: { metric: this.blockMetric.id } },
            { parent: this, dependsOn: [this.blockMetric] },
        );
        const specs = forwardingRule.apply((fr) => alertPolicySpecs(targets(fr), this.thresholds));
        this.alertPolicies = Object.fromEntries(
            alertPolicySpecs(targets(""), this.thresholds).map(({ key, displayName, severity }) => {
                const spec = specs.apply((all) => all.find((s) => s.key === key)!);
                const policy = new gcp.monitoring.AlertPolicy(
                    `${name}-${key}`,
                    {
                        project,
                        displayName,
                        severity,
                        combiner: "OR",
                        conditions: spec.apply((s) => s.conditions),
                        documentation: { content: spec.apply((s) => s.documentation), mimeType: "text/markdown" },
                        notificationChannels,
                    },
                    { parent: this, dependsOn: key === "block-rate" ? [metricKnown] : [] },
                );
                return [key, policy];
            }),
        ) as Record<AlertPolicySpec["key"], gcp.monitoring.AlertPolicy>;

        const sanitize = resolveSanitizeLogs(args.sanitizeLogs);
        const entries = sanitizeLogFilter(region, templates);
        if (sanitize.retentionDays !== undefined) {
            // ProjectBucketConfig needs the project's id; fall back to the provider's, as the other resources do.
            const projectId = pulumi
                .output(project ?? gcp.organizations.getProjectOutput({}, parent).projectId)
                .apply((id) => id ?? "");
            this.sanitizeLogBucket = new gcp.logging.ProjectBucketConfig(
                `${name}-sanitize-logs`,
                {
                    project: projectId,
                    location: region,
                    bucketId: `${boundedSlug(name, 80)}-model-armor`,
                    retentionDays: sanitize.retentionDays,
                    description: `${title}: Model Armor sanitize entries (screened prompts and responses)`,
                },
                parent,
            );
            const bucket = this.sanitizeLogBucket;
            this.sanitizeLogSink = new gcp.logging.ProjectSink(
                `${name}-sanitize-logs`,
                {
                    project,
                    name: `${boundedSlug(name, 80)}-model-armor`,
                    description: `${title}: routes Model Armor's sanitize entries to their own bucket`,
                    filter: entries,
                    destination: pulumi.interpolate`logging.googleapis.com/projects/${bucket.project}/locations/${bucket.location}/buckets/${bucket.bucketId}`,
                },
                parent,
            );
        }
        if (sanitize.exclude) {
            this.sanitizeLogExclusion = new gcp.logging.ProjectExclusion(
                `${name}-sanitize-logs`,
                {
                    project,
                    name: `${boundedSlug(name, 80)}-model-armor`,
                    description: `${title}: keeps Model Armor's sanitize entries (screened text) out of the _Default bucket`,
                    filter: entries,
                },
                // Kept out of _Default only once the sink routes them to their own bucket.
                { parent: this, dependsOn: this.sanitizeLogSink ? [this.sanitizeLogSink] : [] },
            );
        }
        this.registerOutputs({ dashboard: this.dashboard.id, blockMetricType: this.blockMetricType });
    }
}

/** A service to watch: its Cloud Run service, and the templates (by component name) that screen it. */
export const monitoredService = (label: string, cloudRunService: string, templates: string): MonitoredServiceArgs => ({
    label,
    cloudRunService,
    promptTemplateId: modelArmorTemplateId(templates, "prompt"),
    responseTemplateId: modelArmorTemplateId(templates, "response"),
});

/**
 * The monitoring of a guarded endpoint or gateway (`name`), when its args turn it on: its load balancer's HTTPS rule
 * and each of `services`.
 */
export function monitorLoadBalancer(
    name: string,
    args: {
        readonly monitoring?: EndpointMonitoringConfig;
        readonly region: string;
        readonly loadBalancer: { readonly refusedPathStatus?: 403 | 404 };
    },
    project: pulumi.Input<string> | undefined,
    loadBalancer: RegionalHttpsLoadBalancer,
    services: readonly MonitoredServiceArgs[],
    parent: pulumi.Resource,
): EndpointMonitoring | undefined {
    if (args.monitoring === undefined) return undefined;
    return new EndpointMonitoring(
        `${name}-monitoring`,
        {
            ...args.monitoring,
            region: args.region,
            project,
            refusedPathStatus: args.loadBalancer.refusedPathStatus,
            forwardingRuleName: loadBalancer.httpsForwardingRule.name,
            loadBalancingScheme: loadBalancer.loadBalancingScheme,
            services,
        },
        { parent },
    );
}
