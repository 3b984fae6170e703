package main

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func programInfo(t *testing.T, options map[string]any) *pulumirpc.ProgramInfo {
	t.Helper()
	s, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.ProgramInfo{Options: s}
}

func TestParseOptionsDefaults(t *testing.T) {
	opts, err := parseOptions(&pulumirpc.ProgramInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if !opts.typescript {
		t.Error("typescript defaults to false, expected true")
	}
	if opts.packageManager != "npm" {
		t.Errorf("package manager defaults to %q, expected npm", opts.packageManager)
	}
}

func TestParseOptionsReadsValues(t *testing.T) {
	opts, err := parseOptions(programInfo(t, map[string]any{
		"typescript": false, "tsconfig": "tsconfig.build.json", "nodeargs": "--max-old-space-size=4096  --trace-warnings",
		"packagemanager": "pnpm",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if opts.typescript {
		t.Error("typescript is true, expected false")
	}
	if want := []string{"--max-old-space-size=4096", "--trace-warnings"}; !reflect.DeepEqual(opts.nodeArgs, want) {
		t.Errorf("node args %q, expected %q", opts.nodeArgs, want)
	}
	if want := []string{"PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.build.json"}; !reflect.DeepEqual(opts.typescriptEnv(), want) {
		t.Errorf("environment %q, expected %q", opts.typescriptEnv(), want)
	}
	if opts.packageManager != "pnpm" {
		t.Errorf("package manager %q, expected pnpm", opts.packageManager)
	}
}

func TestParseOptionsRejectsInvalidValues(t *testing.T) {
	for _, options := range []map[string]any{
		{"typescript": "yes"},
		{"tsconfig": true},
		{"nodeargs": 3},
		{"packagemanager": "cargo"},
	} {
		if _, err := parseOptions(programInfo(t, options)); err == nil {
			t.Errorf("options %v were accepted, expected an error", options)
		}
	}
}

func TestPluginPositionalArgsDropsFlags(t *testing.T) {
	got := pluginPositionalArgs([]string{"--logtostderr", "-v=9", "--tracing", "http://127.0.0.1:9411", "127.0.0.1:4000"})
	if want := []string{"127.0.0.1:4000"}; !reflect.DeepEqual(got, want) {
		t.Errorf("positional args %q, expected %q", got, want)
	}
}

func TestRunResponseMapsExitCodes(t *testing.T) {
	if resp := runResponse(nil); resp.Error != "" || resp.Bail {
		t.Errorf("success maps to %v, expected an empty response", resp)
	}

	reported := runResponse(exec.Command("sh", "-c", "exit 32").Run())
	if !reported.Bail || reported.Error != "" {
		t.Errorf("exit code 32 maps to %v, expected Bail without an error", reported)
	}

	failed := runResponse(exec.Command("sh", "-c", "exit 3").Run())
	if failed.Bail || !strings.Contains(failed.Error, "exit code: 3") {
		t.Errorf("exit code 3 maps to %v, expected an error naming the code", failed)
	}

	missing := runResponse(exec.Command("/nonexistent/node").Run())
	if !strings.Contains(missing.Error, "failed to start node") {
		t.Errorf("a missing executable maps to %v, expected a start failure", missing)
	}
}
