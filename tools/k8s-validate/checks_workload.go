package main

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// checkWorkload validates a pod-template owner: selector/labels agreement,
// and every container's image, resources, ports, probes and references.
func checkWorkload(idx *index, w *workload, opts Options) {
	res := w.o.result
	checkSelector(res, w)

	spec := &w.template.Spec
	specPath := w.path.Child("spec")
	if len(spec.Containers) == 0 {
		res.addAll(field.ErrorList{field.Required(specPath.Child("containers"), "a pod needs at least one container")})
	}

	volumes := checkVolumes(idx, res, w.o.meta.GetNamespace(), spec.Volumes, specPath.Child("volumes"))
	for _, claim := range w.claimVolumes {
		if volumes.Has(claim) {
			res.addAll(field.ErrorList{field.Duplicate(field.NewPath("spec", "volumeClaimTemplates").Key(claim), claim)})
		}
		volumes.Insert(claim)
	}
	names := sets.New[string]()
	portNames := sets.New[string]()
	check := func(c *corev1.Container, path *field.Path, needsProbes bool) {
		if names.Has(c.Name) {
			res.addAll(field.ErrorList{field.Duplicate(path.Child("name"), c.Name)})
		}
		names.Insert(c.Name)
		for _, msg := range validation.IsDNS1123Label(c.Name) {
			res.addAll(field.ErrorList{field.Invalid(path.Child("name"), c.Name, msg)})
		}
		checkImage(res, c.Image, path.Child("image"), opts)
		checkResources(res, c.Resources, path.Child("resources"))
		checkPorts(res, c.Ports, portNames, path.Child("ports"))
		checkProbes(res, c, path, needsProbes)
		checkEnv(idx, res, w.o.meta.GetNamespace(), c, path)
		for i, m := range c.VolumeMounts {
			if !volumes.Has(m.Name) {
				res.addAll(field.ErrorList{field.NotFound(path.Child("volumeMounts").Index(i).Child("name"), m.Name)})
			}
		}
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		// Sidecars (restartPolicy: Always) run for the pod's lifetime like regular containers.
		sidecar := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		check(c, specPath.Child("initContainers").Index(i), sidecar && w.longRunning)
	}
	for i := range spec.Containers {
		check(&spec.Containers[i], specPath.Child("containers").Index(i), w.longRunning)
	}

	if sa := spec.ServiceAccountName; sa != "" && sa != "default" && idx.get("", "ServiceAccount", w.o.meta.GetNamespace(), sa) == nil &&
		!idx.isUndecodable("", "ServiceAccount", w.o.meta.GetNamespace(), sa) {
		res.fail("%s: ServiceAccount %q is not defined in the input", specPath.Child("serviceAccountName"), sa)
	}
}

func checkSelector(res *Result, w *workload) {
	selPath := field.NewPath("spec", "selector")
	if w.selector == nil {
		if w.selectorRequired {
			res.addAll(field.ErrorList{field.Required(selPath, "")})
		}
		return
	}
	res.addAll(metav1validation.ValidateLabelSelector(w.selector, metav1validation.LabelSelectorValidationOptions{}, selPath))
	sel, err := metav1.LabelSelectorAsSelector(w.selector)
	if err != nil {
		res.addAll(field.ErrorList{field.Invalid(selPath, w.selector, err.Error())})
		return
	}
	if sel.Empty() {
		res.addAll(field.ErrorList{field.Invalid(selPath, w.selector, "empty selector is invalid for this workload")})
		return
	}
	if !sel.Matches(labels.Set(w.template.Labels)) {
		res.addAll(field.ErrorList{field.Invalid(w.path.Child("metadata", "labels"), w.template.Labels,
			fmt.Sprintf("`selector` (%s) does not match template `labels`", sel))})
	}
}

func checkImage(res *Result, image string, path *field.Path, opts Options) {
	switch {
	case image == "":
		res.addAll(field.ErrorList{field.Required(path, "every container needs an image")})
	case strings.TrimSpace(image) != image || strings.ContainsAny(image, " \t\n"):
		res.addAll(field.ErrorList{field.Invalid(path, image, "must not contain whitespace")})
	case opts.RequirePinnedImages && !imagePinned(image):
		res.addAll(field.ErrorList{field.Invalid(path, image, "image must be pinned to a tag other than latest, or a digest")})
	}
}

func imagePinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	last := image[strings.LastIndex(image, "/")+1:]
	i := strings.LastIndex(last, ":")
	return i >= 0 && last[i+1:] != "" && last[i+1:] != "latest"
}

func checkResources(res *Result, r corev1.ResourceRequirements, path *field.Path) {
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := r.Requests[name]
		limit, hasLimit := r.Limits[name]
		if !hasReq {
			res.addAll(field.ErrorList{field.Required(path.Child("requests").Key(string(name)), "set a request so the scheduler can place the pod")})
		}
		if !hasLimit {
			res.addAll(field.ErrorList{field.Required(path.Child("limits").Key(string(name)), "set a limit")})
		}
		if hasReq && hasLimit && req.Cmp(limit) > 0 {
			res.addAll(field.ErrorList{field.Invalid(path.Child("requests").Key(string(name)), req.String(),
				fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String()))})
		}
	}
}

func checkPorts(res *Result, ports []corev1.ContainerPort, podPortNames sets.Set[string], path *field.Path) {
	for i, p := range ports {
		pp := path.Index(i)
		for _, msg := range validation.IsValidPortNum(int(p.ContainerPort)) {
			res.addAll(field.ErrorList{field.Invalid(pp.Child("containerPort"), p.ContainerPort, msg)})
		}
		if p.Name == "" {
			continue
		}
		for _, msg := range validation.IsValidPortName(p.Name) {
			res.addAll(field.ErrorList{field.Invalid(pp.Child("name"), p.Name, msg)})
		}
		if podPortNames.Has(p.Name) {
			res.addAll(field.ErrorList{field.Duplicate(pp.Child("name"), p.Name)})
		}
		podPortNames.Insert(p.Name)
	}
}

func checkProbes(res *Result, c *corev1.Container, path *field.Path, required bool) {
	probes := []struct {
		name       string
		probe      *corev1.Probe
		must       bool
		singleShot bool // liveness and startup probes must succeed exactly once
	}{
		{"livenessProbe", c.LivenessProbe, required, true},
		{"readinessProbe", c.ReadinessProbe, required, false},
		{"startupProbe", c.StartupProbe, false, true},
	}
	for _, p := range probes {
		pp := path.Child(p.name)
		if p.probe == nil {
			if p.must {
				res.addAll(field.ErrorList{field.Required(pp, "long-running containers need liveness and readiness probes")})
			}
			continue
		}
		checkProbe(res, c, p.probe, pp, p.singleShot)
	}
}

func checkProbe(res *Result, c *corev1.Container, p *corev1.Probe, path *field.Path, singleShot bool) {
	h := p.ProbeHandler
	handlers := 0
	if h.Exec != nil {
		handlers++
		if len(h.Exec.Command) == 0 {
			res.addAll(field.ErrorList{field.Required(path.Child("exec", "command"), "")})
		}
	}
	if h.HTTPGet != nil {
		handlers++
		checkProbePort(res, c, h.HTTPGet.Port, path.Child("httpGet", "port"))
	}
	if h.TCPSocket != nil {
		handlers++
		checkProbePort(res, c, h.TCPSocket.Port, path.Child("tcpSocket", "port"))
	}
	if h.GRPC != nil {
		handlers++
		checkProbePort(res, c, intstr.FromInt32(h.GRPC.Port), path.Child("grpc", "port"))
	}
	if handlers != 1 {
		res.addAll(field.ErrorList{field.Invalid(path, handlers, "must specify exactly one handler (exec, httpGet, tcpSocket or grpc)")})
	}
	if singleShot && p.SuccessThreshold > 1 {
		res.addAll(field.ErrorList{field.Invalid(path.Child("successThreshold"), p.SuccessThreshold, "must be 1 for liveness and startup probes")})
	}
}

