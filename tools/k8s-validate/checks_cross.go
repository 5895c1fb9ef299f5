package main

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// checkCrossReferences checks objects that point at other objects.
func checkCrossReferences(idx *index, o *object) {
	switch t := o.obj.(type) {
	case *corev1.Service:
		checkService(idx, o.result, t)
	case *policyv1.PodDisruptionBudget:
		checkPDB(idx, o.result, t)
	case *autoscalingv2.HorizontalPodAutoscaler:
		checkHPA(idx, o.result, t)
	}
}

func checkService(idx *index, res *Result, svc *corev1.Service) {
	portsPath := field.NewPath("spec", "ports")
	names := sets.New[string]()
	for i, p := range svc.Spec.Ports {
		pp := portsPath.Index(i)
		if len(svc.Spec.Ports) > 1 && p.Name == "" {
			res.addAll(field.ErrorList{field.Required(pp.Child("name"), "required when a Service has more than one port")})
		}
		if p.Name != "" {
			for _, msg := range validation.IsDNS1123Label(p.Name) {
				res.addAll(field.ErrorList{field.Invalid(pp.Child("name"), p.Name, msg)})
			}
			if names.Has(p.Name) {
				res.addAll(field.ErrorList{field.Duplicate(pp.Child("name"), p.Name)})
			}
			names.Insert(p.Name)
		}
		for _, msg := range validation.IsValidPortNum(int(p.Port)) {
			res.addAll(field.ErrorList{field.Invalid(pp.Child("port"), p.Port, msg)})
		}
	}

	// Services without a selector have hand-managed endpoints; nothing to match.
	if svc.Spec.Type == corev1.ServiceTypeExternalName || len(svc.Spec.Selector) == 0 {
		return
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	matched := idx.workloadsSelectedBy(svc.Namespace, sel)
	if len(matched) == 0 {
		if !idx.hasUndecodableWorkload(svc.Namespace) {
			res.fail("spec.selector: %s matches no pod template in namespace %q", sel, svc.Namespace)
		}
		return
	}
	for i, p := range svc.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port) // the API server defaults targetPort to port
		}
		for _, w := range matched {
			if !podDeclaresPort(&w.template.Spec, target) {
				res.fail("spec.ports[%d].targetPort: %s is not a container port of %s", i, describePort(target), w.o.result.ID)
			}
		}
	}
}

func podDeclaresPort(spec *corev1.PodSpec, port intstr.IntOrString) bool {
	containers := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for _, c := range containers {
		for _, p := range c.Ports {
			if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
				return true
			}
		}
	}
	return false
}

func describePort(p intstr.IntOrString) string {
	if p.Type == intstr.String {
		return fmt.Sprintf("port name %q", p.StrVal)
	}
	return fmt.Sprintf("port %d", p.IntVal)
}

func checkPDB(idx *index, res *Result, pdb *policyv1.PodDisruptionBudget) {
	spec := field.NewPath("spec")
	if pdb.Spec.MinAvailable != nil && pdb.Spec.MaxUnavailable != nil {
		res.addAll(field.ErrorList{field.Invalid(spec, pdb.Spec, "minAvailable and maxUnavailable cannot be both set")})
	}
	if pdb.Spec.Selector == nil {
		res.addAll(field.ErrorList{field.Required(spec.Child("selector"), "")})
		return
	}
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		res.addAll(field.ErrorList{field.Invalid(spec.Child("selector"), pdb.Spec.Selector, err.Error())})
		return
	}
	matched := idx.workloadsSelectedBy(pdb.Namespace, sel)
	if len(matched) == 0 {
		if !idx.hasUndecodableWorkload(pdb.Namespace) {
			res.fail("spec.selector: %s matches no pod template in namespace %q", sel, pdb.Namespace)
		}
		return
	}
	var replicas int32
	for _, w := range matched {
		replicas += w.replicas
	}
	// A budget that allows no voluntary disruption blocks every node drain.
	if m := pdb.Spec.MinAvailable; m != nil && m.Type == intstr.Int && m.IntVal >= replicas {
		res.fail("spec.minAvailable: %d with %d selected replica(s) allows no voluntary disruption; node drains would block", m.IntVal, replicas)
	}
	if m := pdb.Spec.MaxUnavailable; m != nil && m.Type == intstr.Int && m.IntVal == 0 {
		res.fail("spec.maxUnavailable: 0 allows no voluntary disruption; node drains would block")
	}
}

func checkHPA(idx *index, res *Result, hpa *autoscalingv2.HorizontalPodAutoscaler) {
	spec := field.NewPath("spec")
	minReplicas := replicasOrOne(hpa.Spec.MinReplicas)
	if minReplicas < 1 {
		res.addAll(field.ErrorList{field.Invalid(spec.Child("minReplicas"), minReplicas, "must be at least 1")})
	}
	if hpa.Spec.MaxReplicas < minReplicas {
		res.addAll(field.ErrorList{field.Invalid(spec.Child("maxReplicas"), hpa.Spec.MaxReplicas, "must be greater than or equal to minReplicas")})
	}
	ref := hpa.Spec.ScaleTargetRef
	group := groupOfAPIVersion(ref.APIVersion)
	if want, ok := scaleTargetKinds[ref.Kind]; !ok || want != group {
		res.fail("spec.scaleTargetRef: %s %s is not a scalable built-in kind", ref.APIVersion, ref.Kind)
		return
	}
	target := idx.get(group, ref.Kind, hpa.Namespace, ref.Name)
	if target == nil {
		if idx.isUndecodable(group, ref.Kind, hpa.Namespace, ref.Name) {
			return
		}
		res.fail("spec.scaleTargetRef: %s %s/%s is not defined in the input", ref.Kind, hpa.Namespace, ref.Name)
		return
	}
	w := workloadOf(target)
	// Utilization targets are a percentage of the request: without one the HPA cannot compute.
	for i, m := range hpa.Spec.Metrics {
		if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil || m.Resource.Target.Type != autoscalingv2.UtilizationMetricType {
			continue
		}
		for _, c := range w.template.Spec.Containers {
			if _, ok := c.Resources.Requests[m.Resource.Name]; !ok {
				res.fail("spec.metrics[%d]: %s utilization needs a %s request on container %q of %s", i, m.Resource.Name, m.Resource.Name, c.Name, target.result.ID)
			}
		}
	}
}
