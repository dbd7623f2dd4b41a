package gui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"convive/translations"
)

// usedKey is one lang.X or lang.XN call found in the sources.
type usedKey struct {
	key, fallback string
	plural        bool
	where         string
}

// usedKeys parses the package's Go files (tests aside) and returns every translation
// key passed as a string literal to lang.X or lang.XN.
func usedKeys(t *testing.T) []usedKey {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var keys []usedKey
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || pkg.Name != "lang" {
				return true
			}
			where := fset.Position(call.Pos()).String()
			switch sel.Sel.Name {
			case "X", "XN":
			case "L", "N", "Localize", "LocalizePlural":
				t.Errorf("%s: lang.%s has no key; use lang.X or lang.XN", where, sel.Sel.Name)
				return true
			default:
				return true
			}
			if len(call.Args) < 2 {
				t.Errorf("%s: lang.%s needs a key and a French fallback", where, sel.Sel.Name)
				return true
			}
			k, errK := literal(call.Args[0])
			fb, errF := literal(call.Args[1])
			if errK != nil || errF != nil {
				t.Errorf("%s: the key and the fallback of lang.%s must be string literals", where, sel.Sel.Name)
				return true
			}
			keys = append(keys, usedKey{key: k, fallback: fb, plural: sel.Sel.Name == "XN", where: where})
			return true
		})
	}
	if len(keys) < 50 {
		t.Fatalf("only %d translation keys found in the sources: the parser misses calls", len(keys))
	}
	return keys
}

func literal(e ast.Expr) (string, error) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", strconv.ErrSyntax
	}
	return strconv.Unquote(b.Value)
}

// templateAction matches {{.Field}}, left out of the typography checks.
var templateAction = regexp.MustCompile(`\{\{[^}]*\}\}`)

// loadMessages reads one translation file: plain strings, or plural objects.
func loadMessages(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := translations.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s is not valid JSON: %v", name, err)
	}
	return m
}

func TestTranslations(t *testing.T) {
	keys := usedKeys(t)
	files := map[string]map[string]any{
		"fr.json": loadMessages(t, "fr.json"),
		"en.json": loadMessages(t, "en.json"),
	}

	t.Run("every key used in the sources exists in both files with the right form", func(t *testing.T) {
		for _, k := range keys {
			for name, m := range files {
				v, ok := m[k.key]
				if !ok {
					t.Errorf("%s: key %q is missing from %s", k.where, k.key, name)
					continue
				}
				obj, isPlural := v.(map[string]any)
				if k.plural != isPlural {
					t.Errorf("%s: key %q is used with lang.X%s but is %s in %s", k.where, k.key,
						map[bool]string{true: "N", false: ""}[k.plural], map[bool]string{true: "a plural object", false: "a string"}[isPlural], name)
				}
				if isPlural {
					if _, ok := obj["one"]; !ok {
						t.Errorf("%s: plural key %q has no \"one\" form", name, k.key)
					}
					if _, ok := obj["other"]; !ok {
						t.Errorf("%s: plural key %q has no \"other\" form", name, k.key)
					}
					// French has a "many" form (1 000 000 utilisateurs); without it
					// Fyne shows the bare fallback.
					if _, ok := obj["many"]; !ok && name == "fr.json" {
						t.Errorf("%s: plural key %q has no \"many\" form", name, k.key)
					}
				}
			}
		}
	})

	t.Run("the French file says what the French fallback in the code says", func(t *testing.T) {
		for _, k := range keys {
			v := files["fr.json"][k.key]
			if obj, ok := v.(map[string]any); ok {
				v = obj["other"]
			}
			if s, _ := v.(string); s != "" && s != k.fallback {
				t.Errorf("%s: key %q: fr.json says %q, the code falls back to %q", k.where, k.key, s, k.fallback)
			}
		}
	})

	t.Run("both files have the same keys and no key is left unused", func(t *testing.T) {
		used := map[string]bool{}
		for _, k := range keys {
			used[k.key] = true
		}
		for name, m := range files {
			var extra []string
			for k := range m {
				if !used[k] {
					extra = append(extra, k)
				}
			}
			sort.Strings(extra)
			if len(extra) > 0 {
				t.Errorf("%s has keys no code uses: %v", name, extra)
			}
		}
		for k := range files["fr.json"] {
			if _, ok := files["en.json"][k]; !ok {
				t.Errorf("key %q is in fr.json but not in en.json", k)
			}
		}
		for k := range files["en.json"] {
			if _, ok := files["fr.json"][k]; !ok {
				t.Errorf("key %q is in en.json but not in fr.json", k)
			}
		}
	})

	t.Run("French texts follow French typography", func(t *testing.T) {
		bad := []struct {
			re   *regexp.Regexp
			what string
		}{
			{regexp.MustCompile(`[^\x{00a0}\x{202f}{ ][:;!?](\s|$)`), "a no-break space is needed before : ; ! ?"},
			{regexp.MustCompile(` [:;!?]`), "the space before : ; ! ? must be a no-break space (U+00A0)"},
			{regexp.MustCompile(`«[^\x{00a0}]`), "« must be followed by a no-break space"},
			{regexp.MustCompile(`[^\x{00a0}]»`), "» must be preceded by a no-break space"},
			{regexp.MustCompile(`(?i)(^|[^-\pL])e?mails?\b`), "write « e-mail »"},
			{regexp.MustCompile(`\(s\)`), "use a plural form, never (s)"},
		}
		for _, k := range keys {
			var texts []string
			switch v := files["fr.json"][k.key].(type) {
			case string:
				texts = append(texts, v)
			case map[string]any:
				for _, f := range v {
					s, _ := f.(string)
					texts = append(texts, s)
				}
			}
			for _, s := range texts {
				s = templateAction.ReplaceAllString(s, "X")
				for _, b := range bad {
					if b.re.MatchString(s) {
						t.Errorf("fr.json %q: %s: %q", k.key, b.what, s)
					}
				}
			}
		}
	})
}
