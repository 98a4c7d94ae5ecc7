//go:build tools

// Package tools pins kube-router's main package (built by testbed/build.sh, piece `node`) so
// `go mod tidy` keeps its module graph: kube-router's own go.mod, not the kube module's.
package tools

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
