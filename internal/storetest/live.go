package storetest

import "testing"

// runLive runs its capability's conformance tests.
func runLive(t *testing.T, fresh func(t *testing.T) Store) {}
