package main

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// kubeRootCA is published into every namespace by the control plane.
const kubeRootCA = "kube-root-ca.crt"

// checkConfigMapRef requires a referenced ConfigMap (and key, when given) to
// be part of the input: configuration ships with the manifests.
func (idx *index) checkConfigMapRef(res *Result, namespace, name, key string, optional *bool, path *field.Path) {
	if isOptional(optional) || name == kubeRootCA {
		return
	}
	o := idx.get("", "ConfigMap", namespace, name)
	if o == nil {
		if idx.isUndecodable("", "ConfigMap", namespace, name) {
			return
		}
		res.fail("%s: ConfigMap %q is not defined in the input", path, name)
		return
	}
	cm := o.obj.(*corev1.ConfigMap)
	if key == "" {
		return
	}
	if _, ok := cm.Data[key]; ok {
		return
	}
	if _, ok := cm.BinaryData[key]; ok {
		return
	}
	res.fail("%s: ConfigMap %q has no key %q (has %v)", path, name, key, sortedKeys(cm.Data, cm.BinaryData))
}

// checkSecretRef checks a referenced Secret's keys when the Secret is part of
// the input. Secrets are often provided out of band (sealed or external
// secrets), so a missing one is reported as a note, not an error.
func (idx *index) checkSecretRef(res *Result, namespace, name, key string, optional *bool, path *field.Path) {
	if isOptional(optional) {
		return
	}
	o := idx.get("", "Secret", namespace, name)
	if o == nil {
		res.note("Secret %q is not in the input; it must exist in namespace %q before the pods start", name, namespace)
		return
	}
	s := o.obj.(*corev1.Secret)
	if key == "" {
		return
	}
	if _, ok := s.Data[key]; ok {
		return
	}
	if _, ok := s.StringData[key]; ok {
		return
	}
	res.fail("%s: Secret %q has no key %q (has %v)", path, name, key, sortedKeys(s.StringData, s.Data))
}

func isOptional(optional *bool) bool { return optional != nil && *optional }

func sortedKeys[A, B any](a map[string]A, b map[string]B) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
