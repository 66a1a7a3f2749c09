/**
 * The requests verify sends. Node's `http`/`https` rather than `fetch`, because the allowlist probes must reach the
 * load balancer byte for byte: WHATWG URL parsing (which `fetch` applies) resolves `/v1/models/../api/pull` and
 * would hide exactly the variants under test, while `http.request` sends its `path` as given
 * (https://nodejs.org/api/http.html#httprequestoptions-callback). It also reports any three-digit status, such as a
 * Model Armor template's 799, which `new Response()` refuses outside 200..599.
 */
import * as http from "http";
import * as https from "https";
import * as net from "net";
import type { Resolve } from "./types";

/** A request as verify sends it: the path is sent raw, never normalised. */
export interface ProbeRequest {
    method: string;
    path: string;
    body?: unknown;
    /** Send the credential (default true); the unauthenticated access check turns it off. */
    authenticated?: boolean;
    headers?: Record<string, string>;
    /** With path routing: send the path as it is, outside the service's prefix. */
    unprefixed?: boolean;
}

export interface ProbeResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    /** The body, at most {@link BODY_LIMIT} bytes of it. */
    body: string;
}

/** Enough of any answer to recognise it; a streamed answer that was not blocked is cut off there. */
const BODY_LIMIT = 64 * 1024;

export interface TransportOptions {
    insecure?: boolean;
    ca?: string;
    token?: string;
    timeoutSeconds: number;
    /** Path routing: prefixed to every path sent, e.g. `/coder`. */
    pathPrefix?: string;
    /** Addresses to connect to instead of resolving names. */
    resolve?: Resolve;
}

/**
 * Sends requests to one origin (under one path prefix, with path routing), with keep-alive so that dozens of probes
 * cost one TLS handshake.
 */
export class Transport {
    private readonly agent: http.Agent;
    readonly origin: URL;
    /** Prefixed to every path sent; empty without path routing. */
    readonly pathPrefix: string;

    constructor(
        origin: string,
        private readonly options: TransportOptions,
    ) {
        this.origin = new URL(origin);
        this.pathPrefix = options.pathPrefix ?? "";
        // `ca` replaces the system's trust store, as in Node's own `ca` option: an endpoint with a private CA.
        const tlsOptions = { rejectUnauthorized: !options.insecure, ca: options.ca };
        this.agent =
            this.origin.protocol === "https:"
                ? new https.Agent({ keepAlive: true, maxSockets: 8, ...tlsOptions })
                : new http.Agent({ keepAlive: true, maxSockets: 8 });
    }

    /** The request as it is sent: its path under the prefix. The evidence shows this. */
    sent(request: ProbeRequest): ProbeRequest {
        return this.pathPrefix === "" || request.unprefixed
            ? request
            : { ...request, path: `${this.pathPrefix}${request.path}` };
    }

    send(request: ProbeRequest): Promise<ProbeResponse> {
        const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
        const headers: Record<string, string> = { Accept: "*/*", ...request.headers };
        if (payload !== undefined) headers["Content-Type"] ??= "application/json";
        if (request.authenticated !== false && this.options.token)
            headers.Authorization = `Bearer ${this.options.token}`;
        return sendRaw(
            this.origin,
            { method: request.method, path: this.sent(request).path, headers, agent: this.agent },
            payload,
            { timeoutSeconds: this.options.timeoutSeconds, resolve: this.options.resolve },
        );
    }

    /**
     * A `fetch` for the official `openai` client, over the same connections and trust settings as the probes. Bodies
     * are read whole (verify never streams through the client) and a status `Response` cannot hold becomes an error.
     */
    fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (url.origin !== this.origin.origin) throw new Error(`verify: refusing to send a request to ${url.origin}`);
        const headers = Object.fromEntries(new Headers(init?.headers).entries());
        const answer = await sendRaw(
            url,
            { method: init?.method ?? "GET", path: url.pathname + url.search, headers, agent: this.agent },
            typeof init?.body === "string" ? init.body : undefined,
            {
                timeoutSeconds: this.options.timeoutSeconds,
                signal: init?.signal ?? undefined,
                resolve: this.options.resolve,
            },
        );
        if (answer.status < 200 || answer.status > 599) {
            throw new Error(`HTTP ${answer.status} ${excerpt(answer.body)}`);
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
        const nullBody = [204, 205, 304].includes(answer.status);
        return new Response(nullBody ? null : answer.body, { status: answer.status, headers: responseHeaders });
    };

