package locale

import (
	"os"
	"testing"
)

func TestIsPOSIX(t *testing.T) {
	for value, want := range map[string]bool{
		"C": true, "C.UTF-8": true, "C.utf8": true, "POSIX": true, "C@euro": true,
		"": false, "fr_FR.UTF-8": false, "en_US.UTF-8": false, "Ca": false, "fr": false,
	} {
		if got := IsPOSIX(value); got != want {
			t.Errorf("IsPOSIX(%q) = %v, want %v", value, got, want)
		}
	}
}

func TestNormaliseTurnsCIntoFrenchAndKeepsRealLanguages(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "C.UTF-8")
	t.Setenv("LANG", "en_GB.UTF-8")
	t.Setenv("LANGUAGE", "POSIX")
	Normalise()
	for key, want := range map[string]string{"LC_ALL": "", "LC_MESSAGES": French, "LANG": "en_GB.UTF-8", "LANGUAGE": French} {
		if got := os.Getenv(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}
