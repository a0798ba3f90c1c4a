package storetest

import "testing"

// runNGSILD runs its capability's conformance tests.
func runNGSILD(t *testing.T, fresh func(t *testing.T) Store) {}
