//go:build tools

// Package tools pins the Pulumi CLI as a dependency of this module, so that
// go.mod and go.sum fix the exact versions that build.sh compiles with
// `go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi`.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
