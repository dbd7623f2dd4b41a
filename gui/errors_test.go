package gui

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"convive/core"
	"convive/translations"
)

// coreErrorCall finds the calls that build a *core.Error from a literal key and, when
// it is written as one literal, a literal French message: core.Errorf and the helpers
// of core and its adapters that take a key and a message. A message continued with +
// is built at run time and is not translated.
var coreErrorCall = regexp.MustCompile(`\b(Errorf|addrError|fileError|rootRefused|refuse|invalid)\(\s*([\w.]+,\s*)?"([^"]+)",\s*(?:frenchSpacing\.Replace\()?("(?:[^"\\]|\\.)*")?(\s*\+)?`)

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)`)

// sharedErrorKeys are keys core gives to two different sentences: one translation
// cannot fit both, so they stay French until core gives each sentence its own key.
var sharedErrorKeys = map[string]bool{
	"group.name_long": true, "import.cancelled": true, "import.no_email_column": true,
	"import.row_failed": true, "sheet.empty": true, "sheet.too_big": true,
	"sheet.truncated": true, "sheet.unreadable": true,
}

func placeholders(s string) string {
	var names []string
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func readTranslations(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := translations.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestEveryCoreErrorKeyIsTranslatedWithTheSameFields(t *testing.T) {
	fr, en := readTranslations(t, "errors.fr.json"), readTranslations(t, "errors.en.json")
	found := 0
	err := filepath.WalkDir(filepath.Join("..", "core"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		inSMTP := filepath.Base(filepath.Dir(path)) == "smtp"
		for _, m := range coreErrorCall.FindAllStringSubmatch(string(src), -1) {
			helper, code, key, literal := m[1], m[2], m[3], m[4]
			if m[5] != "" {
				continue // a sentence built at run time stays French
			}
			if (helper == "Errorf") != (code != "") {
				continue // fmt.Errorf, or a helper called with something else first
			}
			if helper == "invalid" {
				if !inSMTP {
					continue
				}
				key = "smtp.config." + key
			}
			if sharedErrorKeys[key] {
				continue
			}
			found++
			id := "error." + key
			frText, okFR := fr[id].(string)
			enText, okEN := en[id].(string)
			if !okFR || !okEN {
				t.Errorf("%s: %q has no text in errors.fr.json (%v) or errors.en.json (%v)", path, id, okFR, okEN)
				continue
			}
			want := placeholders(frText)
			if literal != "" {
				message, err := strconv.Unquote(literal)
				if err != nil {
					t.Fatalf("%s: %s: %v", path, literal, err)
				}
				want = placeholders(message)
				if got := placeholders(frText); got != want {
					t.Errorf("%s: errors.fr.json %q uses {{.%s}}, the message in core uses {{.%s}}", path, id, got, want)
				}
			}
			if got := placeholders(enText); got != want {
				t.Errorf("%s: errors.en.json %q uses {{.%s}}, the French message uses {{.%s}}", path, id, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 100 {
		t.Errorf("only %d error keys found in core: the scan no longer matches how errors are built", found)
	}
}

func TestAnAddressErrorIsShownInTheWindowLanguage(t *testing.T) {
	_, err := core.ParseAddress("jean@")
	var e *core.Error
	if !errors.As(err, &e) || e.Key == "" {
		t.Fatalf("ParseAddress(\"jean@\") gave %v, not a *core.Error with a key", err)
	}
	defer func() {
		SetLanguage(LanguageFrench)
		_ = LoadTranslations()
	}()

	SetLanguage(LanguageEnglish)
	if err := LoadTranslations(); err != nil {
		t.Fatal(err)
	}
	got := errorText(err)
	if got == e.Error() || !strings.Contains(got, "“jean@”") || !strings.Contains(got, "not a valid address") {
		t.Errorf("in English the error reads %q", got)
	}
	if got := messageText(err); got != errorText(err) {
		t.Errorf("the importer's text %q differs from the dialog's", got)
	}

	SetLanguage(LanguageFrench)
	if err := LoadTranslations(); err != nil {
		t.Fatal(err)
	}
	if got := errorText(err); got != e.Error() {
		t.Errorf("in French the error reads %q, the core says %q", got, e.Error())
	}
}

func TestAnErrorWithoutTranslationStaysFrenchInEnglish(t *testing.T) {
	defer func() {
		SetLanguage(LanguageFrench)
		_ = LoadTranslations()
	}()
	SetLanguage(LanguageEnglish)
	if err := LoadTranslations(); err != nil {
		t.Fatal(err)
	}
	e := core.Errorf(core.EInternal, "smtp.rejected", "Le serveur a répondu {{ 550 }} : adresse refusée.", nil)
	if got := errorText(e); got != e.Error() {
		t.Errorf("%q, want the French sentence as it is: %q", got, e.Error())
	}
}

func TestErrorTranslationFilesHaveTheSameKeysAndNoneOfTheWindows(t *testing.T) {
	fr, en := readTranslations(t, "errors.fr.json"), readTranslations(t, "errors.en.json")
	windows := readTranslations(t, "fr.json")
	for k := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in errors.fr.json but not in errors.en.json", k)
		}
		if _, ok := windows[k]; ok {
			t.Errorf("%q is both in errors.fr.json and in fr.json: one would hide the other", k)
		}
		if !strings.HasPrefix(k, "error.") {
			t.Errorf("%q does not start with error.", k)
		}
	}
	for k := range en {
		if _, ok := fr[k]; !ok {
			t.Errorf("%q is in errors.en.json but not in errors.fr.json", k)
		}
	}
}
