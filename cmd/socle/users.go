package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
)

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("usage: socle user add --login L --role ROLE [--org ORG] [--password-stdin]")
	}
	var sf storeFlags
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	login := fs.String("login", "", "login (required)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "admin, steward, producer, agent or partner (required)")
	org := fs.String("org", "", "organization ID")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	password := ""
	if *pwStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if password == "" {
			return fmt.Errorf("empty password on standard input")
		}
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	u := &auth.User{Login: *login, Name: *name, Role: auth.Role(*role), Org: *org}
	if err := a.AddUser(ctx, u, password); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s created (id %d, role %s)\n", u.Login, u.ID, u.Role)
	return nil
}

func runAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		return fmt.Errorf("usage: socle apikey create --login L [--label TEXT] | socle apikey revoke --key KEY")
	}
	var sf storeFlags
	fs := flag.NewFlagSet("apikey "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	login := fs.String("login", "", "user login")
	label := fs.String("label", "", "what the key is for")
	key := fs.String("key", "", "the key to revoke")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "revoke" {
		if err := a.RevokeAPIKey(ctx, *key); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "key revoked")
		return nil
	}
	k, _, err := a.CreateAPIKey(ctx, *login, *label)
	if err != nil {
		return err
	}
	// Printed once: only its hash is stored.
	fmt.Fprintln(stdout, k)
	return nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	id := fs.String("dataset", "", "dataset ID (required)")
	version := fs.Int("version", 0, "version to restore (default: the previous one)")
	from := fs.String("from", "", "restore the whole platform from this backup archive into an empty instance (socle backup)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from != "" {
		return runPlatformRestore(ctx, sf, *from, stdout)
	}
	a, err := sf.open(ctx, quietLogger())
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Restore(ctx, app.System, *id, *version); err != nil {
		return err
	}
	if err := a.RefreshCatalog(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "dataset "+*id+" restored"+versionSuffix(*version))
	return nil
}

func versionSuffix(v int) string {
	if v == 0 {
		return " to its previous version"
	}
	return " to version " + strconv.Itoa(v)
}
