package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitCodeErrorAlreadyReported is the exit code with which the @pulumi/pulumi
// run script ends after it has printed the program's error itself
// (nodeJSProcessExitedAfterLoggingUserActionableMessage in cmd/run). The host
// then answers Bail so that the CLI adds no second message.
const exitCodeErrorAlreadyReported = 32

// Run executes the program once for a preview, update, refresh or destroy:
// node <nodeargs> <@pulumi/pulumi/cmd/run> <flags> <entry point> <args>.
// The program's output goes to this host's stdout and stderr, which the CLI
// displays. A failed program is reported in RunResponse.Error, not as an RPC
// error.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if req.GetAttachDebugger() {
		return nil, errors.New("attaching a debugger is not supported by this language host")
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return nil, err
	}
	programDir := req.GetInfo().GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	node, err := findNode()
	if err != nil {
		return nil, err
	}

	ctx, cancel := h.withHostContext(ctx)
	defer cancel()
	runPath, err := resolveModule(ctx, node, programDir, runScript)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	env, err := programEnv(req, opts)
	if err != nil {
		return nil, err
	}

	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runPath)
	args = append(args, h.runFlags(req)...)
	args = append(args, entryPoint(req))
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = programDir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return runResponse(cmd.Run()), nil
}

// runFlags are the flags that cmd/run reads with minimist.
func (h *languageHost) runFlags(req *pulumirpc.RunRequest) []string {
	var flags []string
	add := func(name, value string) {
		if value != "" {
			flags = append(flags, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engine())
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	if req.GetDryRun() {
		flags = append(flags, "--dry-run")
	}
	if req.GetParallel() > 1 {
		add("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	add("tracing", h.tracing)
	return flags
}

// entryPoint is the program to load. "." lets cmd/run use the "main" or
// "exports" field of package.json.
func entryPoint(req *pulumirpc.RunRequest) string {
	if e := req.GetInfo().GetEntryPoint(); e != "" {
		return e
	}
	if p := req.GetProgram(); p != "" {
		return p
	}
	return "."
}

// programEnv passes configuration the way @pulumi/pulumi reads it:
// PULUMI_CONFIG is a JSON object of "namespace:key" to string value, and
// PULUMI_CONFIG_SECRET_KEYS a JSON array of the keys that are secret.
func programEnv(req *pulumirpc.RunRequest, opts nodeOptions) ([]string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("failed to encode config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("failed to encode secret config keys: %w", err)
	}

	env := os.Environ()
	env = append(env,
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
	)
	return append(env, opts.typescriptEnv()...), nil
}

// runResponse turns the result of the node process into a RunResponse.
func runResponse(err error) *pulumirpc.RunResponse {
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("failed to start node: %v", err)}
	}
	switch code := exitErr.ExitCode(); code {
	case exitCodeErrorAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}
	case -1:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program terminated: %v", exitErr)}
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", code)}
	}
}
