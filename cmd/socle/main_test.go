package main

import (
	"os"
	"testing"

	"github.com/socle/socle/jscodec"
)

// TestMain lets the test binary serve as its own payload decoder worker,
// as the socle binary does (the servers under test run in-process).
func TestMain(m *testing.M) {
	if jscodec.IsWorker() {
		os.Exit(jscodec.RunWorker())
	}
	os.Exit(m.Run())
}
