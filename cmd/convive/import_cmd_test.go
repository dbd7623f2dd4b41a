package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"convive/core"
	"convive/core/sqlite"
)

// fixture is a file of testdata/sheets, at the top of the module.
func fixture(name string) string { return filepath.Join("..", "..", "testdata", "sheets", name) }

// writeXLSX writes rows to a real workbook with excelize.
func writeXLSX(t *testing.T, rows ...[]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "personnes.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeFile writes a text file in a temporary folder.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// importJSON runs import --json, which has to succeed, and decodes its one object.
func importJSON(t *testing.T, args ...string) (importResult, map[string]json.RawMessage, result) {
	t.Helper()
	r := convive(t, append([]string{"import", "--json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("import %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	var res importResult
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("stdout is not the import object: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value on stdout:\n%s", r.stdout)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	return res, raw, r
}

// dbHash hashes the database file; the command closed it, so the WAL is folded in.
func dbHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("the WAL of %s is not empty", path)
	}
	return sha256.Sum256(b)
}

func withStore(t *testing.T, db string, fn func(*sqlite.Store)) {
	t.Helper()
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fn(st)
}

func TestImportCommand(t *testing.T) {
	ctx := context.Background()
	header := []string{"E-mail", "Prénom", "Nom", "Groupe", "Langue", "Rôle", "Matricule"}

	t.Run("the JSON object has exactly the documented keys, in order", func(t *testing.T) {
		db := tempDB(t)
		file := writeXLSX(t, header, []string{"zoe@exemple.fr", "Zoé", "Lefèvre", "Ventes", "anglais", "formateur", "007"})
		_, _, r := importJSON(t, "--db", db, file, "--dry-run")
		var keys []string
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		depth := 0
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch v := tok.(type) {
			case json.Delim:
				if v == '{' || v == '[' {
					depth++
				} else {
					depth--
				}
			case string:
				if depth == 1 {
					keys = append(keys, v)
					// skip the value
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		want := []string{"file", "rows", "blank", "new", "updated", "unchanged", "duplicates", "invalid", "created", "invitations_queued", "batch", "errors"}
		if !slices.Equal(keys, want) {
			t.Errorf("keys = %q, want %q", keys, want)
		}
		if !strings.Contains(r.stdout, `"batch": null`) || !strings.Contains(r.stdout, `"errors": []`) {
			t.Errorf("a dry run should say batch null and errors []:\n%s", r.stdout)
		}
	})

	t.Run("provision, then upsert, then update only: counts, users and groups", func(t *testing.T) {
		db := tempDB(t)
		file := writeXLSX(t, header,
			[]string{"zoe@exemple.fr", "Zoé", "Lefèvre", "Ventes/Région Sud", "anglais", "formateur", "007"},
			[]string{},
			[]string{"paul@exemple.fr", "Paul", "Durand", "", "", "", ""},
			[]string{"jean.dupont@gmail", "Jean", "", "", "", "", ""},
			[]string{"ZOE@exemple.fr", "Zoé", "", "", "", "", ""},
		)
		res, _, _ := importJSON(t, "--db", db, file, "--group", "Nouveaux")
		if res.File != "personnes.xlsx" || res.Rows != 4 || res.Blank != 1 || res.New != 2 || res.Invalid != 1 || res.Duplicates != 1 ||
			res.Created != 2 || res.InvitationsQueued != 0 || res.Batch == nil {
			t.Fatalf("result = %+v", res)
		}
		if len(res.Errors) != 2 || res.Errors[0].Row != 5 || res.Errors[0].Column != "E-mail" || !strings.Contains(res.Errors[0].Message, "jean.dupont@gmail") ||
			res.Errors[1].Code != "import.duplicate" {
			t.Errorf("errors = %+v", res.Errors)
		}
		withStore(t, db, func(st *sqlite.Store) {
			zoe, err := st.UserByLogin(ctx, "zoe@exemple.fr")
			if err != nil {
				t.Fatal(err)
			}
			if zoe.Status != core.StatusActive || zoe.Role != core.RoleCoach || !slices.Equal(zoe.Groups, []string{"Nouveaux", "Ventes/Région Sud"}) {
				t.Errorf("zoé = %+v", zoe)
			}
		})

		again := writeXLSX(t, header,
			[]string{"zoe@exemple.fr", "Zoé", "Lefèvre-Martin", "", "", "", ""},
			[]string{"paul@exemple.fr", "Paul", "Durand", "", "", "", ""},
			[]string{"marc@exemple.fr", "Marc", "", "", "", "", ""},
		)
		res, _, _ = importJSON(t, "--db", db, again, "--mode", "update")
		if res.Updated != 1 || res.Unchanged != 1 || res.Invalid != 1 || res.Created != 0 || res.Batch == nil {
			t.Errorf("update only: %+v", res)
		}
		res, _, _ = importJSON(t, "--db", db, again, "--mode", "create")
		if res.New != 1 || res.Created != 1 || res.Unchanged != 2 {
			t.Errorf("create only: %+v", res)
		}
		withStore(t, db, func(st *sqlite.Store) {
			zoe, _ := st.UserByLogin(ctx, "zoe@exemple.fr")
			if zoe.LastName != "Lefèvre-Martin" || !slices.Equal(zoe.Groups, []string{"Nouveaux", "Ventes/Région Sud"}) {
				t.Errorf("zoé after the update = %+v", zoe)
			}
			list, _ := st.Batches(ctx)
			if len(list) != 3 {
				t.Errorf("%d batches", len(list))
			}
		})
	})

	t.Run("invite queues one invitation and one mail per new person", func(t *testing.T) {
		db := tempDB(t)
		must(t, "--db", db, "groups", "add", "Ventes")
		before := dbHash(t, db)
		msg := fails(t, exitFailure, "--db", db, "import", fixture("import-exemple.xlsx"), "--action", "invite")
		if !strings.Contains(msg, "adresse web de la plateforme") || dbHash(t, db) != before {
			t.Errorf("without a platform address: %s", msg)
		}
		withStore(t, db, func(st *sqlite.Store) {
			if err := st.SetOrganisation(ctx, core.Organisation{Name: "Académie", URL: "https://formation.exemple.fr"}); err != nil {
				t.Fatal(err)
			}
		})
		res, _, _ := importJSON(t, "--db", db, fixture("import-exemple.xlsx"), "--action", "invite")
		if res.Created != 4 || res.InvitationsQueued != 4 {
			t.Fatalf("result = %+v", res)
		}
		withStore(t, db, func(st *sqlite.Store) {
			n, err := st.CountOutbox(ctx, core.OutboxFilter{})
			if err != nil || n != 4 {
				t.Errorf("%d messages in the outbox (%v)", n, err)
			}
			msgs, _ := st.Outbox(ctx, core.OutboxFilter{Limit: 10})
			for _, m := range msgs {
				if m.Kind != core.KindInvitation || m.InvitationID == 0 || !strings.Contains(m.Text, "https://formation.exemple.fr/") {
					t.Errorf("message = %+v", m)
				}
			}
			stats, _ := st.Stats(ctx)
			if stats.PendingInvitations != 4 {
				t.Errorf("%d pending invitations", stats.PendingInvitations)
			}
		})
	})

	t.Run("undo takes the batch back; it is refused once a user was edited", func(t *testing.T) {
		db := tempDB(t)
		file := writeXLSX(t, header, []string{"zoe@exemple.fr", "Zoé"}, []string{"paul@exemple.fr", "Paul"})
		res, _, _ := importJSON(t, "--db", db, file)
		out := must(t, "--db", db, "import", "--undo", fmt.Sprint(*res.Batch))
		if !strings.Contains(out, "annulé") {
			t.Errorf("undo said:\n%s", out)
		}
		withStore(t, db, func(st *sqlite.Store) {
			if n, _ := st.CountUsers(ctx, core.UserFilter{}); n != 0 {
				t.Errorf("%d users after undo", n)
			}
		})
		res, _, _ = importJSON(t, "--db", db, file)
		withStore(t, db, func(st *sqlite.Store) {
			paul, _ := st.UserByLogin(ctx, "paul@exemple.fr")
			role := core.RoleAdmin
			if _, err := st.UpdateUser(ctx, paul.ID, core.UserUpdate{Role: &role}); err != nil {
				t.Fatal(err)
			}
		})
		before := dbHash(t, db)
		msg := fails(t, exitFailure, "--db", db, "import", "--undo", fmt.Sprint(*res.Batch))
		if !strings.Contains(msg, "ligne 3") || !strings.Contains(msg, "paul@exemple.fr") {
			t.Errorf("the refusal does not name the row:\n%s", msg)
		}
		if dbHash(t, db) != before {
			t.Error("a refused undo changed the database")
		}
		if out := must(t, "--db", db, "import", "--list"); !strings.Contains(out, "personnes.xlsx") {
			t.Errorf("list:\n%s", out)
		}
	})

	t.Run("every bad file leaves the database byte-identical and says why in French", func(t *testing.T) {
		db := tempDB(t)
		must(t, "--db", db, "groups", "add", "Ventes")
		xlsxAsCSV := filepath.Join(t.TempDir(), "personnes.csv")
		data, _ := os.ReadFile(fixture("import-exemple.xlsx"))
		os.WriteFile(xlsxAsCSV, data, 0o600)
		csvAsXLSX := filepath.Join(t.TempDir(), "personnes.xlsx")
		data, _ = os.ReadFile(fixture("import-exemple.csv"))
		os.WriteFile(csvAsXLSX, data, 0o600)
		cases := map[string]string{
			"ancien.xls":          ".xlsx",
			"classeur.ods":        ".xlsx",
			"coupe.xlsx":          "endommagé",
			"page-web.xls":        "page web",
			"protege.xlsx":        "mot de passe",
			"tronque.xlsx":        "ligne",
			"trop-de-lignes.xlsx": "1\u00a0048\u00a0576",
			"bombe.xlsx":          "",
			"empty.csv":           "vide",
		}
		for name, want := range cases {
			t.Run(name, func(t *testing.T) {
				before := dbHash(t, db)
				r := convive(t, "--db", db, "import", "--json", fixture(name))
				if r.code != exitFailure || r.stdout != "" || !strings.HasPrefix(r.stderr, "Erreur\u00a0: ") {
					t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
				}
				if !strings.Contains(r.stderr, name) && !strings.Contains(r.stderr, "«\u00a0") {
					t.Errorf("the message does not name the file: %s", r.stderr)
				}
				if want != "" && !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(want)) {
					t.Errorf("stderr %q lacks %q", r.stderr, want)
				}
				if dbHash(t, db) != before {
					t.Error("the database changed")
				}
			})
		}
		t.Run("an xlsx named .csv and a csv named .xlsx are read for what they are", func(t *testing.T) {
			res, _, _ := importJSON(t, "--db", db, xlsxAsCSV, "--dry-run")
			if res.New != 4 {
				t.Errorf("xlsx named csv: %+v", res)
			}
			res, _, _ = importJSON(t, "--db", db, csvAsXLSX, "--dry-run")
			if res.New == 0 {
				t.Errorf("csv named xlsx: %+v", res)
			}
		})
		t.Run("a file without an e-mail column names its columns", func(t *testing.T) {
			before := dbHash(t, db)
			msg := fails(t, exitFailure, "--db", db, "import", writeFile(t, "noms.csv", "Prénom;Nom\nJean;Dupont\n"))
			if !strings.Contains(msg, "«\u00a0Prénom\u00a0»") || !strings.Contains(msg, "E-mail") {
				t.Errorf("message: %s", msg)
			}
			if dbHash(t, db) != before {
				t.Error("the database changed")
			}
		})
		t.Run("a header without rows writes nothing and says so", func(t *testing.T) {
			before := dbHash(t, db)
			res, _, r := importJSON(t, "--db", db, writeFile(t, "titres.csv", "E-mail;Prénom;Nom\n"))
			if res.Rows != 0 || res.Batch != nil || !strings.Contains(r.stderr, "que la ligne de titres") {
				t.Errorf("result %+v, stderr %q", res, r.stderr)
			}
			if dbHash(t, db) != before {
				t.Error("the database changed")
			}
		})
		t.Run("the password of a protected workbook comes from stdin", func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run([]string{"--db", db, "import", "--json", "--dry-run", "--password-stdin", fixture("protege.xlsx")}, strings.NewReader("Convive-2026\n"), &out, &errOut)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
		})
	})

	t.Run("merged cells and formulas without a result are pointed out", func(t *testing.T) {
		db := tempDB(t)
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]string{"E-mail", "Prénom", "Nom"})
		f.SetSheetRow("Sheet1", "A2", &[]string{"a@exemple.fr", "Anne"})
		f.SetCellFormula("Sheet1", "C2", `UPPER(B2)`)
		path := filepath.Join(t.TempDir(), "formules.xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		_, _, r := importJSON(t, "--db", db, path, "--dry-run")
		if !strings.Contains(r.stderr, "C2") || !strings.Contains(r.stderr, "formule") {
			t.Errorf("stderr: %q", r.stderr)
		}
		_, _, r = importJSON(t, "--db", db, fixture("import-exemple.xlsx"), "--dry-run")
		if !strings.Contains(r.stderr, "fusionnées") || !strings.Contains(r.stderr, "D5:D6") {
			t.Errorf("stderr: %q", r.stderr)
		}
	})

	t.Run("10 000 copies of one address give one account and 9 999 duplicates", func(t *testing.T) {
		db := tempDB(t)
		var b strings.Builder
		b.WriteString("E-mail;Prénom\n")
		for i := 0; i < 10000; i++ {
			b.WriteString("meme.adresse@exemple.fr;Même\n")
		}
		res, _, _ := importJSON(t, "--db", db, writeFile(t, "doublons.csv", b.String()))
		if res.Created != 1 || res.Duplicates != 9999 || len(res.Errors) != 9999 || res.Errors[0].Row != 3 {
			t.Errorf("created %d, duplicates %d, errors %d", res.Created, res.Duplicates, len(res.Errors))
		}
	})

	t.Run("the rejected rows come back in a workbook with their reason, formulas made inert", func(t *testing.T) {
		db := tempDB(t)
		file := writeXLSX(t, header,
			[]string{"ok@exemple.fr", "Anne"},
			[]string{"=HYPERLINK(\"http://x\")", "Bad"},
			[]string{"ok@exemple.fr", "Encore"},
		)
		report := filepath.Join(t.TempDir(), "rejets.xlsx")
		res, _, _ := importJSON(t, "--db", db, file, "--dry-run", "--report", report)
		if res.Invalid != 1 || res.Duplicates != 1 {
			t.Fatalf("result %+v", res)
		}
		f, err := excelize.OpenFile(report)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0][len(rows[0])-1] != "Motif du rejet" || !slices.Equal(rows[0][:7], header) {
			t.Fatalf("rows = %q", rows)
		}
		if rows[1][0] != `'=HYPERLINK("http://x")` || !strings.Contains(rows[1][7], "Ligne 3") {
			t.Errorf("row 1 = %q", rows[1])
		}
		if rows[2][1] != "Encore" || !strings.Contains(rows[2][7], "ligne 2") {
			t.Errorf("row 2 = %q", rows[2])
		}
	})

	t.Run("the template is written, and importing it unchanged refuses its example row", func(t *testing.T) {
		db := tempDB(t)
		dir := t.TempDir()
		for _, name := range []string{"modele.xlsx", "modele.csv"} {
			path := filepath.Join(dir, name)
			if out := must(t, "template", path); !strings.Contains(out, name) {
				t.Errorf("template said %q", out)
			}
			res, _, _ := importJSON(t, "--db", db, path)
			if res.Invalid != 1 || res.Created != 0 || len(res.Errors) != 1 || res.Errors[0].Code != "import.example_row" {
				t.Errorf("%s: %+v", name, res)
			}
		}
		fails(t, exitFailure, "template", filepath.Join(dir, "modele.ods"))
	})

	t.Run("import and template have French help", func(t *testing.T) {
		for _, args := range [][]string{{"import", "--help"}, {"help", "import"}, {"template", "--help"}, {"help", "template"}} {
			out := must(t, args...)
			if !strings.Contains(out, "Utilisation\u00a0:") || strings.Contains(out, " :") {
				t.Errorf("%q:\n%s", args, out)
			}
		}
		fails(t, exitUsage, "import")
		fails(t, exitUsage, "import", "a.xlsx", "--mode", "tout")
		fails(t, exitUsage, "import", "--undo", "trois")
	})
}

