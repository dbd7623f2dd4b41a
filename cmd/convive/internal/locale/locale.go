// Package locale replaces a "C" or "POSIX" locale with French before Fyne starts.
//
// Fyne reads the locale from the environment while its packages are initialised, and
// logs an error for values such as C.UTF-8 (the default of many Debian systems), which
// are not language tags. Convive is French by default anyway, so this package sets such
// variables to fr_FR.UTF-8 in its init function. Importing it from package main is
// enough: packages are initialised in the order of their import paths when their own
// imports allow, and "convive/…" comes before "fyne.io/…" while this package needs
// nothing but os and strings.
package locale

import (
	"os"
	"strings"
)

// French is the locale that replaces C and POSIX.
const French = "fr_FR.UTF-8"

func init() { Normalise() }

// Normalise sets LC_ALL, LC_MESSAGES, LANG and LANGUAGE to French wherever they name
// the C or POSIX locale (C, C.UTF-8, POSIX…), and leaves real languages alone.
func Normalise() {
	for _, key := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"} {
		if IsPOSIX(os.Getenv(key)) {
			_ = os.Setenv(key, French)
		}
	}
}

// IsPOSIX reports whether value names the C or POSIX locale, with or without an
// encoding or modifier.
func IsPOSIX(value string) bool {
	name, _, _ := strings.Cut(value, ".")
	name, _, _ = strings.Cut(name, "@")
	return name == "C" || name == "POSIX"
}
