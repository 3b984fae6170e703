package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageManifest is the part of a package.json that the host reads.
type packageManifest struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	// Pulumi is the "pulumi" field that Pulumi provider SDKs carry, for
	// example {"resource": true, "name": "command", "version": "1.2.1"}.
	Pulumi struct {
		Resource         bool   `json:"resource"`
		Name             string `json:"name"`
		Version          string `json:"version"`
		Server           string `json:"server"`
		Parameterization *struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			// Value is base64-encoded, as in package.json files that
			// Pulumi's code generator writes.
			Value string `json:"value"`
		} `json:"parameterization"`
	} `json:"pulumi"`
}

// readManifest parses dir/package.json. A missing file returns fs.ErrNotExist.
func readManifest(dir string) (*packageManifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var m packageManifest
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\ufeff")), &m); err != nil {
		return nil, fmt.Errorf("invalid %s: %w", filepath.Join(dir, "package.json"), err)
	}
	return &m, nil
}

// findNodeModules returns the node_modules directory that node would search
// first from dir: dir/node_modules or the nearest parent's.
func findNodeModules(dir string) (string, bool) {
	for {
		candidate := filepath.Join(dir, "node_modules")
		if info, err := os.Stat(candidate); err == nil && info.IsDir() {
			return candidate, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// walkPackages calls visit for every package installed under nodeModules,
// including scoped packages (@scope/name) and nested node_modules. It follows
// symlinks and visits each real directory once.
func walkPackages(nodeModules string, visit func(dir string, m *packageManifest) error) error {
	seen := map[string]bool{}
	var walkDir func(dir string) error
	var walkPackage func(dir string) error

	walkPackage = func(dir string) error {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil || seen[real] {
			return nil
		}
		seen[real] = true
		m, err := readManifest(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return err
		}
		if err := visit(dir, m); err != nil {
			return err
		}
		return walkDir(filepath.Join(dir, "node_modules"))
	}

	walkDir = func(dir string) error {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return fmt.Errorf("failed to read %s: %w", dir, err)
		}
		for _, entry := range entries {
			name := entry.Name()
			if strings.HasPrefix(name, ".") {
				continue // .bin, .package-lock.json, .cache
			}
			path := filepath.Join(dir, name)
			if info, err := os.Stat(path); err != nil || !info.IsDir() {
				continue
			}
			if strings.HasPrefix(name, "@") {
				scoped, err := os.ReadDir(path)
				if err != nil {
					return fmt.Errorf("failed to read %s: %w", path, err)
				}
				for _, s := range scoped {
					if err := walkPackage(filepath.Join(path, s.Name())); err != nil {
						return err
					}
				}
				continue
			}
			if err := walkPackage(path); err != nil {
				return err
			}
		}
		return nil
	}

	return walkDir(nodeModules)
}

// pluginName is the provider plugin name of an npm package: the "pulumi.name"
// field, else the package name without the @pulumi/ scope (or without the
// leading @ for other scopes).
func pluginName(m *packageManifest) (string, error) {
	if m.Pulumi.Name != "" {
		return m.Pulumi.Name, nil
	}
	switch {
	case m.Name == "":
		return "", errors.New("package.json has no name")
	case strings.HasPrefix(m.Name, "@pulumi/"):
		return strings.TrimPrefix(m.Name, "@pulumi/"), nil
	default:
		return strings.TrimPrefix(m.Name, "@"), nil
	}
}

// pluginVersion is "pulumi.version", else the package version, with a
// leading "v".
func pluginVersion(m *packageManifest) (string, error) {
	v := m.Pulumi.Version
	if v == "" {
		v = m.Version
	}
	if v == "" {
		return "", fmt.Errorf("package %s has no version", m.Name)
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return v, nil
}

// requiredPackages returns one PackageDependency per distinct provider that
// the packages under the program's node_modules declare with
// "pulumi": {"resource": true}.
func requiredPackages(programDir string) ([]*pulumirpc.PackageDependency, error) {
	nodeModules, ok := findNodeModules(programDir)
	if !ok {
		return nil, nil
	}
	found := map[string]*pulumirpc.PackageDependency{}
	err := walkPackages(nodeModules, func(dir string, m *packageManifest) error {
		if !m.Pulumi.Resource {
			return nil
		}
		dep, err := packageDependency(m)
		if err != nil {
			return fmt.Errorf("invalid pulumi field in %s: %w", filepath.Join(dir, "package.json"), err)
		}
		key := dep.Name + "@" + dep.Version + " " + dep.Server
		if p := dep.Parameterization; p != nil {
			key += " " + p.Name + "@" + p.Version
		}
		found[key] = dep
		return nil
	})
	if err != nil {
		return nil, err
	}

	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	deps := make([]*pulumirpc.PackageDependency, 0, len(keys))
	for _, k := range keys {
		deps = append(deps, found[k])
	}
	return deps, nil
}

func packageDependency(m *packageManifest) (*pulumirpc.PackageDependency, error) {
	name, err := pluginName(m)
	if err != nil {
		return nil, err
	}
	version, err := pluginVersion(m)
	if err != nil {
		return nil, err
	}
	dep := &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: version, Server: m.Pulumi.Server}
	if p := m.Pulumi.Parameterization; p != nil {
		value, err := base64.StdEncoding.DecodeString(p.Value)
		if err != nil {
			return nil, fmt.Errorf("parameterization value is not base64: %w", err)
		}
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: value}
	}
	return dep, nil
}

// listDependencies returns name and installed version of the program's
// direct dependencies (both dependencies and devDependencies), or of every
// installed package when transitive is true. A direct dependency that is not
// installed is listed with the version range from package.json.
func listDependencies(programDir string, transitive bool) ([]*pulumirpc.DependencyInfo, error) {
	nodeModules, hasNodeModules := findNodeModules(programDir)
	installed := map[string]string{}
	if hasNodeModules {
		err := walkPackages(nodeModules, func(_ string, m *packageManifest) error {
			if _, ok := installed[m.Name]; !ok && m.Name != "" {
				installed[m.Name] = m.Version
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}

	versions := map[string]string{}
	if transitive {
		versions = installed
	} else {
		m, err := readManifest(programDir)
		if err != nil {
			return nil, fmt.Errorf("failed to read the program's package.json: %w", err)
		}
		for _, deps := range []map[string]string{m.DevDependencies, m.Dependencies} {
			for name, declared := range deps {
				versions[name] = declared
				if v, ok := installed[name]; ok {
					versions[name] = v
				}
			}
		}
	}

	names := make([]string, 0, len(versions))
	for name := range versions {
		names = append(names, name)
	}
	sort.Strings(names)
	result := make([]*pulumirpc.DependencyInfo, 0, len(names))
	for _, name := range names {
		result = append(result, &pulumirpc.DependencyInfo{Name: name, Version: versions[name]})
	}
	return result, nil
}
