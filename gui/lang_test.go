package gui

import (
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
)

var desktopShortcutF = desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}

func TestLanguage(t *testing.T) {
	defer func() {
		SetLanguage(LanguageFrench)
		_ = LoadTranslations()
	}()
	for _, env := range []map[string]string{
		{"LANG": "C", "LC_ALL": "", "LANGUAGE": ""},
		{"LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8", "LANGUAGE": "en_US:en"},
		{"LANG": "de_DE.UTF-8", "LC_ALL": "", "LANGUAGE": ""},
	} {
		t.Run("French is chosen whatever the system says: "+env["LANG"], func(t *testing.T) {
			for k, v := range env {
				t.Setenv(k, v)
			}
			SetLanguage(LanguageFrench)
			if err := LoadTranslations(); err != nil {
				t.Fatal(err)
			}
			if got := lang.X("nav.users", "?"); got != "Utilisateurs" {
				t.Errorf("%q", got)
			}
			if got := lang.L("Cancel"); got != "Annuler" {
				t.Errorf("Fyne's own words are not French: %q", got)
			}
		})
	}
	t.Run("English can be chosen under a French system", func(t *testing.T) {
		t.Setenv("LANG", "fr_FR.UTF-8")
		SetLanguage("en")
		if err := LoadTranslations(); err != nil {
			t.Fatal(err)
		}
		if got := lang.X("nav.users", "?"); got != "Users" {
			t.Errorf("%q", got)
		}
		if got := lang.XN("users.count", "?", 1, count(1)); got != "1 user" {
			t.Errorf("%q", got)
		}
		if CurrentLanguage() != LanguageEnglish || os.Getenv("LC_ALL") != "en_US.UTF-8" {
			t.Errorf("language %q, LC_ALL %q", CurrentLanguage(), os.Getenv("LC_ALL"))
		}
	})
	t.Run("plurals follow French rules", func(t *testing.T) {
		SetLanguage("fr")
		if err := LoadTranslations(); err != nil {
			t.Fatal(err)
		}
		for n, want := range map[int]string{0: "0 utilisateur", 1: "1 utilisateur", 2: "2 utilisateurs", 12480: "12\u202f480 utilisateurs", 1000000: "1\u202f000\u202f000 utilisateurs"} {
			if got := lang.XN("users.count", "?", n, count(n)); got != want {
				t.Errorf("%d: %q, want %q", n, got, want)
			}
		}
	})
}

func TestFormatting(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1\u202f000", 100000: "100\u202f000", 1234567: "1\u202f234\u202f567", -4500: "-4\u202f500"} {
		if got := formatInt(n); got != want {
			t.Errorf("formatInt(%d) = %q, want %q", n, got, want)
		}
	}
	d := time.Date(2026, 11, 25, 14, 5, 0, 0, time.Local)
	if got := formatDate(d); got != "25/11/2026 14:05" {
		t.Errorf("formatDate = %q", got)
	}
	if got := formatDate(time.Time{}); got != "" {
		t.Errorf("zero date gives %q", got)
	}
}
