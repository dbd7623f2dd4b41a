package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// conviveIn runs the command line with stdin.
func conviveIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// object decodes one JSON object and checks it has exactly the given keys.
func object(t *testing.T, s string, keys ...string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, s)
	}
	got := slices.Sorted(maps.Keys(v))
	slices.Sort(keys)
	if !slices.Equal(got, keys) {
		t.Errorf("JSON keys = %v, want exactly %v", got, keys)
	}
	return v
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// platformDB returns a database whose platform is set, as invitations need its URL.
func platformDB(t *testing.T) string {
	t.Helper()
	db := tempDB(t)
	out := must(t, "--db", db, "platform", "--name", "Formation Exemple", "--url", "https://formation.exemple.fr")
	if !strings.Contains(out, "prenom.nom#formation-exemple@") {
		t.Errorf("platform does not show the alias: %q", out)
	}
	return db
}

func queuedMails(t *testing.T, db string) []map[string]any {
	t.Helper()
	return decodeJSON(t, must(t, "--db", db, "outbox", "--state", "queued", "--format", "json"))
}

func TestInviteCommand(t *testing.T) {
	db := platformDB(t)
	must(t, "--db", db, "groups", "add", "Ventes")
	must(t, "--db", db, "users", "add", "anne@exemple.fr", "--first-name", "Anne", "--last-name", "Lefèvre", "--group", "Ventes")

	t.Run("the JSON summary has the documented shape", func(t *testing.T) {
		r := convive(t, "--db", db, "invite", "jean@exemple.fr, marc@exemple.fr;anne@exemple.fr", "pas-une-adresse", "--group", "Ventes", "--lang", "en", "--json")
		if r.code != exitFailure {
			t.Errorf("exit %d, want 1 because of the invalid entry", r.code)
		}
		v := object(t, r.stdout, "invited", "resent", "already_account", "invalid")
		if v["invited"] != 2.0 || v["resent"] != 0.0 || !slices.Equal(strs(v["already_account"]), []string{"anne@exemple.fr"}) ||
			!slices.Equal(strs(v["invalid"]), []string{"pas-une-adresse"}) {
			t.Errorf("summary = %v", v)
		}
		if !strings.HasPrefix(r.stderr, "Erreur\u00a0: «\u00a0pas-une-adresse\u00a0»") {
			t.Errorf("stderr = %q, want the French reason", r.stderr)
		}
		if n := len(queuedMails(t, db)); n != 2 {
			t.Errorf("%d mails in the outbox, want 2", n)
		}
	})

	t.Run("a domain that looks misspelled is pointed out, and the invitation prepared", func(t *testing.T) {
		r := convive(t, "--db", db, "invite", "paul@gmial.com", "--json")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if v := object(t, r.stdout, "invited", "resent", "already_account", "invalid"); v["invited"] != 1.0 {
			t.Errorf("summary = %v", v)
		}
		if !strings.Contains(r.stderr, "vouliez-vous dire «\u00a0paul@gmail.com\u00a0»\u00a0?") || !strings.Contains(r.stderr, "convive cancel paul@gmial.com") {
			t.Errorf("stderr = %q", r.stderr)
		}
		must(t, "--db", db, "cancel", "paul@gmial.com")
	})

	t.Run("inviting again re-sends without a second invitation or mail", func(t *testing.T) {
		v := object(t, must(t, "--db", db, "invite", "JEAN@exemple.fr", "--json"), "invited", "resent", "already_account", "invalid")
		if v["resent"] != 1.0 || v["invited"] != 0.0 {
			t.Errorf("summary = %v", v)
		}
		if n := len(queuedMails(t, db)); n != 2 {
			t.Errorf("%d mails, want still 2", n)
		}
	})

	t.Run("an address in use is explained, then invited with --alias", func(t *testing.T) {
		out := must(t, "--db", db, "invite", "anne@exemple.fr")
		if !strings.Contains(out, "anne#formation-exemple@exemple.fr") || !strings.Contains(out, "Ventes") {
			t.Errorf("output = %q, want where it is used and the alias", out)
		}
		v := object(t, must(t, "--db", db, "invite", "anne@exemple.fr", "--alias", "--json"), "invited", "resent", "already_account", "invalid")
		if v["invited"] != 1.0 || len(strs(v["already_account"])) != 0 {
			t.Errorf("summary = %v", v)
		}
	})

	t.Run("invitations --format json lists them with the documented keys", func(t *testing.T) {
		rows := decodeJSON(t, must(t, "--db", db, "invitations", "--format", "json"))
		if len(rows) != 3 {
			t.Fatalf("%d pending invitations, want 3", len(rows))
		}
		for _, k := range []string{"id", "login", "email", "group", "session", "state", "created", "last_sent"} {
			if _, ok := rows[0][k]; !ok {
				t.Errorf("key %q missing in %v", k, rows[0])
			}
		}
		var jean map[string]any
		for _, r := range rows {
			if r["login"] == "jean@exemple.fr" {
				jean = r
			}
		}
		if jean == nil || jean["group"] != "Ventes" || jean["state"] != "pending" || jean["last_sent"] != nil {
			t.Errorf("jean = %v", jean)
		}
		alias := rows[0]
		if alias["login"] != "anne#formation-exemple@exemple.fr" || alias["email"] != "anne@exemple.fr" {
			t.Errorf("newest first should be the alias, delivered to the plain address: %v", alias)
		}
		if n := len(decodeJSON(t, must(t, "--db", db, "invitations", "--scope", "subgroups", "--format", "json"))); n != 2 {
			t.Errorf("%d invitations in subgroups, want 2", n)
		}
		if n := len(decodeJSON(t, must(t, "--db", db, "invitations", "--scope", "group", "--format", "json"))); n != 1 {
			t.Errorf("%d invitations in the Groupe général, want 1", n)
		}
	})

	t.Run("the export writes a workbook", func(t *testing.T) {
		path := t.TempDir() + "/invitations.csv"
		r := convive(t, "--db", db, "invitations", "--export", path)
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if b, err := readFile(path); err != nil || !strings.Contains(b, "jean@exemple.fr") || !strings.Contains(b, "Identifiant") {
			t.Errorf("export = %q, %v", b, err)
		}
	})
}

