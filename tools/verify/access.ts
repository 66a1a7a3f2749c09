/**
 * Who can reach what: `access-unauthenticated-refused` (IAP refuses a caller without a credential before the
 * extension runs: https://cloud.google.com/service-extensions/docs/lb-extensions-overview), `http-redirect` (port 80
 * only redirects) and `run-app-url-disabled` (the Cloud Run URL does not answer:
 * https://cloud.google.com/run/docs/triggering/https-request).
 */
import { attempt, evidenceLine, errorText, ProbeRequest, ProbeResponse, sendRaw, Transport } from "./http";
import { blockVerdict, chat } from "./screening";
import { AccessMode, BlockExpectation, CheckResult, IAP_REFUSALS, Resolve, skipped } from "./types";

export async function checkUnauthenticated(
    transport: Transport,
    access: AccessMode | undefined,
    model: string | undefined,
    jailbreak: string,
    prompt: BlockExpectation,
    refusedStatus: number,
): Promise<CheckResult> {
    const check = "access-unauthenticated-refused";
    if (access === "public") {
        return skipped(check, "public: anyone may call the allowed paths (access mode public)");
    }
    if (access === "internal") {
        return skipped(check, "internal: no credential is asked; only clients inside the VPC reach the address");
    }
    if (access === undefined) {
        return skipped(check, "access mode unknown: give --stack, --access, --token or --iap-service-account");
    }
    // The jailbreak prompt, so that a refusal by Model Armor instead of IAP (the callout ran first) shows.
    const probes: ProbeRequest[] = [
        { method: "POST", path: "/v1/chat/completions", body: chat(model, jailbreak), authenticated: false },
        { method: "GET", path: "/v1/models", authenticated: false },
    ];
    const answers: (ProbeResponse | Error)[] = [];
    for (const probe of probes) answers.push(await attempt(transport, probe));
    const details = probes.map((p, i) => evidenceLine(transport.sent(p), answers[i]));
    const problems = answers.flatMap((answer, i) => {
        if (answer instanceof Error) return [details[i]];
        const byModelArmor = prompt.message !== undefined && answer.body.includes(prompt.message);
        if (IAP_REFUSALS.has(answer.status) && !byModelArmor) return [];
        if (byModelArmor || blockVerdict(answer, prompt, refusedStatus).blocked) {
            return [`refused by Model Armor, not IAP: the callout ran before authentication (${details[i]})`];
        }
        return [`answered without a credential: ${details[i]}`];
    });
    if (problems.length > 0) return { check, status: "FAIL", summary: problems.join("; "), details };
    const statuses = answers.map((a) => (a as ProbeResponse).status).join(", ");
    return { check, status: "PASS", summary: `iap: refused without a credential (${statuses})`, details };
}

/**
 * Port 80 must answer a redirect to the same path over HTTPS that keeps the method and body: 307 or 308
 * (https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8); a 301 or 302 lets clients turn a POST into a GET.
 */
export async function checkHttpRedirect(
    httpUrl: string | undefined,
    timeoutSeconds: number,
    resolve?: Resolve,
): Promise<CheckResult> {
    const check = "http-redirect";
    if (!httpUrl) {
        return skipped(check, "no HTTP listener configured (httpRedirect off; or give --http-url)");
    }
    const url = new URL(httpUrl);
    const path = "/v1/models";
    const what = `POST ${url.origin}${path}`;
    try {
        const answer = await sendRaw(
            url,
            { method: "POST", path, headers: { "Content-Type": "application/json" } },
            "{}",
            { timeoutSeconds, resolve },
        );
        const location = String(answer.headers.location ?? "");
        const details = [`${what} -> ${answer.status} Location: ${location || "(none)"}`];
        const target = location ? new URL(location, url) : undefined;
        if (![307, 308].includes(answer.status)) {
            const why = [301, 302, 303].includes(answer.status) ? " (clients may turn POST into GET)" : "";
            return {
                check,
                status: "FAIL",
                summary: `answered ${answer.status}, expected 307/308 to https${why}`,
                details,
            };
        }
        if (target?.protocol !== "https:" || target.hostname !== url.hostname || target.pathname !== path) {
            return {
                check,
                status: "FAIL",
                summary: `redirects to ${location || "nowhere"}, not to https://${url.hostname}${path}`,
                details,
            };
        }
        return { check, status: "PASS", summary: `${answer.status} to ${location}`, details };
    } catch (e) {
        return { check, status: "FAIL", summary: `no answer on ${url.origin}: ${errorText(e)}`, details: [] };
    }
}

/** The run.app URL must not serve anything: no route to Ollama around the load balancer. */
export async function checkRunAppUrl(
    runAppUrl: string | undefined,
    timeoutSeconds: number,
    resolve?: Resolve,
): Promise<CheckResult> {
    const check = "run-app-url-disabled";
    if (!runAppUrl) {
        return skipped(check, "run.app URL unknown (no stack output names one; give --run-app-url)");
    }
    const url = new URL(runAppUrl);
    const details: string[] = [];
    for (const path of ["/", "/v1/models", "/api/tags"]) {
        try {
            // The certificate is not the question here: whether anything answers is.
            const answer = await sendRaw(url, { method: "GET", path, headers: {}, insecure: true }, undefined, {
                timeoutSeconds,
                resolve,
            });
            details.push(evidenceLine({ method: "GET", path: `${url.origin}${path}` }, answer));
            if (answer.status >= 200 && answer.status < 400) {
                return {
                    check,
                    status: "FAIL",
                    summary: `the run.app URL answers: ${details[details.length - 1]}`,
                    details,
                };
            }
        } catch (e) {
            details.push(`GET ${url.origin}${path} -> no answer: ${errorText(e)}`);
        }
    }
    return { check, status: "PASS", summary: `no success from ${url.origin}: ${details[0]}`, details };
}
