/** IAM: nothing public, no basic roles. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { listOf, parseJson, quote } from "../components/pure/values";
import { Props, plain } from "./values";

/** One role granted to members, as an IAM resource declares it. */
export interface IamGrant {
    readonly role: unknown;
    readonly members: readonly unknown[];
}

/**
 * The provider's IAM resources of every GCP service follow one naming scheme: `<Thing>IamMember` (`member`),
 * `<Thing>IamBinding` (`members`) and `<Thing>IamPolicy` (`policyData`, the JSON of an IAM policy), spelled `IAM` or
 * `Iam` (e.g. `gcp:projects/iAMMember:IAMMember`, `gcp:cloudrunv2/serviceIamMember:ServiceIamMember`).
 */
const IAM_TYPE = /^gcp:[^:]+:\w*Iam(Member|Binding|Policy)$/i;

/** The grants an IAM resource makes; none for other resources or for a policy document unknown during preview. */
export function iamGrants(type: string, props: Props): IamGrant[] {
    const kind = IAM_TYPE.exec(type)?.[1]?.toLowerCase();
    if (kind === "member") return [{ role: props.role, members: [props.member] }];
    if (kind === "binding") return [{ role: props.role, members: listOf(props.members) }];
    if (kind === "policy") {
        // Unknown during preview or malformed (which the provider rejects): no grant to check.
        return listOf(parseJson(props.policyData)?.bindings).map((b) => ({
            role: b?.role,
            members: listOf(b?.members),
        }));
    }
    return [];
}

/** Principals that stand for anyone on the internet, with or without a Google account. */
const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];

/** Owner, Editor and Viewer grant thousands of permissions across every service of the project. */
const BASIC_ROLES = ["roles/owner", "roles/editor", "roles/viewer"];

export const iamNoPublicMembers: ResourceValidationPolicy = {
    name: "iam-no-public-members",
    description: "No IAM grant of any GCP resource names allUsers or allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        for (const grant of iamGrants(args.type, plain(args.props))) {
            for (const member of grant.members.filter((m) => PUBLIC_MEMBERS.includes(m as string))) {
                report(
                    `grants ${quote(grant.role)} to ${quote(member)}, i.e. to anyone on the internet. Ollama has no ` +
                        "authentication of its own. Fix: grant the role to a specific principal (e.g. " +
                        '"serviceAccount:NAME@PROJECT.iam.gserviceaccount.com"). A Cloud Run service behind the load ' +
                        "balancer needs no allUsers invoker grant: set invokerIamDisabled: true instead (OllamaService does).",
                );
            }
        }
    },
};

export const iamNoBasicRoles: ResourceValidationPolicy = {
    name: "iam-no-basic-roles",
    description: "No IAM grant of the basic roles roles/owner, roles/editor or roles/viewer.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        for (const grant of iamGrants(args.type, plain(args.props))) {
            if (BASIC_ROLES.includes(grant.role as string)) {
                report(
                    `grants the basic role ${quote(grant.role)}, which reaches every service of the project. Fix: ` +
                        "grant the predefined role the task needs on the one resource it needs (e.g. " +
                        "roles/storage.objectViewer on the model bucket, as ModelBucket.grantRead does).",
                );
            }
        }
    },
};

export const iamPolicies = [iamNoPublicMembers, iamNoBasicRoles];
