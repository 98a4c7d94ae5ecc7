import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatBytes, formatCpu, isQuantity, parseQuantity, sumQuantities } from "../../components/quantity";

describe("quantities", () => {
    it("parses CPU in cores and millicores", () => {
        assert.equal(parseQuantity("2"), 2);
        assert.equal(parseQuantity("500m"), 0.5);
        assert.equal(parseQuantity("1.5"), 1.5);
    });
    it("parses binary and decimal byte suffixes", () => {
        assert.equal(parseQuantity("512Mi"), 512 * 2 ** 20);
        assert.equal(parseQuantity("2Gi"), 2 * 2 ** 30);
        assert.equal(parseQuantity("1G"), 1e9);
    });
    it("rejects what Kubernetes would reject or we do not accept", () => {
        for (const bad of ["", "2 Gi", "-1", "1e3", "Gi", "1.Gi", "abc"]) {
            assert.equal(isQuantity(bad), false, bad);
            assert.throws(() => parseQuantity(bad));
        }
    });
    it("sums and formats", () => {
        assert.equal(formatCpu(sumQuantities(["500m", "500m", "500m"])), "1500m");
        assert.equal(formatCpu(sumQuantities(["1", "1"])), "2");
        assert.equal(formatBytes(sumQuantities(["512Mi", "512Mi", "512Mi"])), "1536Mi");
        assert.equal(formatBytes(sumQuantities(["1Gi", "1Gi"])), "2Gi");
    });
});
