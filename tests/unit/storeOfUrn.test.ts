/** `npm run up` blames a failure on the store whose component is up the URN's parent chain. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { collectParents, storeOfUrn } from "../../automation/workspace";

const STACK = "urn:pulumi:dev::woostore::";
const storeUrn = (store: string) => `${STACK}woostore:index:WooStore::${store}`;
const childUrn = (type: string, name: string) => `${STACK}woostore:index:WooStore$${type}::${name}`;

/** Engine step events as the Automation API delivers them (only the fields used). */
function preEvent(urn: string, parent: string): EngineEvent {
    return { sequence: 0, timestamp: 0, resourcePreEvent: { metadata: { op: "create", urn, type: "", provider: "", new: { type: "", urn, custom: true, id: "", parent, inputs: {}, outputs: {}, provider: "" } } } } as unknown as EngineEvent;
}

describe("failure attribution by URN parent chain (stores shop and shop-setup)", () => {
    // Store shop's setup Job is named shop-setup, exactly the name of store shop-setup's component.
    const shopJob = childUrn("kubernetes:batch/v1:Job", "shop-setup");
    const shopSetupJob = childUrn("kubernetes:batch/v1:Job", "shop-setup-setup");
    const shopSetupNamespace = childUrn("kubernetes:core/v1:Namespace", "shop-setup-namespace");
    const events = [
        preEvent(shopJob, storeUrn("shop")),
        preEvent(shopSetupJob, storeUrn("shop-setup")),
        preEvent(shopSetupNamespace, storeUrn("shop-setup")),
        preEvent(storeUrn("shop"), `${STACK}pulumi:pulumi:Stack::woostore-dev`),
        preEvent(storeUrn("shop-setup"), `${STACK}pulumi:pulumi:Stack::woostore-dev`),
    ];
    const parents = collectParents(events);

    it("shop's Job (named shop-setup) is blamed on shop", () => assert.equal(storeOfUrn(shopJob, parents), "shop"));
    it("shop-setup's Job is blamed on shop-setup", () => assert.equal(storeOfUrn(shopSetupJob, parents), "shop-setup"));
    it("shop-setup's namespace is blamed on shop-setup", () => assert.equal(storeOfUrn(shopSetupNamespace, parents), "shop-setup"));
    it("the store component itself names its store", () => assert.equal(storeOfUrn(storeUrn("shop"), parents), "shop"));
    it("a resource outside any store (the provider) belongs to none", () => assert.equal(storeOfUrn(`${STACK}pulumi:providers:kubernetes::kubernetes`, parents), undefined));
    it("a parent cycle in bad data ends the walk", () => {
        const cyclic = new Map([["urn:pulumi:a::p::t::x", "urn:pulumi:a::p::t::y"], ["urn:pulumi:a::p::t::y", "urn:pulumi:a::p::t::x"]]);
        assert.equal(storeOfUrn("urn:pulumi:a::p::t::x", cyclic), undefined);
    });
});
