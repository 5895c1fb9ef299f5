package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// strictDecoder decodes into the typed Go structs of every built-in Kubernetes
// kind. EnableStrict makes unknown and duplicate fields errors (the API server
// would drop them silently, which hides typos); wrong types always fail.
var strictDecoder = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()

// object is one decoded document plus the result line it reports into.
type object struct {
	doc    int
	gvk    schema.GroupVersionKind
	obj    runtime.Object
	meta   metav1.Object
	result *Result
}

// readDocuments splits a multi-document YAML (or JSON) stream, dropping
// documents that hold nothing but comments or whitespace.
func readDocuments(r io.Reader) ([][]byte, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading YAML stream: %w", err)
		}
		if isBlank(doc) {
			continue
		}
		docs = append(docs, doc)
	}
}

func isBlank(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		trimmed := strings.TrimSpace(string(line))
		if trimmed != "" && !strings.HasPrefix(trimmed, "#") && trimmed != "---" {
			return false
		}
	}
	return true
}

// lenientDecoder is used only after a strict failure, to recover the object
// (minus its unknown fields) so the remaining checks still run and objects
// that refer to it do not fail too.
var lenientDecoder = serializer.NewCodecFactory(scheme.Scheme).UniversalDeserializer()

// decoded is the outcome of decoding one document: obj is nil when the
// document could not be turned into a typed object at all.
type decoded struct {
	obj    *object
	result *Result
	// head names an undecodable document as well as it can be read.
	head *objectKey
}

// decodeDocument strictly decodes one document into its Go API type.
func decodeDocument(index int, doc []byte) decoded {
	obj, gvk, err := strictDecoder.Decode(doc, nil, nil)
	var strictErr error
	if err != nil && runtime.IsStrictDecodingError(err) {
		strictErr = err
		obj, gvk, err = lenientDecoder.Decode(doc, nil, nil)
	}
	if err != nil {
		head := readHead(doc)
		res := &Result{ID: describeUndecodable(index, head)}
		switch {
		case runtime.IsNotRegisteredError(err):
			res.fail("unknown kind: %v (only built-in Kubernetes kinds are accepted)", err)
		case runtime.IsMissingKind(err) || runtime.IsMissingVersion(err):
			res.fail("document has no apiVersion/kind: %v", err)
		default:
			res.fail("decoding failed: %v", err)
		}
		return decoded{result: res, head: head}
	}
	if _, isList := obj.(*corev1.List); isList {
		res := &Result{ID: describeUndecodable(index, readHead(doc))}
		res.fail("v1 List is not accepted: expand its items into separate documents")
		return decoded{result: res}
	}
	accessor, ok := obj.(metav1.Object)
	if !ok {
		res := &Result{ID: describeUndecodable(index, readHead(doc))}
		res.fail("%s is not an object with metadata", gvk.Kind)
		return decoded{result: res}
	}
	o := &object{doc: index, gvk: *gvk, obj: obj, meta: accessor}
	o.result = &Result{ID: describe(o.gvk, accessor.GetNamespace(), accessor.GetName())}
	if strictErr != nil {
		o.result.fail("strict decoding failed (unknown or duplicate field): %v", strictErr)
	}
	return decoded{obj: o, result: o.result}
}

func describe(gvk schema.GroupVersionKind, namespace, name string) string {
	ref := name
	if namespace != "" {
		ref = namespace + "/" + name
	}
	return fmt.Sprintf("%s %s %s", gvk.GroupVersion().String(), gvk.Kind, ref)
}

// readHead reads only the type and name of a document, leniently, to name
// documents that do not decode. It returns nil when even that fails.
func readHead(doc []byte) *objectKey {
	var head struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil || head.Kind == "" {
		return nil
	}
	gvk := schema.FromAPIVersionAndKind(head.APIVersion, head.Kind)
	return &objectKey{group: gvk.Group, kind: head.Kind, namespace: head.Metadata.Namespace, name: head.Metadata.Name, version: gvk.Version}
}

// describeUndecodable names a document that did not decode, falling back to
// its position in the stream.
func describeUndecodable(index int, head *objectKey) string {
	if head == nil {
		return fmt.Sprintf("document %d", index+1)
	}
	gvk := schema.GroupVersionKind{Group: head.group, Version: head.version, Kind: head.kind}
	return fmt.Sprintf("%s (document %d)", describe(gvk, head.namespace, head.name), index+1)
}
