// Package translations embeds the French and English texts of Convive's windows.
// The files follow go-i18n's JSON format (a plural message is an object with "one" and
// "other"); gui.LoadTranslations hands each of them to Fyne. fr.json and en.json hold
// the windows' own texts, errors.fr.json and errors.en.json the sentences of the core's
// errors, keyed "error.<key>".
package translations

import "embed"

// FS holds every translation file of the folder.
//
//go:embed *.json
var FS embed.FS
