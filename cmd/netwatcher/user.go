package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/users"
)

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: netwatcher user create --email EMAIL --password PASSWORD [--name NAME]")
	}
	fs := flag.NewFlagSet("netwatcher user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vals := config.Register(fs, os.Getenv)
	email := fs.String("email", "", "email address of the new user (required)")
	password := fs.String("password", "", "password, at least 8 characters (required)")
	name := fs.String("name", "", "display name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || *password == "" {
		return errors.New("--email and --password are required")
	}
	cfg, err := vals.Resolve()
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	u, err := users.Create(ctx, db, users.NewUser{Email: *email, Password: *password, Name: *name})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "created user %d <%s>\n", u.ID, u.Email)
	return err
}
