package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// result is what a person sees after one command.
type result struct {
	code           int
	stdout, stderr string
}

// convive runs the command line in-process, as `convive ARGS…` would.
func convive(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// tempDB returns a database path in a fresh temporary folder, not created yet.
func tempDB(t *testing.T) string {
	t.Helper()
	t.Setenv(envDB, "") // a CONVIVE_DB of the machine must not leak into a test
	return filepath.Join(t.TempDir(), "convive.db")
}

// must runs a command that has to succeed and returns its output.
func must(t *testing.T, args ...string) string {
	t.Helper()
	r := convive(t, args...)
	if r.code != exitOK {
		t.Fatalf("convive %s: exit %d, stderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Fatalf("convive %s wrote to stderr:\n%s", strings.Join(args, " "), r.stderr)
	}
	return r.stdout
}

// fails runs a command that has to fail with code and returns its stderr.
func fails(t *testing.T, code int, args ...string) string {
	t.Helper()
	r := convive(t, args...)
	if r.code != code {
		t.Fatalf("convive %s: exit %d, want %d; stdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "Erreur\u00a0: ") {
		t.Fatalf("convive %s: stderr does not start with a French error:\n%s", strings.Join(args, " "), r.stderr)
	}
	if strings.Contains(r.stderr, " :") {
		t.Errorf("convive %s: a colon lacks its no-break space:\n%s", strings.Join(args, " "), r.stderr)
	}
	return r.stderr
}

func decodeJSON(t *testing.T, s string) []map[string]any {
	t.Helper()
	var v []map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("output is not a JSON list of objects: %v\n%s", err, s)
	}
	return v
}

func decodeCSV(t *testing.T, s string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, s)
	}
	return recs
}

// assertAligned checks that every row of a table starts its cells where the header
// titles start.
func assertAligned(t *testing.T, table string, titles ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	header := lines[0]
	var starts []int
	for _, title := range titles {
		i := strings.Index(header, title)
		if i < 0 {
			t.Fatalf("table header %q lacks %q", header, title)
		}
		starts = append(starts, utf8.RuneCountInString(header[:i]))
	}
	for _, line := range lines[1:] {
		if !strings.Contains(line, "  ") { // the summary line below the table
			continue
		}
		runes := []rune(line)
		for _, s := range starts[1:] {
			emptyCell := s+1 < len(runes) && runes[s] == ' ' && runes[s+1] == ' '
			if s >= len(runes) || runes[s-1] != ' ' || (runes[s] == ' ' && !emptyCell) {
				t.Errorf("column at %d is not aligned in line %q of\n%s", s, line, table)
			}
		}
	}
}

func TestGroups(t *testing.T) {
	db := tempDB(t)

	t.Run("adding a path creates the missing parents", func(t *testing.T) {
		out := must(t, "--db", db, "groups", "add", "Ventes/Région Sud")
		if !strings.Contains(out, "«\u00a0Ventes/Région Sud\u00a0»") {
			t.Errorf("the confirmation does not name the group: %q", out)
		}
		got := decodeJSON(t, must(t, "--db", db, "groups", "list", "--format", "json"))
		var paths []string
		for _, g := range got {
			paths = append(paths, g["path"].(string))
		}
		if strings.Join(paths, "|") != "|Ventes|Ventes/Région Sud" {
			t.Errorf("paths = %q, want the root, Ventes, Ventes/Région Sud", paths)
		}
	})

	t.Run("adding an existing group again changes nothing and succeeds", func(t *testing.T) {
		out := must(t, "--db", db, "groups", "add", "ventes/region sud")
		if !strings.Contains(out, "existe déjà") {
			t.Errorf("output = %q, want it to say the group exists", out)
		}
		if n := len(decodeJSON(t, must(t, "--db", db, "groups", "list", "--format", "json"))); n != 3 {
			t.Errorf("%d groups after adding an existing one, want 3", n)
		}
	})

	must(t, "--db", db, "groups", "add", "Achats")

	t.Run("the table lists paths in French order with aligned columns", func(t *testing.T) {
		out := must(t, "--db", db, "groups", "list")
		lines := strings.Split(out, "\n")
		want := []string{"Groupe général", "Achats", "Ventes", "Ventes/Région Sud"}
		for i, w := range want {
			if !strings.HasPrefix(lines[i+1], w+" ") {
				t.Errorf("line %d = %q, want it to start with %q\n%s", i+1, lines[i+1], w, out)
			}
		}
		assertAligned(t, out, "Groupe", "Membres directs")
		if !strings.Contains(out, "4 groupes.") {
			t.Errorf("the table has no count below it:\n%s", out)
		}
	})

	t.Run("csv has a header row and one row per group", func(t *testing.T) {
		recs := decodeCSV(t, must(t, "--db", db, "groups", "list", "--format", "csv"))
		if got := strings.Join(recs[0], ","); got != "id,parent_id,name,path,depth,members" {
			t.Errorf("header = %s", got)
		}
		if len(recs) != 5 || recs[4][3] != "Ventes/Région Sud" || recs[4][4] != "2" {
			t.Errorf("rows = %q", recs)
		}
	})

	t.Run("json objects have stable lower-case keys", func(t *testing.T) {
		got := decodeJSON(t, must(t, "--db", db, "groups", "list", "--format", "json"))
		for _, g := range got {
			if len(g) != 6 {
				t.Errorf("object %v has %d keys, want id, parent_id, name, path, depth, members", g, len(g))
			}
		}
		if got[0]["name"] != "Groupe général" || got[0]["parent_id"] != 0.0 || got[0]["depth"] != 0.0 {
			t.Errorf("first group = %v, want the root", got[0])
		}
	})

	t.Run("an unknown format is a usage error", func(t *testing.T) {
		msg := fails(t, exitUsage, "--db", db, "groups", "list", "--format", "xml")
		if !strings.Contains(msg, "«\u00a0xml\u00a0»") || !strings.Contains(msg, "table, csv ou json") {
			t.Errorf("stderr = %q", msg)
		}
	})

	t.Run("groups add without a path is a usage error", func(t *testing.T) {
		fails(t, exitUsage, "--db", db, "groups", "add", " / ")
		msg := fails(t, exitUsage, "--db", db, "groups", "add")
		if !strings.Contains(msg, "Indiquez le chemin") || !strings.Contains(msg, "convive groups add --help") {
			t.Errorf("stderr = %q", msg)
		}
	})

	t.Run("an unquoted path with spaces is refused rather than cut", func(t *testing.T) {
		fails(t, exitUsage, "--db", db, "groups", "add", "Région", "Sud")
	})
}

