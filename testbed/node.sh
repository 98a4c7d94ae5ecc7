# shellcheck shell=bash
# testbed/node.sh — the real node of `cluster.sh up --real-node` (tier 3). Sourced by cluster.sh
# after its own variables are set; defines node_* functions only.
#
# One node on this host, next to the control plane: containerd (own root, state, socket, opt and
# runc dirs under $STATE), kubelet, kube-proxy (iptables mode), kube-router (NetworkPolicy
# firewall only), CoreDNS (a pod, as in k3s) and local-path-provisioner (k3s's `local-path`
# StorageClass; a host process whose helper pods make the volume dirs under $STATE/local-path).
# The CNI network is the bridge plugin with host-local IPAM (data under $STATE).
#
# Host changes, all undone by node_down: links (the bridge, veths), iptables/ip6tables rules
# and ipsets (kube-proxy, kube-router, the CNI plugins), network namespaces and mounts (pod
# sandboxes, volumes), sysctls (ip_forward; the kubelet's kernel defaults), cgroups (under
# /$NODE_CGROUP_ROOT in every cgroup v1 hierarchy). `up` writes a snapshot of all of these to
# $STATE/host-before; `down` restores what differs and compares again (node_host_diff).

NODE_NAME="${NODE_NAME:-$CLUSTER_NAME-node}"
NODE_CGROUP_ROOT="woostore-testbed-$CLUSTER_NAME"
NODE_BRIDGE="${NODE_BRIDGE:-wst-$CLUSTER_NAME}"
NODE_BRIDGE="${NODE_BRIDGE:0:15}"
POD_CIDR="${POD_CIDR:-10.244.0.0/24}"
CLUSTER_CIDR="${CLUSTER_CIDR:-10.244.0.0/16}"
SERVICE_CIDR=10.96.0.0/16
DNS_SERVICE_IP=10.96.0.10
KUBELET_PORT=$((PORT_BASE + 250))
KUBELET_HEALTHZ_PORT=$((PORT_BASE + 248))
KUBE_PROXY_METRICS_PORT=$((PORT_BASE + 249))
KUBE_PROXY_HEALTHZ_PORT=$((PORT_BASE + 256))
KUBE_ROUTER_HEALTH_PORT=$((PORT_BASE + 244))
CONTAINERD_SOCK="$STATE/containerd/containerd.sock"
NODE_BIN="$(tb_bin_node)"
ADDONS_BIN="$(tb_bin_nodeaddons)"
IMAGES_DIR="$(tb_images)"
NODE_COMPONENTS=(containerd kubelet kube-proxy kube-router local-path-provisioner)
HOST_SNAPSHOT_BEFORE="${TMPDIR:-/tmp}/woostore-testbed-$CLUSTER_NAME.host-before"

ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# The node's address: the source address of the default route (pods reach the API server there).
node_ip() { ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1; }

