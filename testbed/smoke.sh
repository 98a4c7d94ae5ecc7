#!/usr/bin/env bash
# testbed/smoke.sh — check the testbed: with a cluster from `testbed/cluster.sh up` (started here
# if none is running, and stopped again), apply a namespace, a Deployment, a StatefulSet with a
# volumeClaimTemplate and a Job and wait for them; then check the Pulumi CLI, the language host
# and the installed provider plugins. Exit status 0 when all checks pass.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
source "$HERE/env.sh" --quiet || echo "smoke: testbed cache incomplete (checks will fail): $TESTBED_MISSING" >&2

PASS=0 FAIL=0
ok() { echo "ok   - $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL - $*"; FAIL=$((FAIL + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

STARTED=0
if ! "$HERE/cluster.sh" status >/dev/null 2>&1; then
	"$HERE/cluster.sh" up >/dev/null
	STARTED=1
fi
cleanup() { if ((STARTED)); then "$HERE/cluster.sh" down >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
export KUBECONFIG="$("$HERE/cluster.sh" kubeconfig)"
NS=smoke-$$

check "kubectl version (server v$K8S_VERSION)" bash -c "kubectl version -o json | jq -e '.serverVersion.gitVersion == \"v$K8S_VERSION\"' >/dev/null"
check "nodes Ready" kubectl wait --for condition=Ready node --all --timeout=30s

kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $NS
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: $NS}
spec:
  hard: {requests.cpu: "4", requests.memory: 8Gi, persistentvolumeclaims: "5"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: $NS}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: $NS}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 3306}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: $NS}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: mariadb:11
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}
        volumeMounts: [{name: data, mountPath: /var/lib/mysql}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: setup, namespace: $NS}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: setup
        image: busybox:1.36
        command: ["true"]
        resources: {requests: {cpu: 50m, memory: 32Mi}, limits: {cpu: 100m, memory: 64Mi}}
EOF

check "Deployment available" kubectl -n "$NS" rollout status deploy/web --timeout=60s
check "PVC bound (storage class $(kubectl get sc -o name | head -1))" \
	kubectl -n "$NS" wait --for=jsonpath='{.status.phase}'=Bound pvc/data-db-0 --timeout=60s
check "StatefulSet ready" kubectl -n "$NS" rollout status sts/db --timeout=60s
check "Job complete" kubectl -n "$NS" wait --for=condition=Complete job/setup --timeout=60s
check "ServiceAccount token mounted in pods" bash -c \
	"kubectl -n $NS get pod -l app=web -o jsonpath='{.items[0].spec.volumes[*].projected.sources[*].serviceAccountToken.path}' | grep -q token"
check "namespace deletion finishes" kubectl delete ns "$NS" --timeout=90s

# A namespace whose Job pods fail (the e2e failure case uses the same mechanism).
FNS=$NS-fail
kubectl create namespace "$FNS" >/dev/null
"$HERE/cluster.sh" fail-jobs "$FNS" on 2>/dev/null
job_yaml() { # name
	printf 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: %s, namespace: %s}\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: main, image: "busybox:1.36", command: ["true"]}]\n' "$1" "$FNS"
}
job_yaml failing | kubectl apply -f - >/dev/null
check "Job in a namespace with the fail stage fails" kubectl -n "$FNS" wait --for=condition=Failed job/failing --timeout=60s
"$HERE/cluster.sh" fail-jobs "$FNS" off 2>/dev/null
job_yaml passing | kubectl apply -f - >/dev/null
check "after removing the fail stage, a new Job completes" kubectl -n "$FNS" wait --for=condition=Complete job/passing --timeout=60s
kubectl delete ns "$FNS" --wait=false >/dev/null

check "pulumi version = v$PULUMI_VERSION" bash -c "[[ \"\$(pulumi version)\" == v$PULUMI_VERSION ]]"
check "pulumi-language-nodejs on PATH" command -v pulumi-language-nodejs
check "plugin kubernetes $K8S_PROVIDER_VERSION installed" bash -c \
	"pulumi plugin ls --json | jq -e '.[] | select(.name==\"kubernetes\" and .version==\"$K8S_PROVIDER_VERSION\")' >/dev/null"
if [[ "${TESTBED_RANDOM_PLUGIN:-0}" == 1 ]]; then
	check "plugin random $RANDOM_PROVIDER_VERSION installed" bash -c \
		"pulumi plugin ls --json | jq -e '.[] | select(.name==\"random\" and .version==\"$RANDOM_PROVIDER_VERSION\")' >/dev/null"
else
	echo "skip - plugin random $RANDOM_PROVIDER_VERSION (not built; see testbed/README.md)"
fi
pulumi plugin ls

echo "$PASS passed, $FAIL failed"
((FAIL == 0))
