/** The offline plan as text: the resources as a tree with their key settings, the outputs, routes and warnings. */
import { lastSegment } from "../components/pure/selfLinks";
import { DashboardDefinition, renderDashboardGrid } from "../components/pure/monitoringDashboard";
import { TYPES } from "../components/pure/resourceTypes";
import { parseJson, valueAt } from "../components/pure/values";
import { RecordedResource } from "./mockRuntime";
import { renderCosts } from "./costReport";
import { Plan } from "./planner";
import { formatViolations } from "./policyRunner";
import { renderRoutes } from "./routeReport";

/** Input paths worth a glance, per resource type; other types show their first few plain inputs. */
const KEY_SETTINGS: Record<string, string[]> = {
    [TYPES.cloudRunService]: [
        "template.containers.0.image",
        "ingress",
        "invokerIamDisabled",
        "defaultUriDisabled",
        "template.nodeSelector.accelerator",
        "template.gpuZonalRedundancyDisabled",
        "template.containers.0.resources.limits",
        "template.maxInstanceRequestConcurrency",
        "template.timeout",
        "template.scaling",
        "template.containers.0.volumeMounts.0.mountPath",
        "template.volumes.0.gcs.readOnly",
    ],
    [TYPES.cloudRunJob]: [
        "template.template.containers.0.args",
        "runExecutionToken",
        "template.template.volumes.0.gcs.readOnly",
    ],
    [TYPES.bucket]: ["location", "uniformBucketLevelAccess", "publicAccessPrevention", "forceDestroy"],
    [TYPES.bucketIamMember]: ["role", "member"],
    [TYPES.serviceAccount]: ["accountId"],
    [TYPES.projectService]: ["service"],
    [TYPES.projectIamMember]: ["project", "role", "member"],
    [TYPES.subnetwork]: ["network", "ipCidrRange", "purpose", "role"],
    [TYPES.networkEndpointGroup]: ["networkEndpointType", "cloudRun.service"],
    [TYPES.backendService]: ["loadBalancingScheme", "protocol", "logConfig", "securityPolicy"],
    [TYPES.urlMap]: ["defaultRouteAction.faultInjectionPolicy.abort", "defaultUrlRedirect"],
    [TYPES.sslCertificate]: ["certificate", "privateKey"],
    [TYPES.sslPolicy]: ["profile", "minTlsVersion"],
    [TYPES.httpsProxy]: ["sslPolicy", "sslCertificates", "certificateManagerCertificates"],
    [TYPES.httpProxy]: ["urlMap"],
    [TYPES.address]: ["addressType", "networkTier"],
    [TYPES.forwardingRule]: ["portRange", "loadBalancingScheme", "network", "networkTier", "target"],
    [TYPES.tlsPrivateKey]: ["algorithm", "rsaBits"],
    [TYPES.tlsSelfSignedCert]: ["subject", "validityPeriodHours"],
    [TYPES.dnsAuthorization]: ["domain", "type"],
    [TYPES.certificateManagerCertificate]: ["managed.domains"],
    [TYPES.modelArmorTemplate]: [
        "templateId",
        "filterConfig.raiSettings.raiFilters",
        "filterConfig.piAndJailbreakFilterSettings",
        "filterConfig.maliciousUriFilterSettings",
        "filterConfig.sdpSettings",
        "templateMetadata",
    ],
    [TYPES.dashboard]: [],
    [TYPES.logMetric]: ["name", "metricDescriptor"],
    [TYPES.logBucketConfig]: ["bucketId", "location", "retentionDays"],
    [TYPES.logSink]: ["name", "destination"],
    [TYPES.logExclusion]: ["name"],
    [TYPES.notificationChannel]: ["type", "labels.email_address"],
    [TYPES.alertPolicy]: [
        "displayName",
        "severity",
        "conditions.0.conditionThreshold.thresholdValue",
        "conditions.1.conditionThreshold.thresholdValue",
        "conditions.0.conditionThreshold.duration",
        "notificationChannels",
    ],
    [TYPES.trafficExtension]: [
        "forwardingRules",
        "extensionChains.0.matchCondition.celExpression",
        "extensionChains.0.extensions.0.service",
        "extensionChains.0.extensions.0.supportedEvents",
        "extensionChains.0.extensions.0.failOpen",
        "extensionChains.0.extensions.0.timeout",
        "extensionChains.0.extensions.0.metadata.model_armor_settings",
    ],
};

/** The resources as an indented tree, each with its key settings. */
export function renderTree(plan: Plan): string {
    const children = new Map<string | undefined, RecordedResource[]>();
    for (const r of plan.resources) {
        const siblings = children.get(r.parent) ?? [];
        siblings.push(r);
        children.set(r.parent, siblings);
    }
    const lines: string[] = [];
    const visit = (r: RecordedResource, depth: number) => {
        const flags = [r.protect ? "protected" : "", r.retainOnDelete ? "retained on delete" : ""].filter(Boolean);
        lines.push(`${"  ".repeat(depth)}${r.type} ${r.name}${flags.length ? ` [${flags.join(", ")}]` : ""}`);
        for (const [path, value] of keySettings(r))
            lines.push(`${"  ".repeat(depth + 2)}${path}: ${formatValue(value)}`);
        for (const child of children.get(r.urn) ?? []) visit(child, depth + 1);
    };
    for (const r of children.get(undefined) ?? []) visit(r, 0);
    return lines.join("\n");
}

