/**
 * Entry point of the policy pack: `pulumi preview|up --policy-pack policy`. The CLI runs this
 * file as its own Node program (from policy/, with policy/package.json's version); the
 * policies live in pack.ts and policies/ so tests can import them without starting the pack.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, packArgs } from "./pack";

new PolicyPack(PACK_NAME, packArgs);
