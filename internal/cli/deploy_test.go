package cli

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/reel-video/reel/workflows"
)

// deployDir holds the deployment files (systemd units, compose, k8s).
const deployDir = "../../deploy"

// parseReelLine parses one reel command line (the words after "reel") the
// way `reel` would, on a fresh command tree, without running it: the
// command must exist and be runnable, every flag must exist and take its
// value, and the positional arguments must be what the command accepts.
func parseReelLine(args []string) (*cobra.Command, error) {
	root := newRootCmd(&Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	cmd, rest, err := root.Find(args)
	if err != nil {
		return nil, err
	}
	if cmd == root || !cmd.Runnable() {
		return nil, fmt.Errorf("%q is not a reel command", strings.Join(args, " "))
	}
	// Find strips the flags to find the command; parse them from the
	// words after the command's own name.
	i := slices.Index(args, cmd.Name())
	rest = args[i+1:]
	if err := cmd.ParseFlags(rest); err != nil {
		return nil, fmt.Errorf("reel %s: %w", cmd.Name(), err)
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return nil, fmt.Errorf("reel %s: %w", cmd.Name(), err)
	}
	return cmd, nil
}

// flagValue is a parsed command line's flag value ("" when unknown).
func flagValue(cmd *cobra.Command, name string) string {
	if f := cmd.Flags().Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// drainOf is a parsed worker's --drain-timeout.
func drainOf(t *testing.T, cmd *cobra.Command) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(flagValue(cmd, "drain-timeout"))
	if err != nil {
		t.Fatalf("--drain-timeout: %v", err)
	}
	return d
}

var varRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expand replaces ${VAR} with env[VAR] and ${VAR:-default} with the
// default when env lacks VAR; a variable with neither reads "VALUE" (a
// setting the operator's environment file gives, e.g. a password).
func expand(s string, env map[string]string) string {
	return varRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := varRE.FindStringSubmatch(m)
		if v, ok := env[sub[1]]; ok {
			return v
		}
		if sub[2] != "" {
			return sub[3]
		}
		return "VALUE"
	})
}

// unit is a systemd unit file's [Service] settings, in order.
type unit map[string][]string

func readUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: bad line %q", path, line)
			}
			u[section+"."+k] = append(u[section+"."+k], v)
		}
	}
	return u
}

