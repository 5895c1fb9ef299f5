// Command k8s-validate checks rendered Kubernetes manifests offline.
//
// It reads multi-document YAML (the output of `kustomize build`) from stdin or
// from the files named as arguments, decodes every object strictly into the
// Kubernetes Go API types (unknown kinds, unknown fields and wrong types
// fail), runs the API server's metadata validation, and adds the checks a
// schema cannot express: probes and resource limits on long-running
// containers, selectors that match their pod templates, Service target ports
// that exist, references to ConfigMaps, ServiceAccounts and scale targets that
// resolve.
//
// Exit status: 0 all objects valid, 1 some object invalid, 2 usage or I/O error.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("k8s-validate", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var opts Options
	flags.BoolVar(&opts.RequirePinnedImages, "require-pinned-images", false, "fail images that are untagged, tagged latest, or lack a digest")
	label := flags.String("label", "", "name of the input shown in the summary (e.g. the overlay path)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: kustomize build DIR | k8s-validate [flags]\n       k8s-validate [flags] FILE...")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}

	input := stdin
	if flags.NArg() > 0 {
		var buf bytes.Buffer
		for _, name := range flags.Args() {
			data, err := os.ReadFile(name)
			if err != nil {
				fmt.Fprintf(stderr, "k8s-validate: %v\n", err)
				return 2
			}
			buf.Write(data)
			buf.WriteString("\n---\n")
		}
		input = &buf
	}

	report, err := Validate(input, opts)
	if err != nil {
		fmt.Fprintf(stderr, "k8s-validate: %v\n", err)
		return 2
	}
	name := *label
	switch {
	case name != "":
	case flags.NArg() > 0:
		name = strings.Join(flags.Args(), " ")
	default:
		name = "stdin"
	}
	if len(report.Results) == 0 {
		fmt.Fprintf(stderr, "k8s-validate: %s: no Kubernetes objects found (empty input?)\n", name)
		return 1
	}

	for _, res := range report.Results {
		if res.OK() {
			fmt.Fprintf(stdout, "ok  %s\n", res.ID)
		} else {
			fmt.Fprintf(stdout, "FAIL %s\n", res.ID)
			for _, msg := range res.Errors {
				fmt.Fprintf(stdout, "      error: %s\n", msg)
			}
		}
		for _, msg := range res.Notes {
			fmt.Fprintf(stdout, "      note: %s\n", msg)
		}
	}
	failed := report.Failed()
	fmt.Fprintf(stdout, "%s: %d objects, %d valid, %d invalid\n", name, len(report.Results), len(report.Results)-failed, failed)
	if failed > 0 {
		fmt.Fprintf(stderr, "k8s-validate: %s: %d of %d objects are invalid (see FAIL lines above)\n", name, failed, len(report.Results))
		return 1
	}
	return 0
}
