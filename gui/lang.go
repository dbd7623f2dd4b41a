package gui

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"convive/translations"
)

// Language codes accepted by SetLanguage and stored in the "ui.language" setting.
const (
	LanguageFrench  = "fr"
	LanguageEnglish = "en"
)

// SettingLanguage and SettingWindow are the settings keys the window reads and writes.
const (
	SettingLanguage = "ui.language"
	SettingWindow   = "ui.window"
)

// current is the language last given to SetLanguage; chosen tells whether it was called.
var (
	current = LanguageFrench
	chosen  bool
)

// SetLanguage chooses the language of the windows: "en" for English, anything else for
// French. Fyne reads the language from the environment when translations are loaded
// (LC_ALL first, then LANGUAGE, then LANG) and has no setter, so all three are set here,
// overriding whatever the system says (LANG=C included). Call LoadTranslations after it.
func SetLanguage(code string) {
	locale := "fr_FR.UTF-8"
	current, chosen = LanguageFrench, true
	if strings.EqualFold(strings.TrimSpace(code), LanguageEnglish) {
		locale = "en_US.UTF-8"
		current = LanguageEnglish
	}
	for _, k := range []string{"LC_ALL", "LANGUAGE", "LANG"} {
		_ = os.Setenv(k, locale)
	}
}

// CurrentLanguage returns the language last chosen with SetLanguage ("fr" or "en").
func CurrentLanguage() string { return current }

// LoadTranslations loads Convive's texts into Fyne and picks the language set by
// SetLanguage (French when it was never called). It may be called again after
// SetLanguage to switch language; windows built afterwards use the new one.
//
// The files are added one by one: lang.AddTranslationsFS(translations.FS, ".") would
// look for "./fr.json", a path embed.FS refuses.
func LoadTranslations() error {
	if !chosen {
		SetLanguage(LanguageFrench)
	}
	files, err := translations.FS.ReadDir(".")
	if err != nil {
		return fmt.Errorf("reading the embedded translations: %w", err)
	}
	for _, f := range files {
		data, err := translations.FS.ReadFile(f.Name())
		if err != nil {
			return fmt.Errorf("reading translation %s: %w", f.Name(), err)
		}
		if err := lang.AddTranslations(fyne.NewStaticResource(f.Name(), data)); err != nil {
			return fmt.Errorf("loading translation %s: %w", f.Name(), err)
		}
	}
	return nil
}

// formatInt writes n the French way, 100 000 with a narrow no-break space between
// groups of three digits, or the English way, 100,000.
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := "\u202f"
	if current == LanguageEnglish {
		sep = ","
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatDate writes a moment in local time, 25/11/2026 14:05, or "" for the zero time.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("02/01/2006 15:04")
}

// count returns the template data of a plural message: N is the formatted number.
func count(n int) map[string]any { return map[string]any{"N": formatInt(n)} }