func TestUsers(t *testing.T) {
	db := tempDB(t)
	must(t, "--db", db, "groups", "add", "Ventes/Région Sud")
	must(t, "--db", db, "groups", "add", "Formateurs")

	t.Run("a user is added into the groups given", func(t *testing.T) {
		out := must(t, "--db", db, "users", "add", "anne.lefevre@example.com",
			"--first-name", "Anne", "--last-name", "Lefèvre", "--group", "Ventes/Région Sud", "--group", "formateurs", "--role", "formateur")
		if !strings.Contains(out, "anne.lefevre@example.com") || !strings.Contains(out, "Anne Lefèvre") {
			t.Errorf("confirmation = %q", out)
		}
	})
	must(t, "--db", db, "users", "add", "--first-name", "Jean", "--last-name", "Dupont", "JEAN.DUPONT@Example.COM")
	must(t, "users", "add", "zoe.martin@example.com", "--last-name", "Martin", "--first-name", "Zoé", "--db", db, "--language", "en")

	t.Run("the table lists everyone by last name with French dates", func(t *testing.T) {
		out := must(t, "--db", db, "users", "list")
		lines := strings.Split(out, "\n")
		for i, login := range []string{"JEAN.DUPONT@example.com", "anne.lefevre@example.com", "zoe.martin@example.com"} {
			if !strings.HasPrefix(lines[i+1], login+" ") {
				t.Errorf("line %d = %q, want %s first\n%s", i+1, lines[i+1], login, out)
			}
		}
		assertAligned(t, out, "Identifiant", "Prénom", "Nom", "Groupes", "Statut", "Créé le")
		if !regexp.MustCompile(`Actif +\d\d/\d\d/\d{4} \d\d:\d\d\n`).MatchString(out) {
			t.Errorf("no status and French date in:\n%s", out)
		}
		if !strings.Contains(out, "3 utilisateurs.") {
			t.Errorf("no count below the table:\n%s", out)
		}
	})

	t.Run("search ignores case and accents", func(t *testing.T) {
		got := decodeJSON(t, must(t, "--db", db, "users", "list", "--search", "LEFEVRE", "--format", "json"))
		if len(got) != 1 || got[0]["last_name"] != "Lefèvre" {
			t.Errorf("search lefevre = %v", got)
		}
	})

	t.Run("a group keeps to its direct members", func(t *testing.T) {
		got := decodeJSON(t, must(t, "--db", db, "users", "list", "--group", "Ventes/Région Sud", "--format", "json"))
		if len(got) != 1 || got[0]["login"] != "anne.lefevre@example.com" {
			t.Fatalf("members of Ventes/Région Sud = %v", got)
		}
		groups, _ := got[0]["groups"].([]any)
		if len(groups) != 2 || groups[0] != "Formateurs" || groups[1] != "Ventes/Région Sud" {
			t.Errorf("groups = %v, want Formateurs and Ventes/Région Sud", got[0]["groups"])
		}
		if got[0]["role"] != "coach" || got[0]["status"] != "active" || got[0]["language"] != "fr" {
			t.Errorf("role, status, language = %v %v %v", got[0]["role"], got[0]["status"], got[0]["language"])
		}
		for _, key := range []string{"created", "updated"} {
			if _, err := time.Parse(time.RFC3339, got[0][key].(string)); err != nil {
				t.Errorf("%s is not RFC 3339: %v", key, err)
			}
		}
	})

	t.Run("the root group lists everyone", func(t *testing.T) {
		if got := decodeJSON(t, must(t, "--db", db, "users", "list", "--group", "Groupe général", "--format", "json")); len(got) != 3 {
			t.Errorf("%d users in the root group, want 3", len(got))
		}
	})

	t.Run("an empty result is an empty json list", func(t *testing.T) {
		if out := must(t, "--db", db, "users", "list", "--search", "personne", "--format", "json"); strings.TrimSpace(out) != "[]" {
			t.Errorf("output = %q, want []", out)
		}
	})

	t.Run("csv makes formula-like cells inert", func(t *testing.T) {
		must(t, "--db", db, "users", "add", "formule@example.com", "--first-name", "=SOMME(A1:A9)", "--last-name", "@Nom")
		recs := decodeCSV(t, must(t, "--db", db, "users", "list", "--search", "formule", "--format", "csv"))
		if got := strings.Join(recs[0], ","); got != "id,login,email,first_name,last_name,language,role,status,groups,created,updated" {
			t.Errorf("header = %s", got)
		}
		if len(recs) != 2 || recs[1][3] != "'=SOMME(A1:A9)" || recs[1][4] != "'@Nom" {
			t.Errorf("rows = %q", recs)
		}
	})

	t.Run("an unknown group is refused with the command that creates it", func(t *testing.T) {
		msg := fails(t, exitFailure, "--db", db, "users", "add", "paul@example.com", "--first-name", "Paul", "--last-name", "Roux", "--group", "Vente")
		if !strings.Contains(msg, "«\u00a0Vente\u00a0» n'existe pas") || !strings.Contains(msg, `convive groups add "Vente"`) {
			t.Errorf("stderr = %q", msg)
		}
		if out := must(t, "--db", db, "users", "list", "--search", "paul", "--format", "json"); strings.TrimSpace(out) != "[]" {
			t.Errorf("the user was created anyway: %s", out)
		}
	})

	t.Run("an invalid address is refused with the reason", func(t *testing.T) {
		msg := fails(t, exitFailure, "--db", db, "users", "add", "paul.example.com", "--first-name", "Paul", "--last-name", "Roux")
		if !strings.Contains(msg, "paul.example.com") || !strings.Contains(msg, "@") {
			t.Errorf("stderr = %q", msg)
		}
	})

	t.Run("a login already used is refused", func(t *testing.T) {
		fails(t, exitFailure, "--db", db, "users", "add", "Jean.Dupont@example.com", "--first-name", "Jean", "--last-name", "Dupont")
	})

	for name, args := range map[string][]string{
		"a missing first name is a usage error":    {"users", "add", "paul@example.com", "--last-name", "Roux"},
		"a missing last name is a usage error":     {"users", "add", "paul@example.com", "--first-name", "Paul"},
		"a missing address is a usage error":       {"users", "add", "--first-name", "Paul", "--last-name", "Roux"},
		"an unknown role is a usage error":         {"users", "add", "paul@example.com", "--first-name", "Paul", "--last-name", "Roux", "--role", "chef"},
		"an unknown option is a usage error":       {"users", "list", "--sort", "nom"},
		"an option without value is a usage error": {"users", "list", "--search"},
		"an unknown action is a usage error":       {"users", "delete"},
		"an unknown command is a usage error":      {"utilisateurs"},
	} {
		t.Run(name, func(t *testing.T) {
			fails(t, exitUsage, append([]string{"--db", db}, args...)...)
		})
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	db := tempDB(t)
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"},
		{"groups", "--help"}, {"groups", "-h"}, {"help", "groups"},
		{"groups", "add", "--help"}, {"groups", "add", "-h"}, {"help", "groups", "add"},
		{"groups", "list", "--help"}, {"help", "groups", "list"},
		{"users", "--help"}, {"help", "users"},
		{"users", "add", "--help"}, {"users", "add", "x@example.com", "--help"}, {"help", "users", "add"},
		{"users", "list", "--help"}, {"help", "users", "list"},
		{"version", "--help"}, {"help", "version"},
	} {
		t.Run(strings.Join(args, " ")+" prints French help", func(t *testing.T) {
			out := must(t, append([]string{"--db", db}, args...)...)
			if !strings.Contains(out, "Utilisation\u00a0:") {
				t.Errorf("no usage section in:\n%s", out)
			}
			if strings.Contains(out, " :") {
				t.Errorf("a colon lacks its no-break space in:\n%s", out)
			}
		})
	}
	t.Run("the help of users add lists its options and says unknown groups are refused", func(t *testing.T) {
		out := must(t, "users", "add", "--help")
		for _, flag := range []string{"--first-name", "--last-name", "--group", "--language", "--role", "--db", "groups add"} {
			if !strings.Contains(out, flag) {
				t.Errorf("help lacks %s", flag)
			}
		}
	})
	t.Run("help does not create the database", func(t *testing.T) {
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Errorf("the database exists after asking for help only (%v)", err)
		}
	})
	t.Run("help on an unknown command is a usage error", func(t *testing.T) {
		fails(t, exitUsage, "help", "utilisateurs")
	})
}

