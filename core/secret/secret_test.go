package secret

import (
	"errors"
	"testing"

	"github.com/zalando/go-keyring"
)

// This test runs first, before the others replace the keyring with go-keyring's mock.
func TestTheRealKeyringKeepsAndForgetsAPasswordWhenOneIsAvailable(t *testing.T) {
	account := Account("test-convive", "keyring.test.invalid")
	err := Store(account, "mot de passe é")
	if IsNoKeyring(err) {
		t.Skipf("no OS keyring on this machine (%v): the fallback is tested below", errors.Unwrap(err))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Delete(account) })
	got, err := Load(account)
	if err != nil || got != "mot de passe é" {
		t.Fatalf("Load = %q, %v", got, err)
	}
	if err := Delete(account); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(account); !IsNotFound(err) {
		t.Fatalf("after Delete, Load gives %v, want ErrNotFound", err)
	}
}

func TestWithoutAKeyringStoreAndLoadSaySoInFrench(t *testing.T) {
	t.Setenv(EnvPassword, "")
	keyring.MockInitWithError(errors.New("org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(keyring.MockInit)
	err := Store("a", "b")
	if !IsNoKeyring(err) {
		t.Fatalf("Store without keyring: %v, want ErrNoKeyring", err)
	}
	if want := "Aucun trousseau"; err.Error()[:len(want)] != want {
		t.Errorf("message %q is not the French sentence", err.Error())
	}
	if _, err := Load("a"); !IsNoKeyring(err) {
		t.Fatalf("Load without keyring: %v, want ErrNoKeyring", err)
	}
}

func TestWithoutAKeyringThePasswordGivenThisSessionIsKeptInMemoryOnly(t *testing.T) {
	t.Setenv(EnvPassword, "")
	keyring.MockInitWithError(errors.New("dbus: DBUS_SESSION_BUS_ADDRESS not set"))
	t.Cleanup(keyring.MockInit)
	acc := Account("formation", "smtp.exemple.fr")
	if _, _, err := Password(acc); !IsNoKeyring(err) {
		t.Fatalf("before anything is given: %v, want ErrNoKeyring so that the caller asks", err)
	}
	Remember(acc, "secret du jour")
	t.Cleanup(func() { Forget(acc) })
	pw, src, err := Password(acc)
	if err != nil || pw != "secret du jour" || src != FromSession {
		t.Fatalf("Password = %q, %q, %v", pw, src, err)
	}
	Forget(acc)
	if _, _, err := Password(acc); err == nil {
		t.Fatal("a forgotten password is still given")
	}
}

func TestTheEnvironmentVariableWinsOverTheKeyring(t *testing.T) {
	keyring.MockInit()
	acc := Account("formation", "smtp.exemple.fr")
	if err := Store(acc, "dans le trousseau"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvPassword, "")
	pw, src, err := Password(acc)
	if err != nil || pw != "dans le trousseau" || src != FromKeyring {
		t.Fatalf("without the variable: %q, %q, %v", pw, src, err)
	}
	t.Setenv(EnvPassword, "pour les envois programmés")
	pw, src, err = Password(acc)
	if err != nil || pw != "pour les envois programmés" || src != FromEnv {
		t.Fatalf("with the variable: %q, %q, %v", pw, src, err)
	}
}

func TestAMissingPasswordIsNotFoundAndDeletingItIsNoError(t *testing.T) {
	keyring.MockInit()
	t.Setenv(EnvPassword, "")
	if _, _, err := Password(Account("personne", "smtp.exemple.fr")); !IsNotFound(err) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if err := Delete(Account("personne", "smtp.exemple.fr")); err != nil {
		t.Fatalf("Delete of nothing: %v", err)
	}
}
