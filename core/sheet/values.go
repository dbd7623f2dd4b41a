package sheet

import (
	"strings"

	"convive/core"
)

// ParseLanguage reads a language cell through core.ParseLanguage, the one reader of
// languages (the template's dropdown words, the codes, the English names). An empty
// cell gives ("", true): no language given. ok is false for anything else.
func ParseLanguage(cell string) (core.Language, bool) {
	if strings.TrimSpace(cell) == "" {
		return "", true
	}
	return core.ParseLanguage(cell)
}

// ParseRole reads a role cell through core.ParseRole. An empty cell gives ("", true).
// ok is false for anything else.
func ParseRole(cell string) (core.Role, bool) {
	if strings.TrimSpace(cell) == "" {
		return "", true
	}
	return core.ParseRole(cell)
}
