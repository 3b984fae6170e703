package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Scripts in the @pulumi/pulumi npm package that run user code.
const (
	runScript        = "@pulumi/pulumi/cmd/run"
	runPluginScript  = "@pulumi/pulumi/cmd/run-plugin"
	policyPackScript = "@pulumi/pulumi/cmd/run-policy-pack"
)

// sdkMissingMessage is shown when @pulumi/pulumi cannot be resolved.
const sdkMissingMessage = "the @pulumi/pulumi package is not installed in %s or its parents " +
	"(run npm install there): %s"

// resolveModule returns the file that `require(module)` loads from dir,
// using node's own resolution so that workspaces and symlinked node_modules
// behave as they do for the program.
func resolveModule(ctx context.Context, node, dir, module string) (string, error) {
	cmd := exec.CommandContext(ctx, node, "-e",
		"process.stdout.write(require.resolve(process.argv[1]))", "--", module)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		detail := firstLine(stderr.String())
		if detail == "" {
			detail = err.Error()
		}
		return "", fmt.Errorf(sdkMissingMessage, dir, detail)
	}
	return string(out), nil
}

// findNode returns the node executable on PATH.
func findNode() (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("node not found on PATH; install Node.js 20 or later: %w", err)
	}
	return node, nil
}

// firstLine returns the "Error: ..." line of a node error report, or the
// first non-empty line when there is none.
func firstLine(s string) string {
	first := ""
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "Error") {
			return line
		}
		if first == "" {
			first = line
		}
	}
	return first
}
