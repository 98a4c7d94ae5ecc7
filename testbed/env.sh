# shellcheck shell=bash
# testbed/env.sh — put the testbed toolchain on PATH and configure Pulumi for offline use.
#
#   source testbed/env.sh          # exports PATH, PULUMI_HOME, ...; returns 1 if the cache is incomplete
#   bash testbed/env.sh            # prints the exports and the cache state; exit 1 if incomplete
#   bash testbed/env.sh --quiet    # only the exit status
#   bash testbed/env.sh --tier3 [--quiet]   # also the tier-3 pieces (node, nodeaddons, images)
#                                  # and what the real node needs from the host (root, containerd, ...)
#
# "Complete" means: pulumi, pulumi-language-nodejs, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, etcd, kwok and helm are built, and the kubernetes (and random, if
# built) provider plugins are installed in PULUMI_HOME. TESTBED_MISSING lists what is not.

__tb_main() {
	local quiet=0 tier3=0 arg
	for arg in "$@"; do
		case "$arg" in
		--quiet) quiet=1 ;;
		--tier3) tier3=1 ;;
		esac
	done
	# shellcheck source=lib.sh
	source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

	local pbin kbin hbin
	pbin=$(tb_bin_pulumi) kbin=$(tb_bin_kube) hbin=$(tb_bin_helm)
	TESTBED_MISSING=""
	local b
	for b in "$pbin/pulumi" "$pbin/pulumi-language-nodejs" "$pbin/policy-host/pulumi-language-nodejs" "$kbin/kube-apiserver" "$kbin/kube-controller-manager" \
		"$kbin/kube-scheduler" "$kbin/kubectl" "$kbin/etcd" "$kbin/kwok" "$hbin/helm" \
		"$TB_PULUMI_HOME/plugins/resource-kubernetes-v$K8S_PROVIDER_VERSION/pulumi-resource-kubernetes"; do
		[[ -x "$b" ]] || TESTBED_MISSING+="${TESTBED_MISSING:+ }${b#"$TESTBED_CACHE"/}"
	done
	if ((tier3)); then
		local nbin abin idir
		nbin=$(tb_bin_node) abin=$(tb_bin_nodeaddons) idir=$(tb_images)
		for b in "$nbin/kubelet" "$nbin/kube-proxy" "$abin/coredns" "$abin/kube-router" "$abin/local-path-provisioner"; do
			[[ -x "$b" ]] || TESTBED_MISSING+="${TESTBED_MISSING:+ }${b#"$TESTBED_CACHE"/}"
		done
		for b in pause coredns wordpress mariadb wordpress-cli; do
			[[ -f "$idir/$b.tar" ]] || TESTBED_MISSING+="${TESTBED_MISSING:+ }${idir#"$TESTBED_CACHE"/}/$b.tar"
		done
		((EUID == 0)) || TESTBED_MISSING+="${TESTBED_MISSING:+ }root"
		for b in containerd runc ctr ipset conntrack iptables; do
			command -v "$b" >/dev/null || TESTBED_MISSING+="${TESTBED_MISSING:+ }host:$b"
		done
		[[ -x /usr/lib/cni/bridge ]] || TESTBED_MISSING+="${TESTBED_MISSING:+ }host:containernetworking-plugins"
	fi
	TESTBED_RANDOM_PLUGIN=0
	[[ -x "$TB_PULUMI_HOME/plugins/resource-random-v$RANDOM_PROVIDER_VERSION/pulumi-resource-random" ]] && TESTBED_RANDOM_PLUGIN=1

	export PATH="$pbin:$kbin:$hbin:$PATH"
	export PULUMI_HOME="$TB_PULUMI_HOME"
	export PULUMI_SKIP_UPDATE_CHECK=true
	export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
	export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
	export WOOSTORE_TESTBED_CACHE="$TESTBED_CACHE"
	# Only for policy packs: the upstream host bundled with the CLI cannot run them (see README).
	export WOOSTORE_TESTBED_POLICY_HOST="$(tb_bin_policy_host)"
	export TESTBED_MISSING TESTBED_RANDOM_PLUGIN

	if ((quiet == 0)); then
		echo "export PATH=\"$pbin:$kbin:$hbin:\$PATH\""
		echo "export PULUMI_HOME=\"$TB_PULUMI_HOME\""
		echo "export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true"
		if [[ -z "$TESTBED_MISSING" ]]; then
			echo "# testbed cache complete ($TESTBED_CACHE); random plugin: $([[ $TESTBED_RANDOM_PLUGIN == 1 ]] && echo installed || echo MISSING)"
		else
			echo "# testbed cache INCOMPLETE ($TESTBED_CACHE); missing: $TESTBED_MISSING (run testbed/build.sh$( ((tier3)) && echo " tier3"))"
		fi
	fi
	[[ -z "$TESTBED_MISSING" ]]
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	__tb_main "$@"
	exit $?
else
	__tb_main "$@"
	__tb_rc=$?
	unset -f __tb_main
	return $__tb_rc
fi
