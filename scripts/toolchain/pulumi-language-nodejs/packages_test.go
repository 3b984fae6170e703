package main

import (
	"os"
	"path/filepath"
	"testing"
)

func writeManifest(t *testing.T, dir, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequiredPackagesFindsNestedScopedAndParameterized(t *testing.T) {
	program := t.TempDir()
	modules := filepath.Join(program, "node_modules")
	writeManifest(t, program, `{"name": "program", "dependencies": {"@pulumi/command": "1.2.1"}}`)
	writeManifest(t, filepath.Join(modules, "@pulumi", "pulumi"),
		`{"name": "@pulumi/pulumi", "version": "3.248.0", "pulumi": {"comment": "not a provider"}}`)
	writeManifest(t, filepath.Join(modules, "@pulumi", "command"),
		`{"name": "@pulumi/command", "version": "1.2.1", "pulumi": {"resource": true, "name": "command", "version": "1.2.1"}}`)
	// A second copy of the same provider, nested under another package.
	writeManifest(t, filepath.Join(modules, "wrapper", "node_modules", "@pulumi", "command"),
		`{"name": "@pulumi/command", "version": "1.2.1", "pulumi": {"resource": true}}`)
	writeManifest(t, filepath.Join(modules, "wrapper"), `{"name": "wrapper", "version": "1.0.0"}`)
	writeManifest(t, filepath.Join(modules, "@acme", "widgets"),
		`{"name": "@acme/widgets", "version": "0.3.0", "pulumi": {"resource": true, "server": "https://example.invalid"}}`)
	writeManifest(t, filepath.Join(modules, "tf-aws"), `{"name": "tf-aws", "version": "5.0.0", "pulumi": {
		"resource": true, "name": "terraform-provider", "version": "0.8.0",
		"parameterization": {"name": "aws", "version": "5.0.0", "value": "eyJhIjoxfQ=="}}}`)
	// A symlink back to node_modules must not make the walk loop.
	if err := os.Symlink(modules, filepath.Join(modules, "wrapper", "node_modules", "loop")); err != nil {
		t.Fatal(err)
	}

	deps, err := requiredPackages(program)
	if err != nil {
		t.Fatal(err)
	}

	got := map[string]string{}
	for _, d := range deps {
		got[d.Name] = d.Version + " " + d.Server
		if d.Kind != "resource" {
			t.Errorf("%s has kind %q, expected resource", d.Name, d.Kind)
		}
	}
	want := map[string]string{
		"command":            "v1.2.1 ",
		"acme/widgets":       "v0.3.0 https://example.invalid",
		"terraform-provider": "v0.8.0 ",
	}
	if len(got) != len(want) {
		t.Errorf("found %v, expected %v", got, want)
	}
	for name, version := range want {
		if got[name] != version {
			t.Errorf("%s: found %q, expected %q", name, got[name], version)
		}
	}
	for _, d := range deps {
		if d.Name != "terraform-provider" {
			continue
		}
		p := d.GetParameterization()
		if p == nil {
			t.Fatal("terraform-provider has no parameterization")
		}
		if p.Name != "aws" {
			t.Errorf("parameterization name %q, expected aws", p.Name)
		}
		if p.Version != "5.0.0" {
			t.Errorf("parameterization version %q, expected 5.0.0", p.Version)
		}
		if string(p.Value) != `{"a":1}` {
			t.Errorf("parameterization value %q, expected the decoded base64 {\"a\":1}", p.Value)
		}
	}
}

func TestRequiredPackagesWithoutNodeModules(t *testing.T) {
	deps, err := requiredPackages(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 0 {
		t.Errorf("found %v, expected no packages", deps)
	}
}

func TestListDependenciesUsesInstalledVersions(t *testing.T) {
	program := t.TempDir()
	writeManifest(t, program, `{"name": "program",
		"dependencies": {"yaml": "^2.0.0", "missing": "^1.0.0"},
		"devDependencies": {"typescript": "5.9.3"}}`)
	writeManifest(t, filepath.Join(program, "node_modules", "yaml"), `{"name": "yaml", "version": "2.9.1"}`)
	writeManifest(t, filepath.Join(program, "node_modules", "typescript"), `{"name": "typescript", "version": "5.9.3"}`)
	writeManifest(t, filepath.Join(program, "node_modules", "transitive"), `{"name": "transitive", "version": "0.1.0"}`)

	direct, err := listDependencies(program, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range direct {
		got[d.Name] = d.Version
	}
	want := map[string]string{"yaml": "2.9.1", "missing": "^1.0.0", "typescript": "5.9.3"}
	if len(got) != len(want) {
		t.Errorf("direct dependencies %v, expected %v", got, want)
	}
	for name, version := range want {
		if got[name] != version {
			t.Errorf("%s: found %q, expected %q", name, got[name], version)
		}
	}

	all, err := listDependencies(program, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("transitive dependencies %v, expected the 3 installed packages", all)
	}
}
