package main

import (
	_ "k8s.io/api/apps/v1"
	_ "k8s.io/apimachinery/pkg/api/validation"
	_ "k8s.io/client-go/kubernetes/scheme"
)

func main() {}