    close(): void {
        this.agent.destroy();
    }
}

interface RawOptions {
    method: string;
    path: string;
    headers: Record<string, string>;
    agent?: http.Agent;
    insecure?: boolean;
}

/** Where a connection to `url` goes: its own host and port, unless `resolve` names another address (or port). */
export function connectTo(url: URL, resolve: Resolve = {}): { host: string; port: number; resolved: boolean } {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const target = resolve[`${host.toLowerCase()}:${port}`] ?? resolve[host.toLowerCase()];
    const parsed = target === undefined ? undefined : /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(target);
    if (!parsed) return { host, port, resolved: false };
    return { host: parsed[1], port: parsed[2] === undefined ? port : Number(parsed[2]), resolved: true };
}

/** The TLS server name for `url`'s host: none for an IP address (RFC 6066 allows host names only). */
export function serverName(url: URL): string | undefined {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    return net.isIP(host) ? undefined : host;
}

/**
 * One request to `url`'s origin, its path taken from `options.path` as is. With `resolve` naming an address for the
 * host, the connection goes there while the Host header, SNI and certificate check keep the host's name.
 */
export function sendRaw(
    url: URL,
    options: RawOptions,
    payload: string | undefined,
    limits: { timeoutSeconds: number; signal?: AbortSignal; resolve?: Resolve },
): Promise<ProbeResponse> {
    const client = url.protocol === "https:" ? https : http;
    const target = connectTo(url, limits.resolve);
    return new Promise((resolve, reject) => {
        const req = client.request(
            {
                protocol: url.protocol,
                hostname: target.host,
                port: target.resolved ? target.port : url.port || undefined,
                // SNI names the URL's host even when a probe spells the Host header otherwise; none for an address.
                ...(url.protocol === "https:" ? { servername: serverName(url) ?? "" } : {}),
                method: options.method,
                path: options.path,
                headers: {
                    // A probe may spell the Host header itself (host-variants-screened).
                    ...(target.resolved ? { Host: url.host } : {}),
                    ...options.headers,
                    ...(payload !== undefined ? { "Content-Length": `${Buffer.byteLength(payload)}` } : {}),
                },
                agent: options.agent,
                rejectUnauthorized: options.agent ? undefined : !options.insecure,
                timeout: limits.timeoutSeconds * 1000,
                signal: limits.signal,
            },
            (res) => {
                const chunks: Buffer[] = [];
                let size = 0;
                const finish = () =>
                    resolve({
                        status: res.statusCode ?? 0,
                        headers: res.headers,
                        body: Buffer.concat(chunks).toString("utf8"),
                    });
                res.on("data", (chunk: Buffer) => {
                    chunks.push(chunk);
                    size += chunk.length;
                    if (size >= BODY_LIMIT) {
                        // An unblocked stream can run for minutes: what arrived is evidence enough.
                        finish();
                        req.destroy();
                    }
                });
                res.on("end", finish);
                res.on("error", reject);
            },
        );
        req.on("timeout", () => req.destroy(new Error(`no answer within ${limits.timeoutSeconds} s`)));
        req.on("error", reject);
        req.end(payload);
    });
}

/** The first bytes of a body on one line, for the report. */
export function excerpt(body: string, length = 100): string {
    const flat = body.replace(/\s+/g, " ").trim();
    return `'${flat.length > length ? `${flat.slice(0, length)}…` : flat}'`;
}

/** `METHOD path -> status "first bytes"`: one line of evidence. */
export function evidenceLine(request: ProbeRequest, answer: ProbeResponse | Error): string {
    const what = `${request.method} ${request.path}${request.authenticated === false ? " (no credential)" : ""}`;
    return answer instanceof Error
        ? `${what} -> no answer: ${errorText(answer)}`
        : `${what} -> ${answer.status} ${excerpt(answer.body)}`;
}

export function errorText(error: unknown): string {
    if (!(error instanceof Error)) return String(error);
    const code = (error as NodeJS.ErrnoException).code;
    const text = code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
    // The openai client wraps a refused certificate or connection as "Connection error.": the cause says which.
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${text} (${errorText(cause)})` : text;
}

/** Sends a request, turning a failure to get any answer into a value. */
export async function attempt(transport: Transport, request: ProbeRequest): Promise<ProbeResponse | Error> {
    try {
        return await transport.send(request);
    } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
    }
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of `items` in the results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await work(items[i]);
        }
    });
    await Promise.all(workers);
    return results;
}
