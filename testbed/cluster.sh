#!/usr/bin/env bash
# testbed/cluster.sh up [--real-node]|down|status|kubeconfig|host-snapshot DIR|host-diff|fail-jobs NAMESPACE [on|off]
#
# A simulated Kubernetes cluster on loopback: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler and the KWOK controller (fake nodes; pods become Running/Ready, Job pods
# Succeed, PVCs of the storage class are provisioned and bound by KWOK volume stages).
#
# `up --real-node` (tier 3, root only) starts no KWOK: instead one real node on this host
# (containerd, kubelet, kube-proxy, kube-router's NetworkPolicy firewall, CoreDNS,
# local-path-provisioner; see node.sh) that runs the look-alike images of testbed/images.
# `down` then also undoes every host change the node made, and fails if the host differs from
# before `up`; `host-diff` prints those differences.
#
# Environment (all optional):
#   CLUSTER_NAME=default        state dir is ${TMPDIR:-/tmp}/woostore-testbed-$CLUSTER_NAME
#   NODES=2 NODE_CPU=8 NODE_MEM=16Gi NODE_PODS=110
#   STORAGE_CLASS=local-path    default StorageClass whose PVCs KWOK binds
#   PORT_BASE=36000             etcd +379/+380, apiserver +443, kcm +257, scheduler +259, kwok +247
#   POD_READY_DELAY_MS=0        delay before KWOK makes a pod Running/Ready (realistic: 20000)
#   JOB_COMPLETE_DELAY_MS=0     delay before a running Job pod Succeeds (realistic: 30000)
#   WOOSTORE_TESTBED_CACHE      tool cache (see build.sh)
#
# Stages: kwok runs with --enable-crds=Stage, so stages are Stage objects in the cluster. `up`
# applies kwok's default node stages (node-initialize, node-heartbeat-with-lease), pod stages
# (pod-ready, pod-complete, pod-delete) and volume stages (pvc-provision, pv-bind, pvc-delete,
# pv-delete), read from the kwok module in the Go module cache. Tests may add their own Stage
# objects (e.g. one that fails the pods of a namespace) and delete them again.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLUSTER_NAME="${CLUSTER_NAME:-default}"
STATE="${TMPDIR:-/tmp}/woostore-testbed-$CLUSTER_NAME"
NODES="${NODES:-2}"
NODE_CPU="${NODE_CPU:-8}"
NODE_MEM="${NODE_MEM:-16Gi}"
NODE_PODS="${NODE_PODS:-110}"
STORAGE_CLASS="${STORAGE_CLASS:-local-path}"
POD_READY_DELAY_MS="${POD_READY_DELAY_MS:-0}"
JOB_COMPLETE_DELAY_MS="${JOB_COMPLETE_DELAY_MS:-0}"
PORT_BASE="${PORT_BASE:-36000}"
ETCD_PORT=$((PORT_BASE + 379))
ETCD_PEER_PORT=$((PORT_BASE + 380))
APISERVER_PORT=$((PORT_BASE + 443))
KCM_PORT=$((PORT_BASE + 257))
SCHED_PORT=$((PORT_BASE + 259))
KWOK_PORT=$((PORT_BASE + 247))
KUBECONFIG_PATH="$STATE/kubeconfig"
BIN="$(tb_bin_kube)"
KWOK_SRC="$TESTBED_CACHE/gomod/sigs.k8s.io/kwok@v$KWOK_VERSION"

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }
kc() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
# Node mode is remembered next to the state dir, so `down` and `status` know without flags.
MODE_FILE="${TMPDIR:-/tmp}/woostore-testbed-$CLUSTER_NAME.mode"
REAL_NODE=0
[[ -f "$MODE_FILE" && "$(cat "$MODE_FILE")" == real-node ]] && REAL_NODE=1

