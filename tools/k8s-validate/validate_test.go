package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func readGood(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// breakManifest replaces exactly one occurrence of old, so each case differs
// from the good manifest in one place only.
func breakManifest(t *testing.T, good, old, replacement string) string {
	t.Helper()
	if n := strings.Count(good, old); n != 1 {
		t.Fatalf("test setup: %q occurs %d times in testdata/good.yaml, want exactly 1", old, n)
	}
	return strings.Replace(good, old, replacement, 1)
}

func TestGoodManifestPasses(t *testing.T) {
	report, err := Validate(strings.NewReader(readGood(t)), Options{RequirePinnedImages: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Results) != 8 {
		t.Fatalf("got %d results, want 8", len(report.Results))
	}
	for _, res := range report.Results {
		if !res.OK() {
			t.Errorf("%s: unexpected errors: %v", res.ID, res.Errors)
		}
		if len(res.Notes) > 0 {
			t.Errorf("%s: unexpected notes: %v", res.ID, res.Notes)
		}
	}
}

func TestBrokenManifestsFail(t *testing.T) {
	good := readGood(t)
	cases := []struct {
		name        string
		old, new    string
		opts        Options
		wantID      string // the object that must fail
		wantMessage string // a substring of one of its errors
		// wantFailures is how many objects fail (0 means 1).
		wantFailures int
	}{
		{
			name:   "unknown field",
			old:    "          image: example/web:1.0.0\n",
			new:    "          image: example/web:1.0.0\n          imagePullPolicyy: Always\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: `unknown field "spec.template.spec.containers[0].imagePullPolicyy"`,
		},
		{
			name:   "unknown top-level field",
			old:    "  replicas: 2\n",
			new:    "  replica: 2\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: `unknown field "spec.replica"`,
			wantFailures: 2, // replicas falls back to 1, so the PDB blocks drains
		},
		{
			name:   "duplicate field",
			old:    "  replicas: 2\n",
			new:    "  replicas: 2\n  replicas: 3\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: `"replicas" already set`,
		},
		{
			name:   "wrong type",
			old:    "  replicas: 2\n",
			new:    "  replicas: two\n",
			wantID: "apps/v1 Deployment demo/web (document 5)", wantMessage: "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
		},
		{
			name:   "wrong type in a list",
			old:    "              containerPort: 50051\n",
			new:    "              containerPort: [50051]\n",
			wantID: "apps/v1 Deployment demo/web (document 5)", wantMessage: "cannot unmarshal array",
		},
		{
			name:   "unknown kind",
			old:    "kind: ServiceAccount\n",
			new:    "kind: ServiceAcount\n",
			wantID: "v1 ServiceAcount demo/web (document 4)", wantMessage: "unknown kind",
			wantFailures: 2, // the Deployment's ServiceAccount is now missing
		},
		{
			name:   "custom resource",
			old:    "apiVersion: v1\nkind: ServiceAccount\n",
			new:    "apiVersion: example.com/v1\nkind: Widget\n",
			wantID: "example.com/v1 Widget demo/web (document 4)", wantMessage: "unknown kind",
			wantFailures: 2, // the Deployment's ServiceAccount is now missing
		},
		{
			name:   "missing liveness probe",
			old:    "          livenessProbe:\n            grpc:\n              port: 50051\n",
			new:    "",
			wantID: "apps/v1 Deployment demo/web", wantMessage: "spec.template.spec.containers[0].livenessProbe: Required value",
		},
		{
			name:   "missing readiness probe",
			old:    "          readinessProbe:\n            httpGet:\n              path: /readyz\n              port: http\n",
			new:    "",
			wantID: "apps/v1 Deployment demo/web", wantMessage: "spec.template.spec.containers[0].readinessProbe: Required value",
		},
		{
			name:   "probe on an undeclared port",
			old:    "            grpc:\n              port: 50051\n",
			new:    "            grpc:\n              port: 50052\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: "livenessProbe.grpc.port: Invalid value: 50052",
		},
		{
			name:   "probe on an unknown named port",
			old:    "              port: http\n",
			new:    "              port: metrics\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: `readinessProbe.httpGet.port: Not found: "metrics"`,
		},
		{
			name:   "missing memory limit",
			old:    "              cpu: \"1\"\n              memory: 256Mi\n",
			new:    "              cpu: \"1\"\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: "resources.limits[memory]: Required value",
		},
		{
			name:   "request above limit",
			old:    "              memory: 256Mi\n",
			new:    "              memory: 64Mi\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: "must be less than or equal to memory limit",
		},
		{
			name:   "missing image",
			old:    "          image: example/web:1.0.0\n",
			new:    "",
			wantID: "apps/v1 Deployment demo/web", wantMessage: "containers[0].image: Required value",
		},
		{
			name:   "unpinned image when pinning is required",
			old:    "example/web:1.0.0",
			new:    "example/web:latest",
			opts:   Options{RequirePinnedImages: true},
			wantID: "apps/v1 Deployment demo/web", wantMessage: "must be pinned",
		},
		{
			name:   "selector does not match template labels",
			old:    "      labels:\n        app.kubernetes.io/name: web\n    spec:\n",
			new:    "      labels:\n        app.kubernetes.io/name: webb\n    spec:\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: "`selector` (app.kubernetes.io/name=web) does not match template `labels`",
			wantFailures: 3, // the Service and the PDB now select nothing
		},
		{
			name:   "service targets a port the pod does not declare",
			old:    "      targetPort: grpc\n",
			new:    "      targetPort: grpcs\n",
			wantID: "v1 Service demo/web", wantMessage: `port name "grpcs" is not a container port`,
		},
		{
			name:   "service selects no pods",
			old:    "  selector:\n    app.kubernetes.io/name: web\n  ports:\n",
			new:    "  selector:\n    app.kubernetes.io/name: api\n  ports:\n",
			wantID: "v1 Service demo/web", wantMessage: "matches no pod template",
		},
		{
			name:   "unnamed port on a multi-port service",
			old:    "    - name: http\n      port: 9100\n",
			new:    "    - port: 9100\n",
			wantID: "v1 Service demo/web", wantMessage: "spec.ports[1].name: Required value",
		},
		{
			name:   "missing ConfigMap",
			old:    "                name: demo-config\n",
			new:    "                name: demo-config-typo\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: `ConfigMap "demo-config-typo" is not defined`,
		},
		{
			name:   "missing Secret key",
			old:    "                  key: token\n",
			new:    "                  key: tokn\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: `Secret "demo-secret" has no key "tokn"`,
		},
		{
			name:   "missing ServiceAccount",
			old:    "      serviceAccountName: web\n",
			new:    "      serviceAccountName: webb\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: `ServiceAccount "webb" is not defined`,
		},
		{
			name:   "volume mount without volume",
			old:    "            - name: tmp\n              mountPath: /tmp\n",
			new:    "            - name: scratch\n              mountPath: /tmp\n",
			wantID: "apps/v1 Deployment demo/web", wantMessage: `volumeMounts[0].name: Not found: "scratch"`,
		},
		{
			name:   "budget that blocks drains",
			old:    "  replicas: 2\n",
			new:    "  replicas: 1\n",
			wantID: "policy/v1 PodDisruptionBudget demo/web", wantMessage: "allows no voluntary disruption",
		},
		{
			name:   "HPA targets a missing Deployment",
			old:    "    kind: Deployment\n    name: web\n",
			new:    "    kind: Deployment\n    name: api\n",
			wantID: "autoscaling/v2 HorizontalPodAutoscaler demo/web", wantMessage: "Deployment demo/api is not defined",
		},
		{
			name:   "HPA min above max",
			old:    "  maxReplicas: 10\n",
			new:    "  maxReplicas: 1\n",
			wantID: "autoscaling/v2 HorizontalPodAutoscaler demo/web", wantMessage: "spec.maxReplicas: Invalid value: 1",
		},
		{
			name:   "invalid name",
			old:    "kind: ConfigMap\nmetadata:\n  name: demo-config\n",
			new:    "kind: ConfigMap\nmetadata:\n  name: Demo_Config\n",
			wantID: "v1 ConfigMap demo/Demo_Config", wantMessage: "metadata.name: Invalid value",
			wantFailures: 2, // the Deployment's ConfigMap is now missing
		},
		{
			name:   "namespaced object without namespace",
			old:    "  name: web\n  namespace: demo\nautomountServiceAccountToken: false\n",
			new:    "  name: web\nautomountServiceAccountToken: false\n",
			wantID: "v1 ServiceAccount web", wantMessage: "metadata.namespace: Required value",
			wantFailures: 2, // the Deployment's ServiceAccount is not in its namespace
		},
		{
			name:   "duplicate object",
			old:    "---\napiVersion: v1\nkind: ServiceAccount\n",
			new:    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo-config\n  namespace: demo\n---\napiVersion: v1\nkind: ServiceAccount\n",
			wantID: "v1 ConfigMap demo/demo-config", wantMessage: "duplicate object",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			input := breakManifest(t, good, tc.old, tc.new)
			report, err := Validate(strings.NewReader(input), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if report.Failed() == 0 {
				t.Fatalf("broken manifest passed validation")
			}
			// One mistake, one failing object: no cascade into objects that refer to it.
			if want := max(tc.wantFailures, 1); report.Failed() != want {
				t.Errorf("%d objects failed, want %d", report.Failed(), want)
			}
			var found bool
			for _, res := range report.Results {
				if res.ID != tc.wantID || res.OK() {
					continue
				}
				for _, msg := range res.Errors {
					if strings.Contains(msg, tc.wantMessage) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s failed, but no error contains %q: %v", res.ID, tc.wantMessage, res.Errors)
				}
			}
			if !found {
				var got []string
				for _, res := range report.Results {
					if !res.OK() {
						got = append(got, res.ID+": "+strings.Join(res.Errors, "; "))
					}
				}
				t.Errorf("want %s to fail with %q; failures were:\n%s", tc.wantID, tc.wantMessage, strings.Join(got, "\n"))
			}
		})
	}
}

func TestMissingSecretIsANoteNotAnError(t *testing.T) {
	input := breakManifest(t, readGood(t), "kind: Secret\nmetadata:\n  name: demo-secret\n", "kind: Secret\nmetadata:\n  name: other-secret\n")
	report, err := Validate(strings.NewReader(input), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if report.Failed() != 0 {
		t.Fatalf("want no failures, got %d", report.Failed())
	}
	var notes []string
	for _, res := range report.Results {
		notes = append(notes, res.Notes...)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `Secret "demo-secret" is not in the input`) {
		t.Fatalf("want one note about the missing Secret, got %v", notes)
	}
}

// TestCommandExitCodes runs the command end to end as the script does: a
// broken manifest on stdin must print a FAIL line and exit non-zero.
func TestCommandExitCodes(t *testing.T) {
	good := readGood(t)
	broken := breakManifest(t, good, "  replicas: 2\n", "  replicas: two\n")
	cases := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr string
	}{
		{
			name: "good", stdin: good, args: []string{"-label", "demo"}, wantCode: 0,
			wantStdout: []string{"ok  apps/v1 Deployment demo/web\n", "demo: 8 objects, 8 valid, 0 invalid\n"},
		},
		{
			name: "broken", stdin: broken, args: []string{"-label", "demo"}, wantCode: 1,
			wantStdout: []string{"FAIL apps/v1 Deployment demo/web (document 5)\n", "demo: 8 objects, 7 valid, 1 invalid\n"},
			wantStderr: "demo: 1 of 8 objects are invalid",
		},
		{name: "empty input", stdin: "# nothing\n---\n", wantCode: 1, wantStderr: "no Kubernetes objects found"},
		{name: "not YAML", stdin: "{{{", wantCode: 1, wantStdout: []string{"FAIL document 1\n"}},
		{name: "bad flag", args: []string{"-nope"}, wantCode: 2},
		{name: "file argument", args: []string{"testdata/good.yaml"}, wantCode: 0, wantStdout: []string{"testdata/good.yaml: 8 objects"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, stdout.String(), stderr.String())
			}
			for _, want := range tc.wantStdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantStderr, stderr.String())
			}
		})
	}
}

func TestImagePinned(t *testing.T) {
	for image, want := range map[string]bool{
		"assent/approvals":                     false,
		"assent/approvals:latest":              false,
		"assent/approvals:0.1.0":               true,
		"localhost:5000/assent/approvals":      false,
		"localhost:5000/assent/approvals:v1":   true,
		"assent/approvals@sha256:0123456789ab": true,
	} {
		if got := imagePinned(image); got != want {
			t.Errorf("imagePinned(%q) = %v, want %v", image, got, want)
		}
	}
}
