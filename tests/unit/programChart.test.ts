/**
 * The program and the chart agree: the values the WooStore component sends for dev and
 * prod render with the real helm binary, and the objects carry what the program relies on
 * (names the setup Job mounts, the credentials Secret, the store host).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { helmValues } from "../../components/helmValues";
import { storeNames } from "../../components/names";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import { stackConfig } from "../helpers/config";
import { getObject, renderChart, valuesFile } from "../helpers/helm";

for (const stack of ["dev", "prod"] as const) {
    describe(`program values render with the real helm (${stack})`, () => {
        const config = stackConfig(stack);
        const store = resolveStore(storeEntrySchema.parse({ name: "corner-shop", admin: { email: "a@example.com" } }), config);
        const names = storeNames(store.name);

        it("renders the objects the setup Job and policies depend on", async () => {
            const { objects, text } = await renderChart(names.releaseName, ["-f", valuesFile(`program-${stack}`, helmValues(store, config))]);
            const pvc = getObject(objects, "PersistentVolumeClaim", names.wordpressPvc);
            assert.equal(pvc.spec.resources.requests.storage, store.persistence.wordpress);
            getObject(objects, "Service", names.wordpressService);
            getObject(objects, "Service", names.mariadbService);
            const statefulSet = getObject(objects, "StatefulSet", names.mariadbStatefulSet);
            assert.equal(statefulSet.spec.volumeClaimTemplates[0].metadata.name, "data");
            const deployment = getObject(objects, "Deployment", `${names.releaseName}-wordpress`);
            assert.equal(deployment.spec.template.metadata.labels["app.kubernetes.io/name"], "wordpress");
            assert.equal(deployment.spec.template.metadata.labels["app.kubernetes.io/instance"], names.releaseName);
            const ingress = getObject(objects, "Ingress", names.releaseName);
            assert.equal(ingress.spec.rules[0].host, store.host);
            assert.equal(Boolean(ingress.spec.tls), config.tls.enabled);
            assert.match(text, /woostore-credentials/);
        });
    });
}
