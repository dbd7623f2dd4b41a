package sheet

import (
	"testing"

	"convive/core"
)

func TestLanguageAndRoleCellsAreRead(t *testing.T) {
	t.Run("every value the template's dropdowns offer is understood", func(t *testing.T) {
		for i, v := range TemplateLanguages() {
			if l, ok := ParseLanguage(v); !ok || l != core.Languages[i] {
				t.Errorf("%q reads as %q, %v", v, l, ok)
			}
		}
		for i, v := range TemplateRoles() {
			if r, ok := ParseRole(v); !ok || r != core.Roles[i] {
				t.Errorf("%q reads as %q, %v", v, r, ok)
			}
		}
	})
	for in, want := range map[string]core.Language{"fr": core.LangFR, " FRANCAIS ": core.LangFR, "French": core.LangFR, "fr-FR": core.LangFR,
		"EN": core.LangEN, "anglais": core.LangEN, "English": core.LangEN, "en_GB": core.LangEN, "": ""} {
		if l, ok := ParseLanguage(in); !ok || l != want {
			t.Errorf("language %q reads as %q, %v; want %q", in, l, ok, want)
		}
	}
	for _, bad := range []string{"allemand", "de", "f r"} {
		if _, ok := ParseLanguage(bad); ok {
			t.Errorf("language %q is accepted", bad)
		}
	}
	for in, want := range map[string]core.Role{"formatrice": core.RoleCoach, "ADMIN": core.RoleAdmin, "Learner": core.RoleLearner, "coach": core.RoleCoach, "  ": ""} {
		if r, ok := ParseRole(in); !ok || r != want {
			t.Errorf("role %q reads as %q, %v; want %q", in, r, ok, want)
		}
	}
	if _, ok := ParseRole("directeur"); ok {
		t.Error("role directeur is accepted")
	}
}