function keySettings(r: RecordedResource): [string, unknown][] {
    if (!r.custom) return [];
    const paths = KEY_SETTINGS[r.type];
    if (paths) {
        return paths.map((p): [string, unknown] => [p, valueAt(r.inputs, p)]).filter(([, v]) => v !== undefined);
    }
    return Object.entries(r.inputs)
        .filter(([k, v]) => typeof v !== "object" && !["name", "project"].includes(k))
        .slice(0, 6);
}

/** One line per value: compute self links shortened to their project-relative path, long values cut. */
function formatValue(value: unknown): string {
    const text = (typeof value === "string" ? value : JSON.stringify(value)).replace(
        /https:\/\/www\.googleapis\.com\/compute\/v1\//g,
        "",
    );
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Stack outputs shown in sections of their own. */
const OWN_SECTIONS = ["routeTable", "services"];

/** A gateway's services, one line each: how it is reached, its GPU, models and templates. */
function renderServices(services: unknown): string[] {
    if (typeof services !== "object" || services === null) return [];
    const rows = Object.entries(services as Record<string, Record<string, unknown>>).map(([name, s]) => [
        name,
        String(s.url),
        String(s.gpuType),
        (s.models as string[]).join(", ") || "(none declared)",
        [s.promptTemplateId, s.responseTemplateId].map(lastSegment).join(" / "),
    ]);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return [
        `Services (${rows.length}, one load balancer, one traffic extension with a chain each):`,
        ...rows.map((r) =>
            `  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  models ${r[3].padEnd(widths[3])}  templates ${r[4]}`.trimEnd(),
        ),
    ];
}

/**
 * Where Model Armor's sanitize entries (the screened prompts and responses) go: which templates write them, and
 * whether a log bucket of their own and an exclusion from `_Default` take them (`EndpointMonitoring.sanitizeLogs`).
 */
function renderSanitizeLogging(resources: readonly RecordedResource[]): string[] {
    const templates = resources.filter((r) => r.type === TYPES.modelArmorTemplate);
    if (templates.length === 0) return [];
    const logged = templates.filter((t) => valueAt(t.inputs, "templateMetadata.logSanitizeOperations") === true);
    const ids = (list: RecordedResource[]) => list.map((t) => t.inputs.templateId).join(", ");
    const buckets = resources.filter((r) => r.type === TYPES.logBucketConfig);
    const excluded = resources.some((r) => r.type === TYPES.logExclusion);
    const where = [
        ...buckets.map((b) => `log bucket ${b.inputs.bucketId} (${b.inputs.location}, ${b.inputs.retentionDays} days)`),
        ...(excluded ? [] : ["the project's _Default bucket (30 days unless its retention was changed)"]),
    ];
    const lines = [
        "Model Armor sanitize entries (they carry the screened prompts and responses):",
        `  written by ${logged.length > 0 ? ids(logged) : "no template"} (logSanitizeOperations)`,
    ];
    const silent = templates.filter((t) => !logged.includes(t));
    if (silent.length > 0) lines.push(`  not written by ${ids(silent)}`);
    if (logged.length > 0) {
        lines.push(
            `  kept in ${where.length > 0 ? where.join(" and ") : "no bucket: excluded from _Default, routed nowhere"}`,
        );
    }
    return lines;
}

/** Each dashboard's tiles as a text grid. */
function renderDashboards(resources: readonly RecordedResource[]): string[] {
    return resources
        .filter((r) => r.type === TYPES.dashboard)
        .flatMap((r) => {
            const dashboard = parseJson(r.inputs.dashboardJson) as DashboardDefinition | undefined;
            if (!dashboard?.mosaicLayout) return [];
            return [`Dashboard "${dashboard.displayName}":`, ...renderDashboardGrid(dashboard).map((l) => `  ${l}`)];
        });
}

/** The whole human-readable plan: the tree, the stack outputs, routes, costs and quotas, and the warnings. */
export function renderPlan(plan: Plan): string {
    const sections = [
        `Plan for stack "${plan.stack}": ${plan.resources.filter((r) => r.custom).length} resources`,
        "",
        renderTree(plan),
        "",
        "Stack outputs:",
        // The route table and the services get sections of their own below.
        ...Object.entries(plan.outputs)
            .filter(([k]) => !OWN_SECTIONS.includes(k))
            .map(([k, v]) => `  ${k}: ${formatValue(v)}`),
    ];
    const services = renderServices(plan.outputs.services);
    if (services.length > 0) sections.push("", ...services);
    const monitoring = [...renderDashboards(plan.resources), ...renderSanitizeLogging(plan.resources)];
    if (monitoring.length > 0) sections.push("", ...monitoring);
    const routes = renderRoutes(plan.resources);
    if (routes.length > 0) sections.push("", ...routes);
    // The route table ends with a blank line; the costs and quotas follow it, then the warnings (theirs among them).
    sections.push(...(routes.length ? [] : [""]), ...renderCosts(plan.costs), "");
    if (plan.warnings.length > 0) sections.push("Warnings:", ...plan.warnings.map((w) => `  - ${w}`), "");
    const lowered = Object.entries(plan.policyConfig);
    if (lowered.length > 0) {
        sections.push(`Policy pack config, as the stack declares it: ${JSON.stringify(plan.policyConfig)}`);
    }
    sections.push(formatViolations(plan.violations));
    return sections.join("\n");
}