// checkProbePort requires probe ports to be declared on the container: a named
// port that does not exist fails at runtime, and an undeclared number usually
// means the probe and the container disagree about where the server listens.
func checkProbePort(res *Result, c *corev1.Container, port intstr.IntOrString, path *field.Path) {
	if port.Type == intstr.String {
		for _, p := range c.Ports {
			if p.Name == port.StrVal {
				return
			}
		}
		res.addAll(field.ErrorList{field.NotFound(path, port.StrVal)})
		return
	}
	for _, p := range c.Ports {
		if p.ContainerPort == port.IntVal {
			return
		}
	}
	res.addAll(field.ErrorList{field.Invalid(path, port.IntVal, fmt.Sprintf("port is not declared in container %q ports", c.Name))})
}

func checkEnv(idx *index, res *Result, namespace string, c *corev1.Container, path *field.Path) {
	for i, e := range c.Env {
		ep := path.Child("env").Index(i)
		for _, msg := range validation.IsEnvVarName(e.Name) {
			res.addAll(field.ErrorList{field.Invalid(ep.Child("name"), e.Name, msg)})
		}
		if e.ValueFrom == nil {
			continue
		}
		if ref := e.ValueFrom.ConfigMapKeyRef; ref != nil {
			idx.checkConfigMapRef(res, namespace, ref.Name, ref.Key, ref.Optional, ep.Child("valueFrom", "configMapKeyRef"))
		}
		if ref := e.ValueFrom.SecretKeyRef; ref != nil {
			idx.checkSecretRef(res, namespace, ref.Name, ref.Key, ref.Optional, ep.Child("valueFrom", "secretKeyRef"))
		}
	}
	for i, e := range c.EnvFrom {
		ep := path.Child("envFrom").Index(i)
		if ref := e.ConfigMapRef; ref != nil {
			idx.checkConfigMapRef(res, namespace, ref.Name, "", ref.Optional, ep.Child("configMapRef"))
		}
		if ref := e.SecretRef; ref != nil {
			idx.checkSecretRef(res, namespace, ref.Name, "", ref.Optional, ep.Child("secretRef"))
		}
	}
}

// checkVolumes validates volume names and the ConfigMaps and Secrets they
// project, and returns the set of volume names for mount checks.
func checkVolumes(idx *index, res *Result, namespace string, volumes []corev1.Volume, path *field.Path) sets.Set[string] {
	names := sets.New[string]()
	for i, v := range volumes {
		vp := path.Index(i)
		if names.Has(v.Name) {
			res.addAll(field.ErrorList{field.Duplicate(vp.Child("name"), v.Name)})
		}
		names.Insert(v.Name)
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			res.addAll(field.ErrorList{field.Invalid(vp.Child("name"), v.Name, msg)})
		}
		if cm := v.ConfigMap; cm != nil {
			for j, item := range keysOrNone(cm.Items) {
				idx.checkConfigMapRef(res, namespace, cm.Name, item, cm.Optional, vp.Child("configMap", "items").Index(j))
			}
		}
		if s := v.Secret; s != nil {
			for j, item := range keysOrNone(s.Items) {
				idx.checkSecretRef(res, namespace, s.SecretName, item, s.Optional, vp.Child("secret", "items").Index(j))
			}
		}
		if pr := v.Projected; pr != nil {
			for j, src := range pr.Sources {
				sp := vp.Child("projected", "sources").Index(j)
				if cm := src.ConfigMap; cm != nil {
					for _, item := range keysOrNone(cm.Items) {
						idx.checkConfigMapRef(res, namespace, cm.Name, item, cm.Optional, sp.Child("configMap"))
					}
				}
				if s := src.Secret; s != nil {
					for _, item := range keysOrNone(s.Items) {
						idx.checkSecretRef(res, namespace, s.Name, item, s.Optional, sp.Child("secret"))
					}
				}
				if t := src.ServiceAccountToken; t != nil && t.ExpirationSeconds != nil && *t.ExpirationSeconds < 600 {
					res.addAll(field.ErrorList{field.Invalid(sp.Child("serviceAccountToken", "expirationSeconds"), *t.ExpirationSeconds, "may not be less than 10 minutes")})
				}
			}
		}
	}
	return names
}

// keysOrNone yields the keys a volume projects, or one empty key meaning "the
// whole object", so a reference is checked even when no items are listed.
func keysOrNone(items []corev1.KeyToPath) []string {
	if len(items) == 0 {
		return []string{""}
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	return keys
}
