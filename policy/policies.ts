/** Every policy of the guarded-llm pack, for the pack itself (index.ts) and for the policy runner (tools/policyRunner.ts). */
import { Policies } from "@pulumi/policy";
import { accessPolicies } from "./access";
import { cloudRunPolicies } from "./cloudRun";
import { iamPolicies } from "./iam";
import { loadBalancerPolicies } from "./loadBalancer";
import { modelArmorPolicies } from "./modelArmor";
import { secretPolicies } from "./secrets";
import { storagePolicies } from "./storage";

export const policies: Policies = [
    ...cloudRunPolicies,
    ...iamPolicies,
    ...storagePolicies,
    ...modelArmorPolicies,
    ...loadBalancerPolicies,
    ...accessPolicies,
    ...secretPolicies,
];