node_check_host() {
	local problems=() t
	((EUID == 0)) || problems+=("must run as root (containerd, kubelet, iptables)")
	for t in containerd containerd-shim-runc-v2 runc ctr iptables ip6tables iptables-save iptables-restore ipset conntrack ip nft; do
		command -v "$t" >/dev/null || problems+=("$t not found (apt-get install containerd runc iptables ipset conntrack iproute2 nftables)")
	done
	for t in bridge host-local loopback portmap; do
		[[ -x "/usr/lib/cni/$t" ]] || problems+=("CNI plugin /usr/lib/cni/$t not found (apt-get install containernetworking-plugins)")
	done
	for t in kubelet kube-proxy; do [[ -x "$NODE_BIN/$t" ]] || problems+=("$NODE_BIN/$t not built (testbed/build.sh node)"); done
	for t in coredns kube-router local-path-provisioner; do [[ -x "$ADDONS_BIN/$t" ]] || problems+=("$ADDONS_BIN/$t not built (testbed/build.sh nodeaddons)"); done
	for t in pause wordpress mariadb wordpress-cli coredns; do [[ -f "$IMAGES_DIR/$t.tar" ]] || problems+=("$IMAGES_DIR/$t.tar not built (testbed/build.sh images)"); done
	[[ -d /sys/fs/cgroup/memory ]] || problems+=("no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory (this mode is written for the hybrid v1 layout)")
	[[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || problems+=("br_netfilter is not available (bridged pod traffic would bypass NetworkPolicy rules)")
	[[ -n "$(node_ip)" ]] || problems+=("no default route: cannot pick the node IP")
	if ip link show "$NODE_BRIDGE" >/dev/null 2>&1; then problems+=("link $NODE_BRIDGE already exists (another cluster named $CLUSTER_NAME?)"); fi
	if ((${#problems[@]})); then
		printf 'cluster: error: --real-node: %s\n' "${problems[@]}" >&2
		exit 1
	fi
}

# --- host snapshot --------------------------------------------------------------------------
# Everything the node may change, in a comparable form (counters, ids and volatile values out).
SYSCTL_VOLATILE='^(fs\.(dentry-state|file-nr|inode-nr|inode-state|quota\.)|kernel\.(random\.|ns_last_pid|pty\.nr|sched_domain|perf_event|tainted|hung_task|sysrq)|net\.netfilter\.nf_conntrack_count|net\.(ipv4|ipv6)\.(conf|neigh)\.(veth|cni|wst-|default\.stable_secret|all\.stable_secret)|net\.ipv6\.conf\..*\.stable_secret|vm\.stat_|dev\.cdrom|net\.core\.netdev_rss_key|fs\.binfmt_misc)'
node_host_snapshot() { # DIR
	local d=$1
	mkdir -p "$d"
	ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort >"$d/links" || true
	ip -o addr show | awk '{print $2, $3, $4}' | sort >"$d/addresses" || true
	ip route show table all | sort >"$d/routes" || true
	ip rule show | sort >"$d/rules" || true
	iptables-save 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]/[0:0]/' >"$d/iptables" || true
	ip6tables-save 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]/[0:0]/' >"$d/ip6tables" || true
	nft list ruleset 2>/dev/null | sed 's/handle [0-9]*//; s/counter packets [0-9]* bytes [0-9]*/counter/' >"$d/nft" || true
	ipset list -n 2>/dev/null | sort >"$d/ipsets" || true
	# Mounts the node can make (other jobs on the machine mount and unmount their own things).
	findmnt -rn -o TARGET,FSTYPE | grep -E '(woostore-testbed-|/netns|/containerd|kubelet|/sys/fs/cgroup| overlay$| nsfs$)' | sort >"$d/mounts" || true
	ls -1 /var/run/netns 2>/dev/null | sort >"$d/netns" || true
	sysctl -a 2>/dev/null | grep -Ev "$SYSCTL_VOLATILE" | sort >"$d/sysctls" || true
	find /sys/fs/cgroup -maxdepth 2 -type d 2>/dev/null | sort >"$d/cgroups" || true
	local p
	for p in /run/containerd /var/lib/containerd /opt/containerd /etc/cni /var/lib/cni /var/lib/kubelet /etc/kubernetes /var/lib/kube-router /var/run/netns /var/log/containers /var/log/pods /var/run/kubernetes; do
		if [[ -e "$p" ]]; then echo "$p"; fi
	done >"$d/paths"
	return 0
}

# Prints the differences between the snapshot taken at `up` and the host now; status 1 if any.
node_host_diff() {
	[[ -d "$HOST_SNAPSHOT_BEFORE" ]] || { echo "no host snapshot at $HOST_SNAPSHOT_BEFORE"; return 1; }
	local now rc=0 f
	now=$(mktemp -d)
	node_host_snapshot "$now"
	for f in "$HOST_SNAPSHOT_BEFORE"/*; do
		if ! diff -u "$f" "$now/$(basename "$f")" >"$now/diff" 2>&1; then
			echo "host differs: $(basename "$f")"
			sed -n '3,40p' "$now/diff"
			rc=1
		fi
	done
	rm -rf "$now"
	return $rc
}

# --- PKI and configuration ------------------------------------------------------------------
node_pki() { # adds the kubelet's client and serving certificates to $STATE/pki
	local p="$STATE/pki" ip=$1
	(
		cd "$p" || exit 1
		printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n' >client.ext
		openssl req -newkey rsa:2048 -nodes -keyout kubelet-client.key -out kubelet-client.csr \
			-subj "/O=system:nodes/CN=system:node:$NODE_NAME" 2>/dev/null
		openssl x509 -req -in kubelet-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out kubelet-client.crt -days 30 \
			-extfile client.ext 2>/dev/null
		printf 'subjectAltName=IP:%s,IP:127.0.0.1,DNS:%s\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n' \
			"$ip" "$NODE_NAME" >kubelet.ext
		openssl req -newkey rsa:2048 -nodes -keyout kubelet.key -out kubelet.csr -subj "/CN=$NODE_NAME" 2>/dev/null
		openssl x509 -req -in kubelet.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out kubelet.crt -days 30 \
			-extfile kubelet.ext 2>/dev/null
		rm -f ./*.csr ./*.ext ./*.srl
	)
	sed -e "s#client-certificate-data: .*#client-certificate-data: $(base64 -w0 "$p/kubelet-client.crt")#" \
		-e "s#client-key-data: .*#client-key-data: $(base64 -w0 "$p/kubelet-client.key")#" \
		"$KUBECONFIG_PATH" >"$STATE/kubelet.kubeconfig"
	chmod 600 "$STATE/kubelet.kubeconfig"
}

node_write_configs() {
	local ip=$1 c="$STATE/node"
	mkdir -p "$c" "$STATE/containerd" "$STATE/cni/net.d" "$STATE/cni/ipam" "$STATE/kubelet" "$STATE/local-path"
	# containerd 1.6: every path of its own under $STATE; the CRI plugin with the cgroupfs
	# driver and restrict_oom_score_adj (this VM has no CAP_SYS_RESOURCE: runc would fail to
	# set oom_score_adj -998 for critical pods).
	cat >"$c/containerd.toml" <<-EOF
		version = 2
		root = "$STATE/containerd/root"
		state = "$STATE/containerd/state"
		plugin_dir = ""
		[grpc]
		  address = "$CONTAINERD_SOCK"
		[ttrpc]
		  address = "$CONTAINERD_SOCK.ttrpc"
		[debug]
		  level = "info"
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$STATE/containerd/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$PAUSE_IMAGE"
		  restrict_oom_score_adj = true
		  enable_selinux = false
		  disable_apparmor = true
		  max_container_log_line_size = 16384
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        SystemdCgroup = false
		        Root = "$STATE/containerd/runc"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$STATE/cni/net.d"
		    max_conf_num = 1
		  [plugins."io.containerd.grpc.v1.cri".registry]
		    config_path = ""
	EOF
	# bridge + host-local (IPAM data under \$STATE) + portmap; hairpin so a pod reaches itself
	# through its own Service; ipMasq for traffic leaving the pod network.
	cat >"$STATE/cni/net.d/10-woostore-testbed.conflist" <<-EOF
		{
		  "cniVersion": "0.4.0",
		  "name": "woostore-testbed",
		  "plugins": [
		    {
		      "type": "bridge",
		      "bridge": "$NODE_BRIDGE",
		      "isGateway": true,
		      "ipMasq": true,
		      "hairpinMode": true,
		      "ipam": {
		        "type": "host-local",
		        "dataDir": "$STATE/cni/ipam",
		        "ranges": [[{"subnet": "$POD_CIDR"}]],
		        "routes": [{"dst": "0.0.0.0/0"}]
		      }
		    },
		    {"type": "portmap", "capabilities": {"portMappings": true}}
		  ]
		}
	EOF
	cat >"$c/kubelet.yaml" <<-EOF
		apiVersion: kubelet.config.k8s.io/v1beta1
		kind: KubeletConfiguration
		# This VM has the hybrid cgroup v1 layout: kubelet 1.36 refuses v1 unless told otherwise.
		failCgroupV1: false
		cgroupDriver: cgroupfs
		cgroupRoot: /$NODE_CGROUP_ROOT
		cgroupsPerQOS: true
		enforceNodeAllocatable: [pods]
		containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
		address: $ip
		port: $KUBELET_PORT
		readOnlyPort: 0
		healthzBindAddress: 127.0.0.1
		healthzPort: $KUBELET_HEALTHZ_PORT
		tlsCertFile: $STATE/pki/kubelet.crt
		tlsPrivateKeyFile: $STATE/pki/kubelet.key
		authentication:
		  anonymous: {enabled: false}
		  webhook: {enabled: true}
		  x509: {clientCAFile: $STATE/pki/ca.crt}
		authorization: {mode: Webhook}
		clusterDomain: cluster.local
		clusterDNS: [$DNS_SERVICE_IP]
		resolvConf: /etc/resolv.conf
		failSwapOn: false
		rotateCertificates: false
		serializeImagePulls: false
		registerNode: true
		maxPods: 110
		# Test machine: no eviction because of a busy shared disk, and no image garbage collection
		# of the imported look-alike images.
		evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
		imageGCHighThresholdPercent: 100
		imageGCLowThresholdPercent: 99
		podLogsDir: $STATE/pod-logs
		containerLogMaxSize: 10Mi
		containerLogMaxFiles: 2
	EOF
	cat >"$c/kube-proxy.yaml" <<-EOF
		apiVersion: kubeproxy.config.k8s.io/v1alpha1
		kind: KubeProxyConfiguration
		mode: iptables
		clientConnection: {kubeconfig: $KUBECONFIG_PATH}
		hostnameOverride: $NODE_NAME
		bindAddress: 127.0.0.1
		metricsBindAddress: 127.0.0.1:$KUBE_PROXY_METRICS_PORT
		healthzBindAddress: 127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT
		clusterCIDR: $CLUSTER_CIDR
		# Leave the host's conntrack sysctls and route_localnet alone (nothing here needs them).
		conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
		iptables: {localhostNodePorts: false}
	EOF
	# local-path-provisioner: the ConfigMap it reads (the keys of its deploy manifest, as on k3s):
	# volume dirs under $STATE/local-path, made 0777 by a helper pod (uid-independent, as on k3s,
	# so MariaDB as 999 and Apache as 33 can write). The helper image is the wordpress-cli
	# look-alike (it has /bin/sh); it runs as root in local-path-storage, as upstream's busybox.
	mkdir -p "$c/local-path"
	echo "{\"nodePathMap\": [{\"node\": \"DEFAULT_PATH_FOR_NON_LISTED_NODES\", \"paths\": [\"$STATE/local-path\"]}]}" >"$c/local-path/config.json"
	printf '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"\n' >"$c/local-path/setup"
	printf '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"\n' >"$c/local-path/teardown"
	cat >"$c/local-path/helperPod.yaml" <<-EOF
		apiVersion: v1
		kind: Pod
		metadata: {name: helper-pod}
		spec:
		  priorityClassName: system-node-critical
		  containers:
		  - name: helper-pod
		    image: $LOOKALIKE_WPCLI_IMAGE
		    imagePullPolicy: Never
		    securityContext: {runAsUser: 0, runAsGroup: 0}
	EOF
	cat >"$c/local-path.yaml" <<-EOF
		apiVersion: v1
		kind: Namespace
		metadata: {name: local-path-storage}
		---
		apiVersion: v1
		kind: ServiceAccount
		metadata: {name: local-path-provisioner, namespace: local-path-storage}
		---
		apiVersion: storage.k8s.io/v1
		kind: StorageClass
		metadata:
		  name: $STORAGE_CLASS
		  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
		provisioner: rancher.io/local-path
		volumeBindingMode: WaitForFirstConsumer
		reclaimPolicy: Delete
		---
	EOF
	"$BIN/kubectl" create configmap local-path-config --namespace local-path-storage --from-file "$c/local-path" \
		--dry-run=client -o yaml >>"$c/local-path.yaml"
	sed -e "s#@DNS_SERVICE_IP@#$DNS_SERVICE_IP#g" -e "s#@COREDNS_IMAGE@#$COREDNS_IMAGE#g" \
		"$TESTBED_DIR/node/coredns.yaml" >"$c/coredns.yaml"
}

# --- start ----------------------------------------------------------------------------------
node_cgroups() { # create|remove the kubelet's cgroup root in every v1 hierarchy
	local h
	for h in /sys/fs/cgroup/*/; do
		[[ -f "$h/cgroup.procs" ]] || continue
		if [[ $1 == create && "$h" != */unified/ ]]; then
			mkdir -p "$h$NODE_CGROUP_ROOT"
			# cpuset children start empty: inherit the parent's cpus and memory nodes.
			if [[ -f "$h/cpuset.cpus" ]]; then
				cat "$h/cpuset.cpus" >"$h$NODE_CGROUP_ROOT/cpuset.cpus"
				cat "$h/cpuset.mems" >"$h$NODE_CGROUP_ROOT/cpuset.mems"
			fi
		elif [[ -d "$h$NODE_CGROUP_ROOT" ]]; then
			# Depth first; a cgroup with processes left cannot go (reported by node_host_diff).
			find "$h$NODE_CGROUP_ROOT" -depth -type d -exec rmdir {} \; 2>/dev/null || true
		fi
	done
}

node_import_images() {
	local t base
	for t in pause wordpress mariadb wordpress-cli coredns; do
		case $t in
		pause) base=${PAUSE_IMAGE%:*} ;;
		wordpress) base=${LOOKALIKE_WORDPRESS_IMAGE%:*} ;;
		mariadb) base=${LOOKALIKE_MARIADB_IMAGE%:*} ;;
		wordpress-cli) base=${LOOKALIKE_WPCLI_IMAGE%:*} ;;
		coredns) base=${COREDNS_IMAGE%:*} ;;
		esac
		ctr_ images import --base-name "$base" "$IMAGES_DIR/$t.tar" >>"$STATE/logs/images.log" 2>&1 ||
			die "importing $IMAGES_DIR/$t.tar failed: $(tail -1 "$STATE/logs/images.log")"
	done
	ctr_ images ls -q >>"$STATE/logs/images.log"
}

