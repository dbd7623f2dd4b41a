// Package translations embeds the French and English texts of Convive's windows.
// The files follow go-i18n's JSON format (a plural message is an object with "one" and
// "other"); Fyne loads them with lang.AddTranslationsFS(FS, ".").
package translations

import "embed"

// FS holds fr.json and en.json.
//
//go:embed *.json
var FS embed.FS