// environment is the variables a unit's Environment= lines set (its
// EnvironmentFile= files are the operator's and override them).
func (u unit) environment() map[string]string {
	env := map[string]string{}
	for _, line := range u["Service.Environment"] {
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	return env
}

// execStart is the unit's reel command line for an instance (%i), with
// the specifiers and the Environment= variables resolved.
func (u unit) execStart(t *testing.T, instance string) []string {
	t.Helper()
	lines := u["Service.ExecStart"]
	if len(lines) != 1 {
		t.Fatalf("want one ExecStart, have %q", lines)
	}
	env := u.environment()
	var words []string
	for _, w := range strings.Fields(lines[0]) {
		w = strings.NewReplacer("%i", instance, "%H", "host.example", "%%", "%").Replace(w)
		words = append(words, expand(w, env))
	}
	if len(words) == 0 || filepath.Base(words[0]) != "reel" {
		t.Fatalf("ExecStart %q does not run reel", lines[0])
	}
	return words[1:]
}

// TestDeploySystemdUnits: the units pass `systemd-analyze verify`, their
// ExecStart lines parse as real reel command lines (the worker template
// for every queue), and systemd waits for a worker's drain before it
// kills it.
func TestDeploySystemdUnits(t *testing.T) {
	dir := filepath.Join(deployDir, "systemd")
	server := readUnit(t, filepath.Join(dir, "reel-server.service"))
	if cmd, err := parseReelLine(server.execStart(t, "")); err != nil {
		t.Errorf("reel-server.service: %v", err)
	} else if cmd.Name() != "server" {
		t.Errorf("reel-server.service runs reel %s", cmd.Name())
	}
	tmpl := readUnit(t, filepath.Join(dir, "reel-worker@.service"))
	stop, err := time.ParseDuration(strings.Join(tmpl["Service.TimeoutStopSec"], ""))
	if err != nil {
		t.Fatalf("reel-worker@.service TimeoutStopSec: %v", err)
	}
	for _, q := range workflows.AllQueues {
		cmd, err := parseReelLine(tmpl.execStart(t, q))
		if err != nil {
			t.Errorf("reel-worker@%s.service: %v", q, err)
			continue
		}
		if cmd.Name() != "worker" || flagValue(cmd, "queues") != q {
			t.Errorf("reel-worker@%s.service runs reel %s --queues %s", q, cmd.Name(), flagValue(cmd, "queues"))
		}
		if d := drainOf(t, cmd); stop < d+10*time.Second {
			t.Errorf("reel-worker@%s.service: TimeoutStopSec %v leaves the %v drain no margin", q, stop, d)
		}
	}
	if ks := tmpl["Service.KillSignal"]; len(ks) > 0 && ks[0] != "SIGTERM" {
		t.Errorf("KillSignal %s: reel worker drains on SIGTERM", ks[0])
	}

	verify, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (Debian package systemd): " + err.Error())
	}
	// verify wants the binary to exist: point ExecStart at this test's.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	copyUnit := func(from, to string) string {
		b, err := os.ReadFile(filepath.Join(dir, from))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(tmp, to)
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/reel", self)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	files := []string{copyUnit("reel-server.service", "reel-server.service")}
	for _, q := range workflows.AllQueues {
		files = append(files, copyUnit("reel-worker@.service", "reel-worker@"+q+".service"))
	}
	out, err := exec.Command(verify, append([]string{"verify", "--man=no"}, files...)...).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestDeployCompose: every reel service's command parses as a real reel
// command line, every queue has a worker service, and worker services can
// be scaled (no container name, no host port) and are given their drain
// time before Docker kills them.
func TestDeployCompose(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(deployDir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image           string   `yaml:"image"`
			Command         []string `yaml:"command"`
			ContainerName   string   `yaml:"container_name"`
			Ports           []string `yaml:"ports"`
			StopSignal      string   `yaml:"stop_signal"`
			StopGracePeriod string   `yaml:"stop_grace_period"`
			Environment     map[string]string
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	workers := map[string]string{} // queue → service
	server := false
	for _, name := range slices.Sorted(maps.Keys(doc.Services)) {
		s := doc.Services[name]
		if !strings.Contains(s.Image, "reel") {
			continue
		}
		var args []string
		for _, a := range s.Command {
			args = append(args, expand(a, nil))
		}
		cmd, err := parseReelLine(args)
		if err != nil {
			t.Errorf("service %s: %v", name, err)
			continue
		}
		switch cmd.Name() {
		case "server":
			server = true
		case "worker":
			q := flagValue(cmd, "queues")
			if _, dup := workers[q]; dup || !slices.Contains(workflows.AllQueues, q) {
				t.Errorf("service %s serves %q: want one worker service per queue of %v", name, q, workflows.AllQueues)
			}
			workers[q] = name
			if s.ContainerName != "" || len(s.Ports) > 0 {
				t.Errorf("service %s has a container name or host ports: docker compose --scale cannot run two", name)
			}
			if s.StopSignal != "" && s.StopSignal != "SIGTERM" {
				t.Errorf("service %s: stop_signal %s, reel worker drains on SIGTERM", name, s.StopSignal)
			}
			grace, err := time.ParseDuration(s.StopGracePeriod)
			if err != nil {
				t.Errorf("service %s stop_grace_period: %v (Docker's default 10 s would kill a draining worker)", name, err)
			} else if d := drainOf(t, cmd); grace < d+10*time.Second {
				t.Errorf("service %s: stop_grace_period %v leaves the %v drain no margin", name, grace, d)
			}
			if s.Environment["REEL_TEMPORAL"] == "" && flagValue(cmd, "temporal") == "" {
				t.Errorf("service %s names no Temporal server: it would start an embedded one", name)
			}
		default:
			t.Errorf("service %s runs reel %s", name, cmd.Name())
		}
	}
	if !server {
		t.Error("no reel server service")
	}
	for _, q := range workflows.AllQueues {
		if workers[q] == "" {
			t.Errorf("no worker service for queue %s", q)
		}
	}
}

// k8sProbe is a container's HTTP probe.
type k8sProbe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

// k8sObject is the part of a Kubernetes object the test reads.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		// Deployment
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
				Containers                    []struct {
					Command []string `yaml:"command"`
					Args    []string `yaml:"args"`
					Ports   []struct {
						Name          string `yaml:"name"`
						ContainerPort int    `yaml:"containerPort"`
					} `yaml:"ports"`
					ReadinessProbe k8sProbe `yaml:"readinessProbe"`
					LivenessProbe  k8sProbe `yaml:"livenessProbe"`
					Resources      struct {
						Requests map[string]string `yaml:"requests"`
						Limits   map[string]string `yaml:"limits"`
					} `yaml:"resources"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		// PodDisruptionBudget
		MaxUnavailable any `yaml:"maxUnavailable"`
		MinAvailable   any `yaml:"minAvailable"`
		// ScaledObject
		ScaleTargetRef struct {
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		Triggers []struct {
			Type     string            `yaml:"type"`
			Metadata map[string]string `yaml:"metadata"`
		} `yaml:"triggers"`
	} `yaml:"spec"`
}

// TestDeployKubernetes: one worker Deployment per queue whose args parse
// as a real reel command line, with resources, the probes on the metrics
// port (/readyz readiness, /healthz liveness) and a grace period longer
// than the drain; a PodDisruptionBudget over each; KEDA's temporal scaler
// on every activity queue, pointed at the workers' Temporal and their
// queue; and kustomization.yaml listing every file.
func TestDeployKubernetes(t *testing.T) {
	dir := filepath.Join(deployDir, "k8s")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var objs []k8sObject
	var resources, names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "kustomization.yaml" {
			var k struct {
				Resources []string `yaml:"resources"`
			}
			if err := yaml.Unmarshal(b, &k); err != nil {
				t.Fatal(err)
			}
			resources = k.Resources
			continue
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		for {
			var o k8sObject
			if err := dec.Decode(&o); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind != "" {
				objs = append(objs, o)
			}
		}
		names = append(names, filepath.Base(f))
	}
	for _, name := range names {
		if !slices.Contains(resources, name) {
			t.Errorf("kustomization.yaml does not list %s", name)
		}
	}
	byKind := map[string][]k8sObject{}
	for _, o := range objs {
		byKind[o.Kind] = append(byKind[o.Kind], o)
	}
	temporal := ""
	for _, cm := range byKind["ConfigMap"] {
		if v := cm.Data["REEL_TEMPORAL"]; v != "" {
			temporal = v
		}
	}
	if temporal == "" {
		t.Error("no ConfigMap sets REEL_TEMPORAL: the workers would start embedded servers")
	}

	type workerDep struct {
		queue  string
		caps   string
		labels map[string]string
	}
	deps := map[string]workerDep{}
	queues := map[string]string{}
	for _, d := range byKind["Deployment"] {
		name, spec := d.Metadata.Name, d.Spec.Template.Spec
		if len(spec.Containers) != 1 {
			t.Errorf("%s: want one container, have %d", name, len(spec.Containers))
			continue
		}
		c := spec.Containers[0]
		args := c.Args
		if len(c.Command) > 0 { // the image's entrypoint is reel; a command must be too
			if filepath.Base(c.Command[0]) != "reel" {
				t.Errorf("%s: command %q does not run reel", name, c.Command)
				continue
			}
			args = append(slices.Clone(c.Command[1:]), args...)
		}
		cmd, err := parseReelLine(args)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if cmd.Name() != "worker" {
			t.Errorf("%s runs reel %s", name, cmd.Name())
			continue
		}
		q := flagValue(cmd, "queues")
		if other, dup := queues[q]; dup || !slices.Contains(workflows.AllQueues, q) {
			t.Errorf("%s serves %q (also %q): want one Deployment per queue of %v", name, q, other, workflows.AllQueues)
		}
		queues[q] = name
		deps[name] = workerDep{queue: q, caps: flagValue(cmd, "max-activities"), labels: d.Spec.Template.Metadata.Labels}
		for k, v := range d.Spec.Selector.MatchLabels {
			if d.Spec.Template.Metadata.Labels[k] != v {
				t.Errorf("%s: selector %s=%s does not match its pods", name, k, v)
			}
		}
		for _, r := range []string{"cpu", "memory"} {
			if c.Resources.Requests[r] == "" || c.Resources.Limits[r] == "" {
				t.Errorf("%s: no %s request and limit", name, r)
			}
		}
		if d := drainOf(t, cmd); time.Duration(spec.TerminationGracePeriodSeconds)*time.Second < d+10*time.Second {
			t.Errorf("%s: terminationGracePeriodSeconds %d leaves the %v drain no margin", name, spec.TerminationGracePeriodSeconds, d)
		}
		_, port, err := splitHostPortFlag(flagValue(cmd, "metrics"))
		if err != nil {
			t.Errorf("%s: --metrics: %v", name, err)
			continue
		}
		portOf := func(p any) int {
			switch p := p.(type) {
			case int:
				return p
			case string:
				for _, cp := range c.Ports {
					if cp.Name == p {
						return cp.ContainerPort
					}
				}
			}
			return -1
		}
		if c.ReadinessProbe.HTTPGet.Path != "/readyz" || portOf(c.ReadinessProbe.HTTPGet.Port) != port {
			t.Errorf("%s: readiness probe %s on %v, want /readyz on --metrics port %d", name, c.ReadinessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Port, port)
		}
		if c.LivenessProbe.HTTPGet.Path != "/healthz" || portOf(c.LivenessProbe.HTTPGet.Port) != port {
			t.Errorf("%s: liveness probe %s on %v, want /healthz on --metrics port %d", name, c.LivenessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Port, port)
		}
	}
	for _, q := range workflows.AllQueues {
		if queues[q] == "" {
			t.Errorf("no worker Deployment for queue %s", q)
		}
	}

	covered := map[string]bool{}
	for _, pdb := range byKind["PodDisruptionBudget"] {
		if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
			t.Errorf("PodDisruptionBudget %s sets neither maxUnavailable nor minAvailable", pdb.Metadata.Name)
		}
		for name, d := range deps {
			if len(pdb.Spec.Selector.MatchLabels) > 0 && labelsMatch(pdb.Spec.Selector.MatchLabels, d.labels) {
				covered[name] = true
			}
		}
	}
	for name := range deps {
		if !covered[name] {
			t.Errorf("no PodDisruptionBudget selects %s's pods", name)
		}
	}

	scaled := map[string]bool{}
	for _, so := range byKind["ScaledObject"] {
		d, ok := deps[so.Spec.ScaleTargetRef.Name]
		if !ok {
			t.Errorf("ScaledObject %s scales %q, not a worker Deployment", so.Metadata.Name, so.Spec.ScaleTargetRef.Name)
			continue
		}
		scaled[d.queue] = true
		for _, tr := range so.Spec.Triggers {
			if tr.Type != "temporal" {
				t.Errorf("ScaledObject %s: trigger %s, want temporal (the task queue's backlog)", so.Metadata.Name, tr.Type)
				continue
			}
			m := tr.Metadata
			if m["taskQueue"] != d.queue || m["endpoint"] != temporal || m["queueTypes"] != "activity" {
				t.Errorf("ScaledObject %s watches %s (%s) on %s, want %s (activity) on %s", so.Metadata.Name,
					m["taskQueue"], m["queueTypes"], m["endpoint"], d.queue, temporal)
			}
			if n, err := strconv.Atoi(m["targetQueueSize"]); err != nil || n < 1 {
				t.Errorf("ScaledObject %s: targetQueueSize %q", so.Metadata.Name, m["targetQueueSize"])
			} else if want := d.queue + "=" + m["targetQueueSize"]; d.caps != "" && d.caps != want {
				t.Errorf("ScaledObject %s: targetQueueSize %d, but its workers run --max-activities %s: one pod per that many waiting activities", so.Metadata.Name, n, d.caps)
			}
		}
	}
	for _, q := range []string{workflows.QueueIO, workflows.QueueCPU, workflows.QueueEncode} {
		if !scaled[q] {
			t.Errorf("queue %s is not autoscaled", q)
		}
	}

	// kubectl kustomize renders the directory as kubectl apply -k would.
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		if out, err := exec.Command(kubectl, "kustomize", dir).CombinedOutput(); err != nil {
			t.Errorf("kubectl kustomize %s: %v\n%s", dir, err, out)
		}
	}
}

func labelsMatch(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// splitHostPortFlag splits a host:port flag value and parses the port.
func splitHostPortFlag(v string) (string, int, error) {
	i := strings.LastIndex(v, ":")
	if i < 0 {
		return "", 0, fmt.Errorf("%q is not host:port", v)
	}
	p, err := strconv.Atoi(v[i+1:])
	if err != nil {
		return "", 0, fmt.Errorf("%q: port: %w", v, err)
	}
	return v[:i], p, nil
}

// TestDeployParseReelLine: the checker itself rejects what reel rejects.
func TestDeployParseReelLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"worker", "--queues", "reel-encode", "--drain-timeout", "5m"}, true},
		{[]string{"worker", "--no-such-flag"}, false},
		{[]string{"worker", "--drain-timeout", "5min"}, false}, // systemd's spelling, not Go's
		{[]string{"worker", "--max-activities", "reel-encode=0"}, false},
		{[]string{"worker", "extra-argument"}, false},
		{[]string{"no-such-command"}, false},
		{[]string{"--verbose"}, false},
	} {
		_, err := parseReelLine(tc.args)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.args, err, tc.ok)
		}
	}
}