func TestInviteWithoutPlatformAddress(t *testing.T) {
	db := tempDB(t)
	msg := fails(t, exitFailure, "--db", db, "invite", "jean@exemple.fr")
	if !strings.Contains(msg, "convive platform --url") {
		t.Errorf("stderr = %q", msg)
	}
}

func TestCancelCommand(t *testing.T) {
	db := platformDB(t)
	must(t, "--db", db, "invite", "a@exemple.fr", "b@exemple.fr", "c@exemple.fr", "d@exemple.fr")
	must(t, "--db", db, "accept", "c@exemple.fr")
	must(t, "--db", db, "cancel", "d@exemple.fr")
	keys := []string{"cancelled", "not_found", "already_accepted", "already_cancelled", "invalid"}

	t.Run("a dry run previews and changes nothing", func(t *testing.T) {
		v := object(t, must(t, "--db", db, "cancel", "a@exemple.fr", "c@exemple.fr", "d@exemple.fr", "x@exemple.fr", "--dry-run", "--json"), keys...)
		if v["cancelled"] != 1.0 || !slices.Equal(strs(v["not_found"]), []string{"x@exemple.fr"}) ||
			!slices.Equal(strs(v["already_accepted"]), []string{"c@exemple.fr"}) || !slices.Equal(strs(v["already_cancelled"]), []string{"d@exemple.fr"}) {
			t.Errorf("preview = %v", v)
		}
		if n := len(queuedMails(t, db)); n != 2 {
			t.Errorf("%d queued mails after a dry run, want 2", n)
		}
	})

	t.Run("a list on standard input cancels the invitations and their mails", func(t *testing.T) {
		r := conviveIn(t, "A@exemple.fr\nb@exemple.fr; inconnu@exemple.fr", "--db", db, "cancel", "--from", "-", "--json")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		v := object(t, r.stdout, keys...)
		if v["cancelled"] != 2.0 || !slices.Equal(strs(v["not_found"]), []string{"inconnu@exemple.fr"}) {
			t.Errorf("summary = %v", v)
		}
		if n := len(queuedMails(t, db)); n != 0 {
			t.Errorf("%d mails still queued", n)
		}
	})

	t.Run("cancelling twice is harmless", func(t *testing.T) {
		v := object(t, must(t, "--db", db, "cancel", "a@exemple.fr", "--json"), keys...)
		if v["cancelled"] != 0.0 || !slices.Equal(strs(v["already_cancelled"]), []string{"a@exemple.fr"}) {
			t.Errorf("summary = %v", v)
		}
	})

	t.Run("a spreadsheet is read in any column", func(t *testing.T) {
		must(t, "--db", db, "invite", "e@exemple.fr", "f@exemple.fr")
		path := writeXLSX(t, []string{"Nom", "E-mail"}, []string{"Emma", "e@exemple.fr"}, []string{"Félix", "f@exemple.fr"})
		out := must(t, "--db", db, "cancel", "--from", path)
		if !strings.Contains(out, "2 invitations annulées") {
			t.Errorf("output = %q", out)
		}
	})

	t.Run("nothing to cancel is a usage error", func(t *testing.T) {
		fails(t, exitUsage, "--db", db, "cancel")
	})
}

