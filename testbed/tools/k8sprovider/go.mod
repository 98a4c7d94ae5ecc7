module woostore.local/testbed/tools/k8sprovider

go 1.26

// v4.25.0 of pulumi-kubernetes (tag commit f47bc2d6f199); the provider module has no semver tags.
require github.com/pulumi/pulumi-kubernetes/provider/v4 v4.0.0-20260115033456-f47bc2d6f199

// The provider requires sdk/v4 v4.24.0, which the module proxy does not serve; the provider
// binary does not import sdk/v4, so any served version satisfies the module graph.
replace github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 v4.29.0
