import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DNS_LABEL, MAX_STORE_NAME_LENGTH, NAME_LIMITS, oversizedNames, storeNames } from "../../components/names";

describe("derived names", () => {
    it("derives namespace, release and service names from the store name", () => {
        const names = storeNames("bakery");
        assert.equal(names.namespace, "store-bakery");
        assert.equal(names.releaseName, "bakery");
        assert.equal(names.wordpressService, "bakery-wordpress");
        assert.equal(names.mariadbPvc, "data-bakery-mariadb-0");
    });
    it("every derived name of the longest allowed store name fits its Kubernetes limit", () => {
        const longest = "a".repeat(MAX_STORE_NAME_LENGTH);
        assert.deepEqual(oversizedNames(longest), []);
        const names = storeNames(longest);
        for (const key of Object.keys(names) as (keyof typeof names)[]) {
            assert.ok(names[key].length <= NAME_LIMITS[key], `${key} ${names[key].length}`);
            if (key !== "mariadbPvc" && key !== "wordpressPvc") {
                assert.match(names[key], DNS_LABEL);
            }
        }
    });
    it("the limit is tight: a longer name would overflow the revision-hash label", () => {
        assert.notDeepEqual(oversizedNames("a".repeat(MAX_STORE_NAME_LENGTH + 5)), []);
    });
});