pid_alive() { [[ -f "$STATE/$1.pid" ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

start_bg() { # name, cmd...
	local name=$1; shift
	setsid "$@" >"$STATE/logs/$name.log" 2>&1 < /dev/null &
	echo $! >"$STATE/$name.pid"
}

stop_component() { # name: TERM, up to 5 s, then KILL
	local c=$1 n=0
	pid_alive "$c" || return 0
	kill "$(cat "$STATE/$c.pid")" 2>/dev/null || true
	while pid_alive "$c" && ((n < 50)); do sleep 0.1; n=$((n + 1)); done
	if pid_alive "$c"; then kill -9 "$(cat "$STATE/$c.pid")" 2>/dev/null || true; fi
}

wait_for() { # description, timeout seconds, command...
	local what=$1 timeout=$2; shift 2
	local deadline=$((SECONDS + timeout))
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS > deadline)); then
			log "timed out waiting for $what; logs in $STATE/logs"
			return 1
		fi
		sleep 0.3
	done
}

gen_pki() {
	local p="$STATE/pki"
	mkdir -p "$p"
	(
		cd "$p"
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 \
			-subj "/CN=woostore-testbed-ca" 2>/dev/null
		cat >apiserver.ext <<-EOF
			subjectAltName=IP:127.0.0.1,IP:10.96.0.1${NODE_IP:+,IP:$NODE_IP},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
			extendedKeyUsage=serverAuth
			keyUsage=digitalSignature,keyEncipherment
		EOF
		openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
		openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 30 \
			-extfile apiserver.ext 2>/dev/null
		printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n' >client.ext
		openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=admin" 2>/dev/null
		openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 30 \
			-extfile client.ext 2>/dev/null
		# ServiceAccount token signing key pair.
		openssl genrsa -out sa.key 2048 2>/dev/null
		openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
		rm -f ./*.csr ./*.ext ./*.srl
	)
	cat >"$KUBECONFIG_PATH" <<-EOF
		apiVersion: v1
		kind: Config
		clusters:
		- name: woostore-testbed
		  cluster:
		    server: https://127.0.0.1:$APISERVER_PORT
		    certificate-authority-data: $(base64 -w0 "$p/ca.crt")
		users:
		- name: admin
		  user:
		    client-certificate-data: $(base64 -w0 "$p/admin.crt")
		    client-key-data: $(base64 -w0 "$p/admin.key")
		contexts:
		- name: woostore-testbed
		  context: {cluster: woostore-testbed, user: admin}
		current-context: woostore-testbed
	EOF
	chmod 600 "$KUBECONFIG_PATH"
}

# Stage manifests from the kwok module (not copied into the repository): the volume stages'
# storage class name is rewritten to $STORAGE_CLASS.
stage_manifests() {
	local f
	for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
		pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
		volume/fast/pvc-provision.yaml volume/fast/pv-bind.yaml volume/fast/pvc-delete.yaml volume/fast/pv-delete.yaml \
		volume/fast/storage-class.yaml; do
		[[ -f "$KWOK_SRC/kustomize/stage/$f" ]] || die "missing $KWOK_SRC/kustomize/stage/$f (run testbed/build.sh)"
		echo "---"
		sed "s/kwok-volume/$STORAGE_CLASS/g" "$KWOK_SRC/kustomize/stage/$f" | with_delay "$(stage_delay_ms "$f")"
		echo
	done
}

# Real images take time to pull and start: the pod stages can wait like them (spec.delay).
stage_delay_ms() {
	case "$1" in
	pod/fast/pod-ready.yaml) echo "$POD_READY_DELAY_MS" ;;
	pod/fast/pod-complete.yaml) echo "$JOB_COMPLETE_DELAY_MS" ;;
	*) echo 0 ;;
	esac
}

with_delay() {
	if [[ "$1" =~ ^[0-9]+$ ]] && (($1 > 0)); then
		# kwok waits a random time between durationMilliseconds and jitterDurationMilliseconds: ±10 %.
		sed "/^spec:\$/a\\  delay:\\n    durationMilliseconds: $(($1 * 9 / 10))\\n    jitterDurationMilliseconds: $(($1 * 11 / 10))"
	else
		cat
	fi
}

node_manifests() {
	local i
	for ((i = 0; i < NODES; i++)); do
		cat <<-EOF
			---
			apiVersion: v1
			kind: Node
			metadata:
			  name: kwok-node-$i
			  annotations:
			    kwok.x-k8s.io/node: fake
			    node.alpha.kubernetes.io/ttl: "0"
			  labels:
			    kubernetes.io/arch: amd64
			    kubernetes.io/os: linux
			    kubernetes.io/hostname: kwok-node-$i
			    node-role.kubernetes.io/agent: ""
			    type: kwok
			spec:
			  podCIDR: 10.244.$i.0/24
			  podCIDRs: [10.244.$i.0/24]
			status:
			  addresses:
			  - {type: InternalIP, address: "192.0.2.$((i + 1))"}
			  allocatable: {cpu: "$NODE_CPU", memory: "$NODE_MEM", pods: "$NODE_PODS", ephemeral-storage: 100Gi}
			  capacity: {cpu: "$NODE_CPU", memory: "$NODE_MEM", pods: "$NODE_PODS", ephemeral-storage: 100Gi}
			  nodeInfo: {architecture: amd64, operatingSystem: linux, kubeletVersion: "v$K8S_VERSION"}
		EOF
	done
}

cmd_up() {
	local start=$SECONDS real_node=0
	case "${1:-}" in
	--real-node) real_node=1 ;;
	"") ;;
	*) die "unknown option $1 (usage: cluster.sh up [--real-node])" ;;
	esac
	for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok kubectl; do
		[[ -x "$BIN/$c" ]] || die "$BIN/$c not built; run testbed/build.sh"
	done
	if pid_alive kube-apiserver; then
		((real_node == REAL_NODE)) || die "cluster '$CLUSTER_NAME' is already running in the other mode; run cluster.sh down first"
		log "already running ($STATE)"
		echo "$KUBECONFIG_PATH"
		return 0
	fi
	NODE_IP=""
	if ((real_node)); then
		# shellcheck source=node.sh
		source "$TESTBED_DIR/node.sh"
		node_check_host
		NODE_IP=$(node_ip)
		node_host_snapshot "$HOST_SNAPSHOT_BEFORE.tmp" && rm -rf "$HOST_SNAPSHOT_BEFORE" && mv "$HOST_SNAPSHOT_BEFORE.tmp" "$HOST_SNAPSHOT_BEFORE"
		echo real-node >"$MODE_FILE"
		REAL_NODE=1
	fi
	rm -rf "$STATE"
	mkdir -p "$STATE/logs" "$STATE/etcd"
	gen_pki
	local apiserver_node_flags=() kcm_node_flags=()
	if ((real_node)); then
		node_pki "$NODE_IP"
		node_write_configs "$NODE_IP"
		# Pods reach the API server through the kubernetes Service: it listens on the node IP
		# too and keeps its endpoints (lease reconciler). Logs and exec go to the kubelet by IP.
		apiserver_node_flags=(--bind-address 0.0.0.0 --advertise-address "$NODE_IP"
			--kubelet-preferred-address-types InternalIP --kubelet-certificate-authority "$STATE/pki/ca.crt"
			--kubelet-client-certificate "$STATE/pki/admin.crt" --kubelet-client-key "$STATE/pki/admin.key")
		kcm_node_flags=(--allocate-node-cidrs --cluster-cidr "$CLUSTER_CIDR" --node-cidr-mask-size 24)
	else
		apiserver_node_flags=(--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --endpoint-reconciler-type none)
	fi
	local p="$STATE/pki" ak="$KUBECONFIG_PATH"

	start_bg etcd "$BIN/etcd" --name default --data-dir "$STATE/etcd" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-cluster "default=http://127.0.0.1:$ETCD_PEER_PORT" \
		--unsafe-no-fsync --quota-backend-bytes=4294967296 --log-level=warn

	start_bg kube-apiserver "$BIN/kube-apiserver" \
		--etcd-servers "http://127.0.0.1:$ETCD_PORT" \
		"${apiserver_node_flags[@]}" --secure-port "$APISERVER_PORT" \
		--tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" \
		--client-ca-file "$p/ca.crt" \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
		--service-cluster-ip-range 10.96.0.0/16 \
		--authorization-mode Node,RBAC \
		--allow-privileged=true \
		--enable-priority-and-fairness=false

	wait_for "etcd /health" 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health" || die "etcd not healthy"
	wait_for "kube-apiserver /readyz" 60 kc get --raw /readyz || die "kube-apiserver not ready"

	start_bg kube-controller-manager "$BIN/kube-controller-manager" \
		--kubeconfig "$ak" --authentication-kubeconfig "$ak" --authorization-kubeconfig "$ak" \
		--bind-address 127.0.0.1 --secure-port "$KCM_PORT" \
		--service-account-private-key-file "$p/sa.key" --root-ca-file "$p/ca.crt" \
		--use-service-account-credentials=true \
		--cluster-signing-cert-file "$p/ca.crt" --cluster-signing-key-file "$p/ca.key" \
		--controllers '*' --leader-elect=false --service-cluster-ip-range 10.96.0.0/16 "${kcm_node_flags[@]}"

	start_bg kube-scheduler "$BIN/kube-scheduler" \
		--kubeconfig "$ak" --authentication-kubeconfig "$ak" --authorization-kubeconfig "$ak" \
		--bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false

	if ((real_node)); then
		if ! node_up "$NODE_IP"; then
			log "real node failed to start; logs in $STATE/logs"
			exit 1
		fi
		wait_for "default ServiceAccount" 60 kc -n default get serviceaccount default || die "no default SA"
		log "up in $((SECONDS - start))s; real node $NODE_NAME ($NODE_IP); state and logs in $STATE"
		echo "$KUBECONFIG_PATH"
		return 0
	fi

	kc apply --server-side -f "$KWOK_SRC/kustomize/crd/bases/kwok.x-k8s.io_stages.yaml" >/dev/null
	# Traefik's CRDs, as k3s installs them: stores with TLS get a redirect Middleware.
	if [[ -f "$TB_TRAEFIK_CRDS" ]]; then
		kc apply --server-side -f "$TB_TRAEFIK_CRDS" >/dev/null
		wait_for "Traefik Middleware CRD" 30 kc wait --for condition=established --timeout=1s crd/middlewares.traefik.io
	else
		log "warning: no Traefik CRDs ($TB_TRAEFIK_CRDS; run testbed/build.sh crds): releases with TLS will fail"
	fi
	wait_for "Stage CRD" 30 kc wait --for condition=established --timeout=1s crd/stages.kwok.x-k8s.io
	stage_manifests | kc apply --server-side -f - >/dev/null
	node_manifests | kc apply --server-side -f - >/dev/null
	for ((i = 0; i < NODES; i++)); do # addresses are dropped on create; set them as a status update
		kc patch node "kwok-node-$i" --subresource=status --type=merge \
			-p "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"192.0.2.$((i + 1))\"},{\"type\":\"Hostname\",\"address\":\"kwok-node-$i\"}]}}" >/dev/null
	done

	start_bg kwok "$BIN/kwok" --kubeconfig "$ak" \
		--manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
		--enable-crds Stage --node-lease-duration-seconds 40 \
		--server-address "127.0.0.1:$KWOK_PORT" --node-ip 192.0.2.1 --cidr 10.0.0.1/16

	wait_for "nodes Ready" 60 kc wait --for condition=Ready --timeout=2s node --all || die "nodes not Ready"
	wait_for "default ServiceAccount" 60 kc -n default get serviceaccount default || die "no default SA"
	log "up in $((SECONDS - start))s; $NODES nodes ($NODE_CPU cpu, $NODE_MEM); state and logs in $STATE"
	echo "$KUBECONFIG_PATH"
}

# A Stage that makes the pods of Jobs in one namespace fail (exit code 1) instead of completing.
# weight 1 beats the default stages (weight 0) when both match (kwok picks among matching stages
# by weight). The e2e tests may apply an equivalent Stage themselves.
fail_stage_manifest() {
	local ns=$1
	cat <<-EOF
		apiVersion: kwok.x-k8s.io/v1alpha1
		kind: Stage
		metadata:
		  name: fail-job-pods-$ns
		spec:
		  resourceRef: {apiGroup: v1, kind: Pod}
		  weight: 1
		  selector:
		    matchExpressions:
		    - {key: .metadata.namespace, operator: In, values: ["$ns"]}
		    - {key: .metadata.deletionTimestamp, operator: DoesNotExist}
		    - {key: .status.phase, operator: In, values: [Running]}
		    - {key: ".metadata.ownerReferences.[].kind", operator: In, values: [Job]}
		  next:
		    statusTemplate: |
		      {{ \$now := Now }}
		      containerStatuses:
		      {{ range \$index, \$item := .spec.containers }}
		      - image: {{ \$item.image | Quote }}
		        name: {{ \$item.name | Quote }}
		        ready: false
		        restartCount: 0
		        started: false
		        state:
		          terminated:
		            exitCode: 1
		            finishedAt: {{ \$now | Quote }}
		            reason: Error
		            message: "failed by the testbed stage fail-job-pods-$ns"
		            startedAt: {{ \$now | Quote }}
		      {{ end }}
		      phase: Failed
	EOF
}

cmd_fail_jobs() { # NAMESPACE on|off
	local ns=${1:?usage: cluster.sh fail-jobs NAMESPACE [on|off]} mode=${2:-on}
	if [[ "$mode" == on ]]; then
		fail_stage_manifest "$ns" | kc apply -f - >/dev/null
		log "Job pods in namespace $ns will fail (Stage fail-job-pods-$ns)"
	else
		kc delete stage "fail-job-pods-$ns" --ignore-not-found >/dev/null
		log "Job pods in namespace $ns complete normally again"
	fi
}

cmd_down() {
	local c rc=0
	if ((REAL_NODE)); then
		# shellcheck source=node.sh
		source "$TESTBED_DIR/node.sh"
		# Controllers first, so deleted pods are not replaced while the node is taken down.
		stop_component kube-scheduler
		stop_component kube-controller-manager
		node_down || rc=1
		rm -f "$MODE_FILE"
	fi
	for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
		c=${COMPONENTS[$i]}
		if pid_alive "$c"; then
			kill "$(cat "$STATE/$c.pid")" 2>/dev/null || true
		fi
	done
	for c in "${COMPONENTS[@]}"; do
		local n=0
		while pid_alive "$c" && ((n < 50)); do sleep 0.1; n=$((n + 1)); done
		if pid_alive "$c"; then kill -9 "$(cat "$STATE/$c.pid")" 2>/dev/null || true; fi
	done
	rm -rf "$STATE"
	log "down"
	return $rc
}

cmd_status() {
	local c rc=0 components=("${COMPONENTS[@]}")
	if ((REAL_NODE)); then
		# shellcheck source=node.sh
		source "$TESTBED_DIR/node.sh"
		components=(etcd kube-apiserver kube-controller-manager kube-scheduler "${NODE_COMPONENTS[@]}")
	fi
	for c in "${components[@]}"; do
		if pid_alive "$c"; then echo "$c: running (pid $(cat "$STATE/$c.pid"))"; else echo "$c: not running"; rc=1; fi
	done
	if ((rc == 0)); then
		kc get --raw /readyz >/dev/null && echo "apiserver: ready (https://127.0.0.1:$APISERVER_PORT)" || rc=1
		kc get nodes --no-headers 2>/dev/null | sed 's/^/node: /' || true
	fi
	echo "kubeconfig: $KUBECONFIG_PATH"
	return $rc
}

case "${1:-}" in
up) shift; cmd_up "$@" ;;
host-snapshot)
	# shellcheck source=node.sh
	source "$TESTBED_DIR/node.sh"
	node_host_snapshot "${2:?usage: cluster.sh host-snapshot DIR}"
	;;
host-diff)
	# shellcheck source=node.sh
	source "$TESTBED_DIR/node.sh"
	node_host_diff
	;;
down) cmd_down ;;
status) cmd_status ;;
fail-jobs) shift; cmd_fail_jobs "$@" ;;
kubeconfig)
	[[ -f "$KUBECONFIG_PATH" ]] || die "no cluster '$CLUSTER_NAME' (run: testbed/cluster.sh up)"
	echo "$KUBECONFIG_PATH"
	;;
*)
	echo "usage: $0 up [--real-node]|down|status|kubeconfig|host-snapshot DIR|host-diff|fail-jobs NAMESPACE [on|off]" >&2
	exit 2
	;;
esac