func TestAcceptReconcilesFromThePlatformList(t *testing.T) {
	db := platformDB(t)
	must(t, "--db", db, "invite", "a@exemple.fr", "jean#formation@exemple.fr")
	path := writeFile(t, "comptes.csv", "login;statut\na@exemple.fr;actif\njean@exemple.fr;actif\nautre@exemple.fr;actif\n")
	v := object(t, must(t, "--db", db, "accept", "--from", path, "--json"), "accepted", "not_found", "already_accepted", "already_cancelled", "invalid")
	if v["accepted"] != 2.0 || !slices.Equal(strs(v["not_found"]), []string{"autre@exemple.fr"}) {
		t.Errorf("summary = %v", v)
	}
	users := decodeJSON(t, must(t, "--db", db, "users", "list", "--format", "json"))
	for _, u := range users {
		if u["status"] != "active" {
			t.Errorf("%v is not active", u)
		}
	}
	if n := len(queuedMails(t, db)); n != 0 {
		t.Errorf("%d invitation mails still queued for accepted invitations", n)
	}
}

func TestProvisionSetEmailAndReset(t *testing.T) {
	db := platformDB(t)
	out := must(t, "--db", db, "provision", "anne@exemple.fr", "--first-name", "Anne", "--last-name", "Lefèvre", "--welcome")
	if !strings.Contains(out, "actif") {
		t.Errorf("output = %q", out)
	}
	mails := queuedMails(t, db)
	if len(mails) != 1 || mails[0]["kind"] != "welcome" {
		t.Fatalf("outbox = %v", mails)
	}

	t.Run("an active account changes its address in place", func(t *testing.T) {
		must(t, "--db", db, "users", "set-email", "anne@exemple.fr", "anne.lefevre@exemple.fr")
		mails := queuedMails(t, db)
		if mails[0]["to"] != "anne.lefevre@exemple.fr" {
			t.Errorf("the welcome mail goes to %v", mails[0]["to"])
		}
	})

	t.Run("an invitation is cancelled and the new address invited", func(t *testing.T) {
		must(t, "--db", db, "invite", "paul@exemple.fr")
		out := must(t, "--db", db, "users", "set-email", "paul@exemple.fr", "paul.martin@exemple.fr")
		if !strings.Contains(out, "annulée") {
			t.Errorf("output = %q", out)
		}
		rows := decodeJSON(t, must(t, "--db", db, "invitations", "--status", "all", "--format", "json"))
		states := map[string]string{}
		for _, r := range rows {
			states[r["login"].(string)] = r["state"].(string)
		}
		if states["paul@exemple.fr"] != "cancelled" || states["paul.martin@exemple.fr"] != "pending" {
			t.Errorf("states = %v", states)
		}
	})

	t.Run("a lost password queues a reset mail", func(t *testing.T) {
		out := must(t, "--db", db, "users", "reset-password", "ANNE.LEFEVRE@exemple.fr")
		if !strings.Contains(out, "réinitialisation") {
			t.Errorf("output = %q", out)
		}
		kinds := map[any]int{}
		for _, m := range queuedMails(t, db) {
			kinds[m["kind"]]++
		}
		if kinds["reset"] != 1 {
			t.Errorf("kinds = %v", kinds)
		}
		fails(t, exitFailure, "--db", db, "users", "reset-password", "paul.martin@exemple.fr")
		fails(t, exitFailure, "--db", db, "users", "reset-password", "personne@exemple.fr")
	})
}

