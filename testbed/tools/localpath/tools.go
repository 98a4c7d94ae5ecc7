//go:build tools

// Package tools pins local-path-provisioner's main package (k3s's `local-path` StorageClass,
// built by testbed/build.sh, piece `node`) so `go mod tidy` keeps its module graph.
package tools

import _ "github.com/rancher/local-path-provisioner"