func TestImportCommandSaysItInFrench(t *testing.T) {
	db := tempDB(t)
	header := []string{"E-mail", "Prénom", "Nom", "Service"}
	rows := [][]string{header}
	for i := range 1200 {
		rows = append(rows, []string{fmt.Sprintf("personne%d@exemple.fr", i), "Prénom", "Nom", "RH"})
	}
	rows = append(rows, []string{"personne0@exemple.fr", "Prénom", "Nom", ""}, []string{}, []string{"jean.dupont@gmail", "", "", ""})
	out := must(t, "--db", db, "import", writeXLSX(t, rows...))
	for _, want := range []string{
		"«\u00a0personnes.xlsx\u00a0», feuille «\u00a0Sheet1\u00a0»\u00a0: 1\u202f202 lignes lues jusqu'à la ligne 1204, 1 ligne vide ignorée.",
		"Colonnes ignorées\u00a0: «\u00a0Service\u00a0».",
		"Nouveaux\u00a0: 1\u202f200   Mises à jour\u00a0: 0   Inchangés\u00a0: 0   Doublons\u00a0: 1   Rejetées\u00a0: 1",
		"Import n° 1 enregistré\u00a0: 1\u202f200 comptes créés, 0 mis à jour, 0 invitation dans la boîte d'envoi.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "(s)") {
		t.Errorf("a plural left to the reader:\n%s", out)
	}
	out = must(t, "--db", db, "import", "--undo", "1")
	if want := "Import n° 1 («\u00a0personnes.xlsx\u00a0») annulé\u00a0: les 1\u202f200 comptes qu'il avait créés sont supprimés, ses invitations en attente sont annulées."; !strings.Contains(out, want) {
		t.Errorf("undo says:\n%s\nwant %q", out, want)
	}
}