func TestCoursesAndSessions(t *testing.T) {
	db := platformDB(t)
	must(t, "--db", db, "courses", "add", "Accueil des nouveaux arrivants")
	fails(t, exitFailure, "--db", db, "courses", "add", "accueil des nouveaux ARRIVANTS")
	opens := time.Now().AddDate(0, 1, 0)
	day := opens.Format("02/01/2006")
	out := must(t, "--db", db, "sessions", "add", "Accueil des nouveaux arrivants", "--name", "Session de janvier", "--opens", day, "--closes", opens.AddDate(0, 0, 7).Format("2006-01-02"))
	if !strings.Contains(out, "n°\u00a01") && !strings.Contains(out, "n° 1") {
		t.Errorf("output = %q", out)
	}
	must(t, "--db", db, "sessions", "add", "1", "--name", "Session ouverte", "--opens", time.Now().AddDate(0, 0, -1).Format("2006-01-02 15:04"))
	fails(t, exitUsage, "--db", db, "sessions", "add", "1", "--name", "X", "--opens", "31/02/2026")
	fails(t, exitFailure, "--db", db, "sessions", "add", "1", "--name", "X", "--opens", day, "--closes", "01/01/2000")
	must(t, "--db", db, "users", "add", "anne@exemple.fr", "--first-name", "Anne", "--last-name", "Lefèvre")

	v := object(t, must(t, "--db", db, "sessions", "enrol", "1", "anne@exemple.fr", "nouveau@exemple.fr", "--json"),
		"invited", "resent", "enrolled", "already_account", "invalid")
	if v["invited"] != 1.0 || v["enrolled"] != 1.0 {
		t.Errorf("enrol = %v", v)
	}
	must(t, "--db", db, "sessions", "enrol", "2", "anne@exemple.fr")
	mails := queuedMails(t, db)
	if len(mails) != 3 {
		t.Fatalf("%d mails, want 3", len(mails))
	}
	midnight := time.Date(opens.Year(), opens.Month(), opens.Day(), 0, 0, 0, 0, time.Local)
	for _, m := range mails {
		due, _ := time.Parse(time.RFC3339, m["due"].(string))
		if strings.Contains(m["subject"].(string), "Accueil") && m["kind"] != "session" {
			t.Errorf("mail %v is not a session mail", m)
		}
		if time.Since(due) > time.Hour && !due.Equal(midnight) {
			t.Errorf("mail due %v, want now or %v", due, midnight)
		}
	}
	list := decodeJSON(t, must(t, "--db", db, "sessions", "list", "--format", "json"))
	// In order of opening: the open session first.
	if len(list) != 2 || list[1]["id"] != 1.0 || list[1]["members"] != 2.0 || list[0]["members"] != 1.0 || list[1]["course"] != "Accueil des nouveaux arrivants" {
		t.Errorf("sessions = %v", list)
	}
	courses := decodeJSON(t, must(t, "--db", db, "courses", "list", "--format", "json"))
	if len(courses) != 1 || courses[0]["sessions"] != 2.0 {
		t.Errorf("courses = %v", courses)
	}

	t.Run("moving the opening moves the waiting mails", func(t *testing.T) {
		later := midnight.AddDate(0, 0, 3)
		out := must(t, "--db", db, "sessions", "move", "1", "--opens", later.Format("2006-01-02"))
		if !strings.Contains(out, "2 e-mails en attente suivent") {
			t.Errorf("output = %q", out)
		}
	})
	t.Run("removing someone before the opening cancels their mail", func(t *testing.T) {
		out := must(t, "--db", db, "sessions", "remove", "1", "nouveau@exemple.fr")
		if !strings.Contains(out, "1 e-mail en attente annulé") {
			t.Errorf("output = %q", out)
		}
		if n := len(queuedMails(t, db)); n != 2 {
			t.Errorf("%d mails, want 2", n)
		}
	})
}

