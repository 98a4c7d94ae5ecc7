// Command pulumi-resource-kubernetes is the testbed's entry point for the Kubernetes provider
// library github.com/pulumi/pulumi-kubernetes/provider/v4. Upstream's own main embeds two JSON
// files that are generated at release time and are therefore missing from the module zip;
// testbed/build.sh generates them next to this file (in the build cache, never committed) from
// the module's schema.json and terraform-mapping.json.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
