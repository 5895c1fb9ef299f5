package main

import (
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// clusterScoped lists the built-in kinds that live outside namespaces; every
// other kind must name its namespace (kustomize's `namespace:` sets it).
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ComponentStatus": true,
	"ClusterRole": true, "ClusterRoleBinding": true,
	"StorageClass": true, "CSIDriver": true, "CSINode": true, "VolumeAttachment": true, "VolumeAttributesClass": true,
	"PriorityClass": true, "RuntimeClass": true, "IngressClass": true,
	"MutatingWebhookConfiguration": true, "ValidatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true,
	"CertificateSigningRequest": true, "ClusterTrustBundle": true,
	"FlowSchema": true, "PriorityLevelConfiguration": true,
	"DeviceClass": true, "ResourceSlice": true, "IPAddress": true, "ServiceCIDR": true,
	"StorageVersionMigration": true,
}

// nameRule is the name format the API server enforces for a kind.
func nameRule(kind string) apivalidation.ValidateNameFunc {
	switch kind {
	case "Service":
		return apivalidation.NameIsDNS1035Label
	case "Namespace":
		return apivalidation.NameIsDNSLabel
	default:
		return apivalidation.NameIsDNSSubdomain
	}
}

// checkMeta runs the API server's own ObjectMeta validation: name format,
// namespace presence, label and annotation syntax and size.
func checkMeta(o *object) {
	namespaced := !clusterScoped[o.gvk.Kind]
	o.result.addAll(apivalidation.ValidateObjectMetaAccessor(o.meta, namespaced, nameRule(o.gvk.Kind), field.NewPath("metadata")))
}