func TestInvitationCommandsHaveFrenchHelp(t *testing.T) {
	for _, args := range [][]string{
		{"invite", "--help"}, {"provision", "--help"}, {"invitations", "--help"}, {"cancel", "--help"}, {"accept", "--help"},
		{"users", "set-email", "--help"}, {"users", "reset-password", "--help"}, {"courses", "--help"}, {"sessions", "--help"},
		{"sessions", "add", "--help"}, {"platform", "--help"}, {"help", "sessions", "enrol"}, {"help", "invite"},
	} {
		out := must(t, args...)
		if !strings.Contains(out, "Utilisation\u00a0:") {
			t.Errorf("convive %s: no French usage in\n%s", strings.Join(args, " "), out)
		}
	}
	if out := must(t, "--help"); !strings.Contains(out, "invite E-MAIL") || !strings.Contains(out, "sessions add") {
		t.Errorf("the main help does not list the invitation commands")
	}
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

func TestCoursesRename(t *testing.T) {
	db := platformDB(t)
	must(t, "--db", db, "courses", "add", "Accueil des nouveaux arivants")
	must(t, "--db", db, "courses", "add", "Sécurité")
	out := must(t, "--db", db, "courses", "rename", "accueil des nouveaux arivants", "Accueil des nouveaux arrivants")
	if !strings.Contains(out, "«\u00a0Accueil des nouveaux arivants\u00a0» s'appelle maintenant «\u00a0Accueil des nouveaux arrivants\u00a0»") {
		t.Errorf("stdout = %q", out)
	}
	if out := must(t, "--db", db, "courses", "rename", "1", "Accueil des nouveaux arrivants"); !strings.Contains(out, "rien n'a été modifié") {
		t.Errorf("stdout = %q", out)
	}
	if msg := fails(t, exitFailure, "--db", db, "courses", "rename", "1", "SECURITE"); !strings.Contains(msg, "Un autre parcours s'appelle déjà") {
		t.Errorf("stderr = %q", msg)
	}
	if msg := fails(t, exitFailure, "--db", db, "courses", "rename", "Cuisine", "Pâtisserie"); !strings.Contains(msg, "n'existe pas") {
		t.Errorf("stderr = %q", msg)
	}
	fails(t, exitUsage, "--db", db, "courses", "rename", "Sécurité")
	courses := decodeJSON(t, must(t, "--db", db, "courses", "list", "--format", "json"))
	if len(courses) != 2 || courses[0]["name"] != "Accueil des nouveaux arrivants" {
		t.Errorf("courses = %v", courses)
	}
}

func TestSessionsRename(t *testing.T) {
	db := platformDB(t)
	must(t, "--db", db, "courses", "add", "Accueil")
	must(t, "--db", db, "sessions", "add", "Accueil", "--name", "Sesion de janvier", "--opens", time.Now().AddDate(0, 1, 0).Format("02/01/2006"))
	if out := must(t, "--db", db, "sessions", "rename", "1", "Session de janvier"); !strings.Contains(out, "La session n° 1 s'appelle «\u00a0Session de janvier\u00a0»") {
		t.Errorf("stdout = %q", out)
	}
	sessions := decodeJSON(t, must(t, "--db", db, "sessions", "list", "--format", "json"))
	if len(sessions) != 1 || sessions[0]["name"] != "Session de janvier" {
		t.Errorf("sessions = %v", sessions)
	}
	if msg := fails(t, exitFailure, "--db", db, "sessions", "rename", "7", "Autre"); !strings.Contains(msg, "n'existe pas") {
		t.Errorf("stderr = %q", msg)
	}
	fails(t, exitUsage, "--db", db, "sessions", "rename", "1")
	fails(t, exitUsage, "--db", db, "sessions", "rename", "un", "Autre")
}

func TestSessionsAndCoursesDelete(t *testing.T) {
	db := platformDB(t)
	must(t, "--db", db, "courses", "add", "Accueil")
	must(t, "--db", db, "sessions", "add", "Accueil", "--name", "Session de janvier", "--opens", time.Now().AddDate(0, 1, 0).Format("02/01/2006"))
	must(t, "--db", db, "sessions", "enrol", "1", "anne@exemple.fr")
	if msg := fails(t, exitFailure, "--db", db, "courses", "delete", "Accueil"); !strings.Contains(msg, "a encore des sessions") {
		t.Errorf("stderr = %q", msg)
	}
	if msg := fails(t, exitFailure, "--db", db, "sessions", "delete", "1"); !strings.Contains(msg, "compte encore des apprenants") {
		t.Errorf("stderr = %q", msg)
	}
	must(t, "--db", db, "sessions", "remove", "1", "anne@exemple.fr")
	if out := must(t, "--db", db, "sessions", "delete", "1"); !strings.Contains(out, "Session de janvier") || !strings.Contains(out, "supprimée") {
		t.Errorf("stdout = %q", out)
	}
	if out := must(t, "--db", db, "courses", "delete", "accueil"); !strings.Contains(out, "«\u00a0Accueil\u00a0» est supprimé") {
		t.Errorf("stdout = %q", out)
	}
	if courses := decodeJSON(t, must(t, "--db", db, "courses", "list", "--format", "json")); len(courses) != 0 {
		t.Errorf("courses = %v", courses)
	}
	fails(t, exitFailure, "--db", db, "sessions", "delete", "1")
	fails(t, exitUsage, "--db", db, "courses", "delete")
}
