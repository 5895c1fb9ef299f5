//go:build tools

// Package tools pins the OpenFGA CLI (`fga`), which runs the authorization model's
// tests in `make test`; `go build` here builds exactly the version in go.mod.
package tools

import _ "github.com/openfga/cli/cmd/fga"
