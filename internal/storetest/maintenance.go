package storetest

import "testing"

// runMaintenance runs its capability's conformance tests.
func runMaintenance(t *testing.T, fresh func(t *testing.T) Store) {}