node_up() { # called by cmd_up after the control plane is ready
	local ip=$1
	# Host changes start here.
	sysctl -qw net.ipv4.ip_forward=1
	sysctl -qw net.bridge.bridge-nf-call-iptables=1
	node_cgroups create

	start_bg containerd containerd --config "$STATE/node/containerd.toml"
	wait_for "containerd socket" 30 ctr --address "$CONTAINERD_SOCK" version || die "containerd did not start"
	node_import_images

	start_bg kubelet "$NODE_BIN/kubelet" --config "$STATE/node/kubelet.yaml" \
		--kubeconfig "$STATE/kubelet.kubeconfig" --hostname-override "$NODE_NAME" --node-ip "$ip" \
		--root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet/pki" --v=1
	wait_for "node $NODE_NAME registered" 90 kc get node "$NODE_NAME" || die "kubelet did not register the node"

	start_bg kube-proxy "$NODE_BIN/kube-proxy" --config "$STATE/node/kube-proxy.yaml" --v=1
	start_bg kube-router "$ADDONS_BIN/kube-router" --kubeconfig "$KUBECONFIG_PATH" --hostname-override "$NODE_NAME" \
		--run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
		--service-cluster-ip-range "$SERVICE_CIDR" --health-port "$KUBE_ROUTER_HEALTH_PORT" --metrics-port 0 --v=1

	kc apply --server-side -f "$STATE/node/local-path.yaml" >/dev/null
	start_bg local-path-provisioner "$ADDONS_BIN/local-path-provisioner" --debug start \
		--kubeconfig "$KUBECONFIG_PATH" --namespace local-path-storage --service-account-name local-path-provisioner \
		--configmap-name local-path-config --config "$STATE/node/local-path/config.json" \
		--helper-pod-file "$STATE/node/local-path/helperPod.yaml" --provisioner-name rancher.io/local-path
	kc apply --server-side -f "$STATE/node/coredns.yaml" >/dev/null

	wait_for "node $NODE_NAME Ready" 120 kc wait --for condition=Ready --timeout=2s node "$NODE_NAME" || die "node not Ready; see $STATE/logs/kubelet.log"
	wait_for "CoreDNS Ready" 180 kc -n kube-system wait --for condition=Ready --timeout=2s pod -l k8s-app=kube-dns ||
		die "CoreDNS not Ready; kubectl -n kube-system describe pod -l k8s-app=kube-dns"
}

