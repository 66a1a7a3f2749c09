/**
 * The guarded-llm CrossGuard policy pack: `npm install` in this directory once, then
 * `pulumi preview --policy-pack <path to this directory>` on any stack. See README.md.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("guarded-llm", { policies });
