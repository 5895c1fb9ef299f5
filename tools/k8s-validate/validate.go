package main

import (
	"fmt"
	"io"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Options tune the policy checks that go beyond what the API server enforces.
type Options struct {
	// RequirePinnedImages fails images without a tag, tagged :latest, or
	// without a digest when set (for release overlays).
	RequirePinnedImages bool
}

// Result is the outcome for one object (or one undecodable document).
type Result struct {
	ID     string
	Errors []string
	Notes  []string
}

func (r *Result) OK() bool { return len(r.Errors) == 0 }

func (r *Result) fail(format string, args ...any) {
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}

// note records something worth knowing that is not an error, once.
func (r *Result) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !slices.Contains(r.Notes, msg) {
		r.Notes = append(r.Notes, msg)
	}
}

func (r *Result) addAll(errs field.ErrorList) {
	for _, err := range errs {
		r.Errors = append(r.Errors, err.Error())
	}
}

// Report holds one Result per document, in input order.
type Report struct {
	Results []*Result
}

func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if !res.OK() {
			n++
		}
	}
	return n
}

// Validate decodes every document of a multi-document YAML stream strictly
// against the Kubernetes API types, then runs per-object and cross-object
// checks. An error is returned only when the stream itself cannot be read.
func Validate(r io.Reader, opts Options) (*Report, error) {
	docs, err := readDocuments(r)
	if err != nil {
		return nil, err
	}
	report := &Report{}
	var objects []*object
	var undecodable []objectKey
	for i, doc := range docs {
		d := decodeDocument(i, doc)
		report.Results = append(report.Results, d.result)
		switch {
		case d.obj != nil:
			objects = append(objects, d.obj)
		case d.head != nil:
			undecodable = append(undecodable, *d.head)
		}
	}

	idx := newIndex(objects, undecodable)
	for _, o := range objects {
		checkMeta(o)
	}
	idx.checkDuplicates()
	for _, w := range idx.workloads {
		checkWorkload(idx, w, opts)
	}
	for _, o := range objects {
		checkCrossReferences(idx, o)
	}
	return report, nil
}
