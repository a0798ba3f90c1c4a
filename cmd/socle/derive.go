package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/privacy"
)

// runDerive derives a dataset for opening (`socle derive --spec FILE`, or
// `--refresh ID` to run again the spec stored in a derived dataset), as
// POST /api/socle/v1/derive does; see internal/privacy and docs/privacy.md.
func runDerive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	var specPath, refresh string
	fs := flag.NewFlagSet("derive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	fs.StringVar(&specPath, "spec", "", "the derivation spec (JSON, see docs/privacy.md)")
	fs.StringVar(&refresh, "refresh", "", "derive this derived dataset again from its stored spec")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (specPath == "") == (refresh == "") {
		return errs.E(errs.Invalid, "usage: socle derive [--data DIR] [--db DSN] (--spec FILE | --refresh DATASET)")
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	var res *app.DeriveResult
	if refresh != "" {
		res, err = a.Rederive(ctx, app.System, refresh)
	} else {
		var body []byte
		if body, err = os.ReadFile(specPath); err != nil {
			return errs.Wrap(errs.Invalid, err, "cannot read %s", specPath)
		}
		var spec *privacy.Spec
		if spec, err = privacy.ParseSpec(body); err != nil {
			return err
		}
		res, err = a.Derive(ctx, app.System, spec)
	}
	var se *privacy.SecrecyError
	if errors.As(err, &se) {
		out, _ := json.MarshalIndent(se.Report, "", "  ")
		fmt.Fprintf(stderr, "refused by statistical secrecy:\n%s\n", out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: version %d, %d records\n", res.Dataset, res.Version, res.Records)
	if r := res.Secrecy; r != nil {
		fmt.Fprintf(stdout, "secrecy: %d groups, %d published, %d suppressed (threshold %d)\n", r.Groups, r.Published, r.Suppressed, r.Threshold)
	}
	return nil
}

// pseudonymKeyEnv holds the pseudonymisation key as hex (at least 64
// digits), for nodes that share one PostgreSQL database and so must share
// the key; without it the key is the file pseudonymKeyFile of the data
// directory, drawn at first use and readable by its owner only.
const (
	pseudonymKeyEnv  = "SOCLE_PSEUDONYM_KEY"
	pseudonymKeyFile = "pseudonym.key"
)

// pseudonymKeySource returns the key loader the app calls when a
// derivation pseudonymises: the key is read (or created) once.
func pseudonymKeySource(dataDir string) func() ([]byte, error) {
	return sync.OnceValues(func() ([]byte, error) {
		if s := strings.TrimSpace(os.Getenv(pseudonymKeyEnv)); s != "" {
			key, err := hex.DecodeString(s)
			if err != nil || len(key) < privacy.MinKeyBytes {
				return nil, fmt.Errorf("%s: %d hex digits or more", pseudonymKeyEnv, 2*privacy.MinKeyBytes)
			}
			return key, nil
		}
		return loadOrCreateKey(filepath.Join(dataDir, pseudonymKeyFile))
	})
}

// loadOrCreateKey reads the key file, or creates it (0600, O_EXCL so that
// two processes starting together keep one key) with a random key.
func loadOrCreateKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < privacy.MinKeyBytes {
			return nil, fmt.Errorf("%s is not a key of %d hex digits or more", path, 2*privacy.MinKeyBytes)
		}
		return key, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	key := make([]byte, privacy.MinKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadOrCreateKey(path) // another process drew it first
	} else if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}
