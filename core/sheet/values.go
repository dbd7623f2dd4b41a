package sheet

import (
	"strings"

	"convive/core"
)

// languageWords are the folded cell values read as each language: the template's
// dropdown words, the codes, and their English names.
var languageWords = map[string]core.Language{
	"fr": core.LangFR, "francais": core.LangFR, "french": core.LangFR, "fra": core.LangFR, "fre": core.LangFR,
	"fr fr": core.LangFR, "fr be": core.LangFR, "fr ch": core.LangFR, "fr ca": core.LangFR,
	"en": core.LangEN, "anglais": core.LangEN, "english": core.LangEN, "eng": core.LangEN,
	"en gb": core.LangEN, "en us": core.LangEN,
}

// roleWords are the folded cell values read as each role.
var roleWords = map[string]core.Role{
	"apprenant": core.RoleLearner, "apprenante": core.RoleLearner, "apprenants": core.RoleLearner, "learner": core.RoleLearner, "student": core.RoleLearner,
	"formateur": core.RoleCoach, "formatrice": core.RoleCoach, "formateurs": core.RoleCoach, "coach": core.RoleCoach, "trainer": core.RoleCoach,
	"tuteur": core.RoleCoach, "tutrice": core.RoleCoach, "instructor": core.RoleCoach, "teacher": core.RoleCoach,
	"administrateur": core.RoleAdmin, "administratrice": core.RoleAdmin, "administrateurs": core.RoleAdmin, "admin": core.RoleAdmin, "administrator": core.RoleAdmin,
}

// ParseLanguage reads a language cell: "Français"/"Anglais" as the template offers
// them, the codes fr/en, the English names, whatever the case and accents. An empty
// cell gives ("", true): no language given. ok is false for anything else.
func ParseLanguage(cell string) (core.Language, bool) {
	k := headerKey(cell)
	if k == "" {
		return "", true
	}
	l, ok := languageWords[k]
	return l, ok
}

// ParseRole reads a role cell: Apprenant/Formateur/Administrateur as the template
// offers them, their feminine forms and English names, whatever the case and
// accents. An empty cell gives ("", true). ok is false for anything else.
func ParseRole(cell string) (core.Role, bool) {
	k := headerKey(cell)
	if k == "" {
		return "", true
	}
	if r, ok := roleWords[k]; ok {
		return r, true
	}
	// the stored codes themselves
	for _, r := range core.Roles {
		if k == strings.ToLower(string(r)) {
			return r, true
		}
	}
	return "", false
}