func TestDatabaseChoice(t *testing.T) {
	t.Run("CONVIVE_DB is used when --db is absent", func(t *testing.T) {
		env := filepath.Join(t.TempDir(), "sous-dossier", "env.db")
		t.Setenv(envDB, env)
		must(t, "groups", "add", "Ventes")
		if _, err := os.Stat(env); err != nil {
			t.Fatalf("CONVIVE_DB was not used: %v", err)
		}
		if out := must(t, "groups", "list"); !strings.Contains(out, "Ventes") {
			t.Errorf("the group is not in the CONVIVE_DB database:\n%s", out)
		}
	})

	t.Run("--db wins over CONVIVE_DB, before or after the command", func(t *testing.T) {
		env := filepath.Join(t.TempDir(), "env.db")
		flag := filepath.Join(t.TempDir(), "flag.db")
		t.Setenv(envDB, env)
		must(t, "--db", flag, "groups", "add", "Achats")
		must(t, "groups", "add", "Ventes", "--db", flag)
		if _, err := os.Stat(env); !os.IsNotExist(err) {
			t.Errorf("CONVIVE_DB was created although --db was given (%v)", err)
		}
		out := must(t, "groups", "list", "--db="+flag)
		if !strings.Contains(out, "Achats") || !strings.Contains(out, "Ventes") {
			t.Errorf("--db database lacks the groups:\n%s", out)
		}
	})

	t.Run("no command opens the window on the chosen database", func(t *testing.T) {
		env := filepath.Join(t.TempDir(), "fenetre.db")
		t.Setenv(envDB, env)
		var got string
		saved := openWindow
		t.Cleanup(func() { openWindow = saved })
		openWindow = func(c *cli) int {
			got, _ = c.dbFile()
			return 0
		}
		must(t)
		if got != env {
			t.Errorf("window database = %q, want %q", got, env)
		}
		must(t, "--db", "autre.db")
		if got != "autre.db" {
			t.Errorf("window database = %q, want autre.db", got)
		}
	})

	t.Run("a file that is not a database is refused in French", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "notes.db")
		if err := os.WriteFile(bad, []byte("ceci n'est pas une base de données, mais des notes\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		msg := fails(t, exitFailure, "--db", bad, "groups", "list")
		if !strings.Contains(msg, "notes.db") {
			t.Errorf("the message does not name the file: %q", msg)
		}
	})
}

func TestOptionsAreNamedAsTheHelpWritesThem(t *testing.T) {
	db := tempDB(t)
	if msg := fails(t, exitUsage, "--db", db, "users", "list", "--search"); !strings.Contains(msg, "«\u00a0--search\u00a0» attend une valeur") {
		t.Errorf("stderr = %q", msg)
	}
	if msg := fails(t, exitUsage, "--db", db, "groups", "list", "-sort"); !strings.Contains(msg, "«\u00a0--sort\u00a0» n'existe pas") {
		t.Errorf("stderr = %q", msg)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if out := must(t, args...); out != "Convive "+version+"\n" {
			t.Errorf("convive %s = %q", args[0], out)
		}
	}
	fails(t, exitUsage, "version", "2")
}

func TestWrapTextFoldsAtSpacesWithinTheWidth(t *testing.T) {
	got := wrapText("Le fichier « /tmp/notes.db » n'est pas un fichier de données Convive.", 30)
	want := "Le fichier « /tmp/notes.db »\nn'est pas un fichier de\ndonnées Convive."
	if got != want {
		t.Errorf("wrapText = %q, want %q", got, want)
	}
}
