package storetest

import "testing"

// runTimeSeries runs its capability's conformance tests.
func runTimeSeries(t *testing.T, fresh func(t *testing.T) Store) {}