# --- stop -----------------------------------------------------------------------------------
node_down() {
	# 1. Pods: with the controllers stopped (cmd_down stops kcm and the scheduler first), delete
	#    every pod so the kubelet tears each sandbox down through CNI (veth, IPAM, portmap rules)
	#    and unmounts its volumes.
	local t0=$SECONDS
	if pid_alive kube-apiserver && pid_alive kubelet; then
		kc delete pods --all --all-namespaces --grace-period=5 --wait=false >/dev/null 2>&1 || true
		wait_for "pods deleted" 90 bash -c "[[ -z \"\$('$BIN/kubectl' --kubeconfig '$KUBECONFIG_PATH' get pods -A -o name 2>/dev/null)\" ]]" ||
			log "some pods were not deleted in time; removing their containers directly"
		# Sandboxes are stopped (CNI teardown) before a pod is gone; wait until no task runs.
		wait_for "containers stopped" 30 bash -c "! ctr --address '$CONTAINERD_SOCK' -n k8s.io tasks ls 2>/dev/null | grep -q RUNNING" || true
		log "pods deleted and containers stopped in $((SECONDS - t0))s"
	fi
	# 2. The node's processes.
	local c i
	for ((i = ${#NODE_COMPONENTS[@]} - 1; i >= 0; i--)); do
		c=${NODE_COMPONENTS[$i]}
		[[ $c == containerd ]] && continue
		stop_component "$c"
	done
	# Containers still left (the kubelet was gone or too slow): kill their tasks and remove them.
	if pid_alive containerd; then
		local id
		for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
		sleep 1
		for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$id" >/dev/null 2>&1 || true; done
		for id in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers delete "$id" >/dev/null 2>&1 || true; done
	fi
	stop_component containerd
	# 3. Rules: each component's own cleanup first, then anything else left is reported.
	log "node processes stopped after $((SECONDS - t0))s"
	if [[ -x "$NODE_BIN/kube-proxy" ]]; then timeout 30 "$NODE_BIN/kube-proxy" --cleanup >>"$STATE/logs/cleanup.log" 2>&1 || true; fi
	if [[ -x "$ADDONS_BIN/kube-router" ]]; then timeout 30 "$ADDONS_BIN/kube-router" --cleanup-config >>"$STATE/logs/cleanup.log" 2>&1 || true; fi
	log "component cleanups done after $((SECONDS - t0))s"
	node_restore_host
}

# Undo what is still different from the snapshot taken before `up`.
node_restore_host() {
	local b=$HOST_SNAPSHOT_BEFORE
	[[ -d "$b" ]] || { log "no host snapshot ($b): nothing to compare against"; return 0; }
	local m t1=$SECONDS
	# Mounts under the state dir (volumes, overlay rootfs, shm) and pod network namespaces.
	while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(findmnt -rn -o TARGET | grep "^$STATE/" | sort -r)
	while read -r m; do
		grep -qx "$m" "$b/netns" || { umount -l "/var/run/netns/$m" 2>/dev/null; rm -f "/var/run/netns/$m"; }
	done < <(ls -1 /var/run/netns 2>/dev/null)
	# Links: veths of pods and the bridge.
	while read -r m; do
		grep -qx "$m" "$b/links" || ip link delete "$m" 2>/dev/null || true
	done < <(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//')
	log "restore: mounts, netns, links done after $((SECONDS - t1))s"
	# Rules: netfilter tables that did not exist before go (iptables-nft keeps empty tables and
	# the kubelet's canary chains otherwise); tables that did are restored to the saved rules.
	local table
	while read -r table; do
		grep -qx "$table" <(grep '^table ' "$b/nft" | sed 's/ {$//') || nft delete "$table" 2>/dev/null || log "could not delete nft $table"
	done < <(nft list tables 2>/dev/null)
	local tool
	for tool in iptables ip6tables; do
		if ! diff -q <("$tool-save" 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]/[0:0]/') "$b/$tool" >/dev/null; then
			log "$tool: restoring the rules saved before up"
			"$tool-restore" <"$b/$tool" || log "$tool-restore failed"
		fi
	done
	while read -r m; do grep -qx "$m" "$b/ipsets" || ipset destroy "$m" 2>/dev/null || log "could not destroy ipset $m"; done < <(ipset list -n 2>/dev/null)
	log "restore: rules done after $((SECONDS - t1))s"
	# sysctls changed since (ip_forward, the kubelet's kernel defaults, ...).
	local key value
	while IFS=' = ' read -r key value; do
		[[ -n "$key" ]] || continue
		if [[ "$(sysctl -n "$key" 2>/dev/null)" != "$value" ]]; then
			sysctl -qw "$key=$value" 2>/dev/null || log "could not restore sysctl $key"
		fi
	done < <(grep -E '^(net\.ipv4\.ip_forward|net\.ipv4\.conf\.(all|default|lo|eth[0-9]+)\.|net\.bridge\.|net\.netfilter\.|vm\.(overcommit_memory|panic_on_oom)|kernel\.(panic|panic_on_oops|keys\.root_max))' "$b/sysctls")
	log "restore: sysctls done after $((SECONDS - t1))s"
	node_cgroups remove
	log "restore: cgroups done after $((SECONDS - t1))s"
	# Dirs components made outside $STATE despite their configuration (e.g. shim sockets).
	while read -r m; do
		grep -qx "$m" "$b/paths" || { log "removing $m (created by the node)"; rm -rf "$m"; }
	done < <(for m in /run/containerd /var/lib/containerd /opt/containerd /etc/cni /var/lib/cni /var/lib/kubelet /etc/kubernetes /var/lib/kube-router /var/log/containers /var/log/pods /var/run/kubernetes; do [[ -e $m ]] && echo "$m"; done)
	[[ -d /var/run/netns && -z "$(ls -A /var/run/netns)" ]] && ! grep -qx /var/run/netns "$b/paths" && rmdir /var/run/netns
	if node_host_diff >"$STATE/logs/host-diff.log" 2>&1; then
		log "host restored (links, rules, mounts, sysctls, cgroups as before up)"
		rm -rf "$b"
	else
		log "host NOT fully restored:"
		cat "$STATE/logs/host-diff.log" >&2
		cp "$STATE/logs/host-diff.log" "${TMPDIR:-/tmp}/woostore-testbed-$CLUSTER_NAME.host-diff.log"
		return 1
	fi
}
