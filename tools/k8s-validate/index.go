package main

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

type objectKey struct {
	group, kind, namespace, name string
	// version is informational (for messages); lookups ignore it.
	version string
}

func keyOf(o *object) objectKey {
	return objectKey{group: o.gvk.Group, kind: o.gvk.Kind, namespace: o.meta.GetNamespace(), name: o.meta.GetName()}
}

// workload is anything that stamps out pods from a template.
type workload struct {
	o        *object
	template *corev1.PodTemplateSpec
	selector *metav1.LabelSelector
	// replicas is the desired count (1 when unset, as the API server defaults it).
	replicas int32
	// longRunning workloads must carry liveness and readiness probes.
	longRunning bool
	// selectorRequired is true for kinds whose API rejects a missing selector.
	selectorRequired bool
	// claimVolumes are volumes a StatefulSet adds from volumeClaimTemplates.
	claimVolumes []string
	path         *field.Path
}

// matches reports whether a label selector of another object (Service, PDB)
// selects this workload's pods.
func (w *workload) matchesSelector(sel labels.Selector) bool {
	return !sel.Empty() && sel.Matches(labels.Set(w.template.Labels))
}

type index struct {
	objects   []*object
	byKey     map[objectKey][]*object
	workloads []*workload
	// undecodable holds documents that failed to decode, by name, so objects
	// referring to them are not reported as broken too.
	undecodable []objectKey
}

func newIndex(objects []*object, undecodable []objectKey) *index {
	idx := &index{objects: objects, byKey: map[objectKey][]*object{}, undecodable: undecodable}
	for _, o := range objects {
		k := keyOf(o)
		idx.byKey[k] = append(idx.byKey[k], o)
		if w := workloadOf(o); w != nil {
			idx.workloads = append(idx.workloads, w)
		}
	}
	return idx
}

func (idx *index) get(group, kind, namespace, name string) *object {
	if found := idx.byKey[objectKey{group: group, kind: kind, namespace: namespace, name: name}]; len(found) > 0 {
		return found[0]
	}
	return nil
}

// isUndecodable reports whether an object that failed to decode has this
// kind and name; an empty name matches any name of the kind in the namespace.
func (idx *index) isUndecodable(group, kind, namespace, name string) bool {
	for _, k := range idx.undecodable {
		if k.group == group && k.kind == kind && k.namespace == namespace && (name == "" || k.name == name) {
			return true
		}
	}
	return false
}

// hasUndecodableWorkload reports whether a pod-template owner in namespace
// failed to decode, in which case "selects nothing" is not reported.
func (idx *index) hasUndecodableWorkload(namespace string) bool {
	for _, k := range idx.undecodable {
		if k.namespace == namespace && workloadKinds[k.kind] {
			return true
		}
	}
	return false
}

var workloadKinds = map[string]bool{
	"Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true, "Job": true, "CronJob": true,
}

func (idx *index) checkDuplicates() {
	for k, found := range idx.byKey {
		if len(found) < 2 {
			continue
		}
		for _, o := range found[1:] {
			o.result.fail("duplicate object: %s %s/%s is already defined by document %d", k.kind, k.namespace, k.name, found[0].doc+1)
		}
	}
}

// workloadsSelectedBy returns the workloads in namespace whose pod template
// labels the selector matches.
func (idx *index) workloadsSelectedBy(namespace string, sel labels.Selector) []*workload {
	var out []*workload
	for _, w := range idx.workloads {
		if w.o.meta.GetNamespace() == namespace && w.matchesSelector(sel) {
			out = append(out, w)
		}
	}
	return out
}

func replicasOrOne(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

func workloadOf(o *object) *workload {
	spec := field.NewPath("spec")
	switch t := o.obj.(type) {
	case *appsv1.Deployment:
		return &workload{o: o, template: &t.Spec.Template, selector: t.Spec.Selector, replicas: replicasOrOne(t.Spec.Replicas),
			longRunning: true, selectorRequired: true, path: spec.Child("template")}
	case *appsv1.StatefulSet:
		var claims []string
		for _, c := range t.Spec.VolumeClaimTemplates {
			claims = append(claims, c.Name)
		}
		return &workload{o: o, template: &t.Spec.Template, selector: t.Spec.Selector, replicas: replicasOrOne(t.Spec.Replicas),
			longRunning: true, selectorRequired: true, claimVolumes: claims, path: spec.Child("template")}
	case *appsv1.DaemonSet:
		return &workload{o: o, template: &t.Spec.Template, selector: t.Spec.Selector, replicas: 1,
			longRunning: true, selectorRequired: true, path: spec.Child("template")}
	case *appsv1.ReplicaSet:
		return &workload{o: o, template: &t.Spec.Template, selector: t.Spec.Selector, replicas: replicasOrOne(t.Spec.Replicas),
			longRunning: true, selectorRequired: true, path: spec.Child("template")}
	case *batchv1.Job:
		return &workload{o: o, template: &t.Spec.Template, selector: t.Spec.Selector, replicas: 1, path: spec.Child("template")}
	case *batchv1.CronJob:
		return &workload{o: o, template: &t.Spec.JobTemplate.Spec.Template, selector: t.Spec.JobTemplate.Spec.Selector, replicas: 1,
			path: spec.Child("jobTemplate", "spec", "template")}
	}
	return nil
}

// scaleTargetKinds maps the kinds an HPA may target to their API group.
var scaleTargetKinds = map[string]string{
	"Deployment":  appsv1.GroupName,
	"StatefulSet": appsv1.GroupName,
	"ReplicaSet":  appsv1.GroupName,
}

func groupOfAPIVersion(apiVersion string) string {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return ""
	}
	return gv.Group
}
