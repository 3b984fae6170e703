package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// RunPlugin runs a plugin written in Node.js: a policy pack (kind
// "analyzer", PulumiPolicy.yaml) or a provider (kind "resource",
// PulumiPlugin.yaml). The plugin prints its own gRPC port on stdout, which
// this method streams to the CLI together with stderr, followed by the exit
// code.
//
// The command lines follow what the @pulumi/pulumi scripts parse:
//
//	node <nodeargs> cmd/run-policy-pack <engine address> <plugin directory>
//	node <nodeargs> cmd/run-plugin <plugin directory> <args>
//
// run-policy-pack drops its first positional argument (the engine address)
// and loads the second. run-plugin loads the first and passes the remaining
// positional arguments (the engine address) to the provider as process.argv.
func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	if req.GetAttachDebugger() {
		return errors.New("attaching a debugger is not supported by this language host")
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return err
	}
	pluginDir := req.GetInfo().GetProgramDirectory()
	if pluginDir == "" {
		pluginDir = req.GetProgram()
	}
	node, err := findNode()
	if err != nil {
		return err
	}

	ctx, cancel := h.withHostContext(stream.Context())
	defer cancel()

	script := runPluginScript
	if req.GetKind() == "analyzer" {
		script = policyPackScript
	}
	scriptPath, err := resolveModule(ctx, node, pluginDir, script)
	if err != nil {
		return err
	}

	args := append([]string{}, opts.nodeArgs...)
	args = append(args, scriptPath)
	positional := pluginPositionalArgs(req.GetArgs())
	if req.GetKind() == "analyzer" {
		args = append(args, positional...)
		args = append(args, pluginDir)
	} else {
		args = append(args, pluginDir)
		args = append(args, positional...)
	}

	cmd := exec.CommandContext(ctx, node, args...)
	// The scripts load tsconfig.json from the working directory, so the
	// plugin runs in its own directory rather than in the CLI's (req.Pwd).
	cmd.Dir = pluginDir
	cmd.Env = append(append([]string{}, req.GetEnv()...), opts.typescriptEnv()...)

	var sendMu sync.Mutex
	send := func(resp *pulumirpc.RunPluginResponse) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return stream.Send(resp)
	}
	cmd.Stdout = streamWriter(func(p []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: bytes.Clone(p)}})
	})
	cmd.Stderr = streamWriter(func(p []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: bytes.Clone(p)}})
	})

	// Run returns after the process exited and both output streams were
	// copied, so the exit code is the last message.
	exitCode := 0
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("failed to run plugin %s: %w", pluginDir, err)
		}
		exitCode = exitErr.ExitCode()
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitCode)}})
}

// pluginPositionalArgs drops the logging and tracing flags that the CLI puts
// before the engine address. The scripts parse their arguments with
// minimist, which would read "--logtostderr ENGINE" as a flag with the value
// ENGINE and lose the address.
func pluginPositionalArgs(args []string) []string {
	var positional []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--tracing" || arg == "-tracing":
			i++ // skip the value
		case len(arg) > 0 && arg[0] == '-':
			// --logtostderr, -v=N, --tracing=URL
		default:
			positional = append(positional, arg)
		}
	}
	return positional
}
