// Package secret keeps the SMTP password out of the database and out of every file: in
// the OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on
// Windows) through github.com/zalando/go-keyring, under the service "convive".
//
// Where no keyring is available (no D-Bus Secret Service, as on a headless server),
// Store and Load fail with ErrNoKeyring; the caller then asks the manager once per
// session and keeps the password in memory only (Remember). For scheduled sending, the
// environment variable CONVIVE_SMTP_PASSWORD wins over everything (Password).
package secret

import (
	"errors"
	"os"
	"sync"
	"time"

	"convive/core"

	"github.com/zalando/go-keyring"
)

// Service is the keyring service name the password is filed under.
const Service = "convive"

// EnvPassword is the environment variable whose value, when set, is the SMTP password.
const EnvPassword = "CONVIVE_SMTP_PASSWORD"

// timeout bounds a keyring call: a Secret Service that never answers must not hang
// the window or a scheduled command.
const timeout = 10 * time.Second

// ErrNoKeyring says that no OS keyring can be used here. Callers fall back to asking
// for the password each session, or to CONVIVE_SMTP_PASSWORD.
var ErrNoKeyring = core.Errorf(core.EInvalid, "secret.no_keyring",
	"Aucun trousseau de mots de passe n'est disponible sur cet ordinateur (service Secret Service absent)\u00a0: le mot de passe SMTP ne peut pas y être enregistré. Saisissez-le à chaque session, ou donnez-le dans la variable d'environnement CONVIVE_SMTP_PASSWORD pour les envois programmés.", nil)

// ErrNotFound says that the keyring holds no password for the account.
var ErrNotFound = core.Errorf(core.ENotFound, "secret.not_found",
	"Aucun mot de passe SMTP n'est enregistré pour ce compte\u00a0: saisissez-le dans les réglages d'envoi.", nil)

// Account names the keyring entry of an SMTP user on a server.
func Account(user, host string) string { return "smtp:" + user + "@" + host }

// call runs f with the time-out and maps go-keyring's errors to ours.
func call(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		return noKeyring(errors.New("the keyring did not answer within 10 seconds"))
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	}
	return noKeyring(err)
}

func noKeyring(cause error) error { return ErrNoKeyring.Wrap(cause) }

// IsNoKeyring reports whether err says that no keyring is available.
func IsNoKeyring(err error) bool {
	var e *core.Error
	return errors.As(err, &e) && e.Key == ErrNoKeyring.Key
}

// IsNotFound reports whether err says that no password is stored for the account.
func IsNotFound(err error) bool {
	var e *core.Error
	return errors.As(err, &e) && e.Key == ErrNotFound.Key
}

// Store files password under account in the OS keyring.
func Store(account, password string) error {
	return call(func() error { return keyring.Set(Service, account, password) })
}

// Load returns the password filed under account, ErrNotFound when there is none, or
// ErrNoKeyring.
func Load(account string) (string, error) {
	var pw string
	err := call(func() error {
		var err error
		pw, err = keyring.Get(Service, account)
		return err
	})
	return pw, err
}

// Delete removes the password filed under account; a missing one is not an error.
func Delete(account string) error {
	err := call(func() error { return keyring.Delete(Service, account) })
	if IsNotFound(err) {
		return nil
	}
	return err
}

// session holds passwords given during this session when no keyring exists; never
// written anywhere.
var session = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// Remember keeps password in memory for the rest of the session.
func Remember(account, password string) {
	session.Lock()
	defer session.Unlock()
	session.m[account] = password
}

// Forget drops the password kept in memory for account.
func Forget(account string) {
	session.Lock()
	defer session.Unlock()
	delete(session.m, account)
}

// Source says where a password came from.
type Source string

// Sources of a password.
const (
	FromEnv     Source = "env"     // CONVIVE_SMTP_PASSWORD
	FromKeyring Source = "keyring" // the OS keyring
	FromSession Source = "session" // given by the manager during this session
)

// Password returns the password for account and where it came from:
// CONVIVE_SMTP_PASSWORD when set and not empty, else the OS keyring, else the one remembered for this
// session. With none, the error is ErrNotFound, or ErrNoKeyring when there is no
// keyring to look in (the caller then asks the manager).
func Password(account string) (string, Source, error) {
	if pw := os.Getenv(EnvPassword); pw != "" {
		return pw, FromEnv, nil
	}
	pw, err := Load(account)
	if err == nil {
		return pw, FromKeyring, nil
	}
	session.Lock()
	mem, ok := session.m[account]
	session.Unlock()
	if ok {
		return mem, FromSession, nil
	}
	return "", "", err
}
