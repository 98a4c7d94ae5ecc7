//go:build tools

// Package tools pins the upstream Node.js language host. From v3.69 on it lives in its own
// module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), which the Go
// module proxy here does not serve at any version; v3.68.0 is the newest release in which it
// is still a package of github.com/pulumi/pulumi/sdk/v3. It drives @pulumi/pulumi 3.248's
// run script and speaks the language-host protocol of CLI 3.248 (checked by testbed/smoke.sh).
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
