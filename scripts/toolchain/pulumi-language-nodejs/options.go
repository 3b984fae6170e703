package main

import (
	"fmt"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// nodeOptions are the `runtime.options` of a nodejs project in Pulumi.yaml.
type nodeOptions struct {
	// typescript runs the program through ts-node. It defaults to true, as
	// in Pulumi's own Node.js host.
	typescript bool
	// tsconfigPath is the tsconfig file the run script loads, relative to the
	// program directory. Empty means tsconfig.json.
	tsconfigPath string
	// nodeArgs are extra arguments for node, split on whitespace.
	nodeArgs []string
	// packageManager runs InstallDependencies: npm, yarn, pnpm or bun.
	packageManager string
}

// parseOptions reads the runtime options of a program. Unknown options are
// ignored; known options with a wrong type are an error.
func parseOptions(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packageManager: "npm"}
	if info.GetOptions() == nil {
		return opts, nil
	}
	raw := info.GetOptions().AsMap()

	if v, ok := raw["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, fmt.Errorf("invalid runtime option typescript=%v: expected true or false", v)
		}
		opts.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("invalid runtime option tsconfig=%v: expected a file path", v)
		}
		opts.tsconfigPath = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("invalid runtime option nodeargs=%v: expected a string", v)
		}
		opts.nodeArgs = strings.Fields(s)
	}
	if v, ok := raw["packagemanager"]; ok {
		s, isString := v.(string)
		switch {
		case !isString:
			return opts, fmt.Errorf("invalid runtime option packagemanager=%v: expected npm, yarn, pnpm or bun", v)
		case s == "npm" || s == "yarn" || s == "pnpm" || s == "bun":
			opts.packageManager = s
		default:
			return opts, fmt.Errorf("invalid runtime option packagemanager=%q: expected npm, yarn, pnpm or bun", s)
		}
	}
	return opts, nil
}

// typescriptEnv returns the environment variables through which the
// @pulumi/pulumi run scripts learn the TypeScript options.
func (o nodeOptions) typescriptEnv() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}
