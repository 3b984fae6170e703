package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// languageHost implements pulumirpc.LanguageRuntimeServer. Methods it does
// not override (code generation, Pack, Link, Template, Cancel) return
// codes.Unimplemented through the embedded type.
type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	// ctx ends when the host shuts down. Child processes are killed then.
	ctx     context.Context
	tracing string

	mu            sync.Mutex
	engineAddress string
}

func newLanguageHost(ctx context.Context, engineAddress, tracing string) *languageHost {
	return &languageHost{ctx: ctx, engineAddress: engineAddress, tracing: tracing}
}

// Handshake records the engine address. The CLI sends it both as the
// positional argument and here; the handshake value wins when present.
func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.mu.Lock()
		h.engineAddress = req.GetEngineAddress()
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// withHostContext returns a context that ends with either ctx or the host.
func (h *languageHost) withHostContext(ctx context.Context) (context.Context, context.CancelFunc) {
	merged, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(h.ctx, cancel)
	return merged, func() {
		stop()
		cancel()
	}
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *languageHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// About reports the node executable and its version for `pulumi about`.
func (h *languageHost) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node not found on PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("failed to run %s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GetProgramDependencies lists the packages installed in the program's
// node_modules: the direct dependencies from package.json, or every installed
// package when transitive dependencies are requested.
func (h *languageHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	programDir := req.GetInfo().GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	deps, err := listDependencies(programDir, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// InstallDependencies runs `<packagemanager> install` in the program
// directory and streams its output back to the CLI.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory()
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return err
	}

	ctx, cancel := h.withHostContext(stream.Context())
	defer cancel()
	cmd := exec.CommandContext(ctx, opts.packageManager, "install")
	cmd.Dir = dir
	var sendMu sync.Mutex
	cmd.Stdout = streamWriter(func(p []byte) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return stream.Send(&pulumirpc.InstallDependenciesResponse{Stdout: bytes.Clone(p)})
	})
	cmd.Stderr = streamWriter(func(p []byte) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return stream.Send(&pulumirpc.InstallDependenciesResponse{Stderr: bytes.Clone(p)})
	})
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s install failed in %s: %w", opts.packageManager, dir, err)
	}
	return nil
}

// streamWriter adapts a send function to io.Writer. exec.Cmd copies each
// pipe from its own goroutine, so send functions serialise their sends.
type streamWriter func(p []byte) error

func (w streamWriter) Write(p []byte) (int, error) {
	if err := w(p); err != nil {
		return 0, err
	}
	return len(p), nil
}
