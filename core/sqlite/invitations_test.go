package sqlite_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"convive/assets"
	"convive/core"
	"convive/core/sqlite"
)

// platform sets the organisation and returns the mailer the GUI and CLI build.
func platform(t testing.TB, s *sqlite.Store) *core.Mailer {
	t.Helper()
	ctx := context.Background()
	if err := s.SetOrganisation(ctx, core.Organisation{Name: "Formation Exemple", URL: "https://formation.exemple.fr"}); err != nil {
		t.Fatal(err)
	}
	m, err := core.NewMailer(ctx, s, assets.DefaultMailTemplate)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// queued lists the queued messages of the outbox.
func queued(t testing.TB, s *sqlite.Store) []core.Message {
	t.Helper()
	ms, err := s.Outbox(context.Background(), core.OutboxFilter{States: []core.MessageState{core.MessageQueued}})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func recipients(ms []core.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To)
	}
	slices.Sort(out)
	return out
}

func invitations(t testing.TB, s *sqlite.Store, f core.InvitationFilter) []core.InvitationRow {
	t.Helper()
	rows, err := s.Invitations(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func pending(t testing.TB, s *sqlite.Store) []core.InvitationRow {
	return invitations(t, s, core.InvitationFilter{States: []core.InvitationState{core.InvitationPending}})
}

func addresses(as []core.Address) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Login)
	}
	return out
}

func TestInvitePreviewAndConfirm(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	sud, err := s.EnsureGroupPath(ctx, "Ventes/Région Sud")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, core.NewUser{Login: "anne.lefevre@exemple.fr", FirstName: "Anne", LastName: "Lefèvre", GroupIDs: []int64{sud.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"deja.invite@exemple.fr"}}, m); err != nil {
		t.Fatal(err)
	}
	pasted := "Jean.Dupont@Exemple.fr; marc@exemple.fr,\tDEJA.INVITE@exemple.fr\nAnne.Lefevre@exemple.fr  pas-une-adresse\r\n" +
		`"Martin, Léa" <lea.martin@exemple.fr>, jean.dupont@exemple.fr`
	req := core.InviteRequest{Addresses: []string{pasted}, GroupIDs: []int64{sud.ID}, Language: core.LangEN}

	t.Run("a new address whose domain looks misspelled is flagged with the address meant", func(t *testing.T) {
		p, err := s.PreviewInvite(ctx, core.InviteRequest{Addresses: []string{"paul.durand@gmial.com", "zoe@hotmail.fr"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.New) != 2 || len(p.Typos) != 1 || p.Typos[0].Address.Login != "paul.durand@gmial.com" || p.Typos[0].Suggestion != "paul.durand@gmail.com" {
			t.Errorf("new %v, typos %+v", addresses(p.New), p.Typos)
		}
	})

	t.Run("the preview sorts every address and writes nothing", func(t *testing.T) {
		p, err := s.PreviewInvite(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := addresses(p.New), []string{"Jean.Dupont@exemple.fr", "marc@exemple.fr", "lea.martin@exemple.fr"}; !slices.Equal(got, want) {
			t.Errorf("new = %v, want %v", got, want)
		}
		if len(p.Resend) != 1 || p.Resend[0].Address.Key != "deja.invite@exemple.fr" || p.Resend[0].InvitationID == 0 {
			t.Errorf("resend = %+v, want the pending invitation of deja.invite", p.Resend)
		}
		if len(p.Accounts) != 1 || p.Accounts[0].User.Login != "anne.lefevre@exemple.fr" ||
			!slices.Equal(p.Accounts[0].User.Groups, []string{"Ventes/Région Sud"}) {
			t.Errorf("accounts = %+v, want Anne with her group", p.Accounts)
		}
		if len(p.Invalid) != 1 || p.Invalid[0].Input != "pas-une-adresse" || !strings.Contains(p.Invalid[0].Reason, "il manque le signe @") {
			t.Errorf("invalid = %+v, want pas-une-adresse with its French reason", p.Invalid)
		}
		if len(p.Typos) != 0 {
			t.Errorf("typos = %+v among addresses that look right", p.Typos)
		}
		if !slices.Equal(p.Duplicates, []string{"jean.dupont@exemple.fr"}) {
			t.Errorf("duplicates = %v", p.Duplicates)
		}
		if n := len(pending(t, s)); n != 1 {
			t.Errorf("the preview wrote invitations: %d pending", n)
		}
	})

	t.Run("confirming makes one invitation, one invited user and one mail per new address", func(t *testing.T) {
		res, err := s.Invite(ctx, req, m)
		if err != nil {
			t.Fatal(err)
		}
		if res.Invited != 3 || res.Resent != 1 || !slices.Equal(res.AlreadyAccount, []string{"Anne.Lefevre@exemple.fr"}) || !slices.Equal(res.Invalid, []string{"pas-une-adresse"}) {
			t.Fatalf("result = %+v", res)
		}
		u, err := s.UserByLogin(ctx, "jean.dupont@exemple.fr")
		if err != nil {
			t.Fatal(err)
		}
		if u.Status != core.StatusInvited || u.Language != core.LangEN || !slices.Equal(u.Groups, []string{"Ventes/Région Sud"}) {
			t.Errorf("user = %+v, want invited, English, in Ventes/Région Sud", u)
		}
		got := recipients(queued(t, s))
		want := []string{"Jean.Dupont@exemple.fr", "deja.invite@exemple.fr", "lea.martin@exemple.fr", "marc@exemple.fr"}
		if !slices.Equal(got, want) {
			t.Errorf("queued mails to %v, want %v (the first mail of deja.invite replaced, not doubled)", got, want)
		}
		for _, msg := range queued(t, s) {
			if msg.To == "marc@exemple.fr" && (!strings.Contains(msg.Subject, "Formation Exemple") || !strings.Contains(msg.Text, "https://formation.exemple.fr/invitation/")) {
				t.Errorf("mail to marc: %q\n%s", msg.Subject, msg.Text)
			}
			if msg.InvitationID == 0 {
				t.Errorf("mail to %s is not linked to its invitation", msg.To)
			}
		}
		rows := invitations(t, s, core.InvitationFilter{States: []core.InvitationState{core.InvitationPending}, Sort: core.InvSortLogin})
		if len(rows) != 4 {
			t.Fatalf("%d pending invitations, want 4", len(rows))
		}
		for _, r := range rows {
			if r.Login != "deja.invite@exemple.fr" && r.Group != "Ventes/Région Sud" {
				t.Errorf("invitation of %s is into %q", r.Login, r.Group)
			}
		}
	})

	t.Run("inviting the same addresses again re-sends and never doubles", func(t *testing.T) {
		before := len(queued(t, s))
		res, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"jean.dupont@EXEMPLE.FR marc@exemple.fr"}}, m)
		if err != nil {
			t.Fatal(err)
		}
		if res.Invited != 0 || res.Resent != 2 {
			t.Errorf("result = %+v, want 2 re-sent", res)
		}
		if n := len(pending(t, s)); n != 4 {
			t.Errorf("%d pending invitations, want still 4", n)
		}
		if n := len(queued(t, s)); n != before {
			t.Errorf("%d queued mails, want %d: a re-send replaces the mail still waiting", n, before)
		}
	})
}

func TestAlreadyUsedAddressesAreOfferedTheAlias(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	if _, err := s.CreateUser(ctx, core.NewUser{Login: "jean.dupont@gmail.com", FirstName: "Jean", LastName: "Dupont"}); err != nil {
		t.Fatal(err)
	}
	req := core.InviteRequest{Addresses: []string{"Jean.Dupont@gmail.com"}}
	p, err := s.PreviewInvite(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Accounts) != 1 || p.Accounts[0].Alias.Login != "Jean.Dupont#formation-exemple@gmail.com" || p.Accounts[0].AliasTaken {
		t.Fatalf("accounts = %+v, want the alias #formation-exemple offered", p.Accounts)
	}
	res, err := s.Invite(ctx, req, m)
	if err != nil || res.Invited != 0 || len(res.AlreadyAccount) != 1 {
		t.Fatalf("without --alias: %+v, %v", res, err)
	}
	req.UseAlias = true
	res, err = s.Invite(ctx, req, m)
	if err != nil || res.Invited != 1 {
		t.Fatalf("with the alias: %+v, %v", res, err)
	}
	u, err := s.UserByLogin(ctx, "jean.dupont#formation-exemple@gmail.com")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "Jean.Dupont@gmail.com" || u.Status != core.StatusInvited {
		t.Errorf("alias user = %+v, want mail delivered to the plain address", u)
	}
	if got := recipients(queued(t, s)); !slices.Equal(got, []string{"Jean.Dupont@gmail.com"}) {
		t.Errorf("mail goes to %v", got)
	}
	p, err = s.PreviewInvite(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Accounts) != 1 || p.Accounts[0].AliasTaken {
		t.Errorf("the alias is only invited, so it can be re-sent: %+v", p.Accounts)
	}
}

var welcomeLink = regexp.MustCompile(`https://formation\.exemple\.fr/bienvenue/([A-Za-z0-9_-]+)`)

func TestProvisionWithWelcomeKeepsOnlyTheTokenHash(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	g, _ := s.EnsureGroupPath(ctx, "Formateurs")
	u, err := s.Provision(ctx, core.NewUser{Login: "camille@exemple.fr", FirstName: "Camille", LastName: "Lefèvre", GroupIDs: []int64{g.ID}}, true, m)
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != core.StatusActive || !slices.Equal(u.Groups, []string{"Formateurs"}) {
		t.Errorf("user = %+v, want active in Formateurs", u)
	}
	ms := queued(t, s)
	if len(ms) != 1 || ms[0].Kind != core.KindWelcome || !strings.Contains(ms[0].Text, "Camille") {
		t.Fatalf("queued = %+v, want one welcome mail", ms)
	}
	found := welcomeLink.FindStringSubmatch(ms[0].Text)
	if found == nil {
		t.Fatalf("no welcome link in:\n%s", ms[0].Text)
	}
	secret := found[1]
	if len(secret) < 22 { // 128 bits in base64url
		t.Errorf("token %q is shorter than 128 bits", secret)
	}
	if id, err := s.TokenUser(ctx, secret, "welcome"); err != nil || id != u.ID {
		t.Errorf("TokenUser = %d, %v; want %d", id, err, u.ID)
	}
	if _, err := s.TokenUser(ctx, secret, "reset"); err == nil {
		t.Error("a welcome token opened a reset")
	}
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var hash []byte
	var expires, created int64
	if err := db.QueryRow(`SELECT hash, expires, created FROM tokens WHERE user_id = ?`, u.ID).Scan(&hash, &expires, &created); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte(secret))
	if !bytes.Equal(hash, want[:]) {
		t.Error("the stored hash is not the SHA-256 of the token")
	}
	if d := time.Duration(expires-created) * time.Millisecond; d != 14*24*time.Hour {
		t.Errorf("the link lasts %v, want 14 days", d)
	}
	// The secret itself is in the mail only: remove the outbox rows and look at the file.
	for _, q := range []string{`DELETE FROM outbox`, `PRAGMA wal_checkpoint(TRUNCATE)`, `VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, f := range []string{s.Path(), s.Path() + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the token in clear", f)
		}
	}

	t.Run("without welcome, no mail and no token", func(t *testing.T) {
		u, err := s.Provision(ctx, core.NewUser{Login: "paul@exemple.fr", FirstName: "Paul", LastName: "Martin"}, false, nil)
		if err != nil || u.Status != core.StatusActive {
			t.Fatalf("%+v, %v", u, err)
		}
		var n int
		db.QueryRow(`SELECT count(*) FROM tokens WHERE user_id = ?`, u.ID).Scan(&n)
		if n != 0 || len(queued(t, s)) != 0 {
			t.Errorf("%d tokens, %d mails", n, len(queued(t, s)))
		}
	})
	t.Run("a login already taken is refused", func(t *testing.T) {
		_, err := s.Provision(ctx, core.NewUser{Login: "CAMILLE@exemple.fr", FirstName: "C", LastName: "L"}, true, m)
		wantCode(t, err, core.EConflict)
	})
}

func TestSessionMailsAreDueAtTheOpening(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	c, err := s.CreateCourse(ctx, "Accueil des nouveaux arrivants")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCourse(ctx, "ACCUEIL des nouveaux arrivants"); err == nil {
		t.Error("a second course of the same name was accepted")
	}
	opens := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Minute)
	future, err := s.CreateSession(ctx, core.Session{CourseID: c.ID, Name: "Session de janvier", Opens: opens, Closes: opens.Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	started, err := s.CreateSession(ctx, core.Session{CourseID: c.ID, Name: "Session en cours", Opens: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateSession(ctx, core.Session{CourseID: c.ID, Name: "À l'envers", Opens: opens, Closes: opens.Add(-time.Hour)})
	wantCode(t, err, core.EInvalid)

	anne, err := s.CreateUser(ctx, core.NewUser{Login: "anne@exemple.fr", FirstName: "Anne", LastName: "Lefèvre"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"nouveau@exemple.fr anne@exemple.fr"}, SessionID: future.ID}, m)
	if err != nil {
		t.Fatal(err)
	}
	if res.Invited != 1 || res.Enrolled != 1 || len(res.AlreadyAccount) != 0 {
		t.Fatalf("result = %+v, want one invited and one existing account enrolled", res)
	}
	if n, err := s.EnrolUsers(ctx, started.ID, []int64{anne.ID}, m); err != nil || n != 1 {
		t.Fatalf("EnrolUsers = %d, %v", n, err)
	}
	byTo := map[string][]core.Message{}
	for _, msg := range queued(t, s) {
		byTo[msg.To] = append(byTo[msg.To], msg)
	}
	if ms := byTo["nouveau@exemple.fr"]; len(ms) != 1 || !ms[0].Due.Equal(opens) || ms[0].Kind != core.KindSession || !strings.Contains(ms[0].Text, "/invitation/") {
		t.Errorf("the new person's mail = %+v, want the session mail due at the opening %v, with the invitation link", ms, opens)
	}
	if ms := byTo["anne@exemple.fr"]; len(ms) != 2 {
		t.Fatalf("Anne has %d mails, want 2", len(ms))
	}
	for _, msg := range byTo["anne@exemple.fr"] {
		if strings.Contains(msg.Subject, "") && strings.Contains(msg.Text, "Session en cours") {
			if time.Since(msg.Due) > time.Minute || msg.Due.After(time.Now()) {
				t.Errorf("the started session's mail is due %v, want now", msg.Due)
			}
		} else if !msg.Due.Equal(opens) {
			t.Errorf("the future session's mail is due %v, want %v", msg.Due, opens)
		}
	}

	t.Run("moving the opening moves the queued mails", func(t *testing.T) {
		later := opens.Add(48 * time.Hour)
		moved, err := s.RescheduleSession(ctx, future.ID, later, time.Time{})
		if err != nil || moved != 2 {
			t.Fatalf("RescheduleSession = %d, %v; want 2 mails moved", moved, err)
		}
		for _, msg := range queued(t, s) {
			if !strings.Contains(msg.Text, "Session en cours") && !msg.Due.Equal(later) {
				t.Errorf("mail to %s due %v, want %v", msg.To, msg.Due, later)
			}
		}
		if _, err := s.RescheduleSession(ctx, future.ID, later, later.Add(-time.Minute)); err == nil {
			t.Error("a closing before the opening was accepted")
		}
	})

	t.Run("taking someone out before the opening cancels their mail", func(t *testing.T) {
		u, _ := s.UserByLogin(ctx, "nouveau@exemple.fr")
		n, err := s.RemoveFromSession(ctx, future.ID, []int64{u.ID, anne.ID})
		if err != nil || n != 2 {
			t.Fatalf("RemoveFromSession = %d, %v; want 2 mails cancelled", n, err)
		}
		if got := recipients(queued(t, s)); !slices.Equal(got, []string{"anne@exemple.fr"}) {
			t.Errorf("still queued: %v, want only Anne's mail of the started session", got)
		}
		if len(pending(t, s)) != 0 {
			t.Error("the invitation made for the session is still pending")
		}
		members, err := s.SessionMembers(ctx, future.ID)
		if err != nil || len(members) != 0 {
			t.Errorf("members = %v, %v", members, err)
		}
		sum, err := s.Session(ctx, started.ID)
		if err != nil || sum.Members != 1 || sum.Course != c.Name {
			t.Errorf("session = %+v, %v", sum, err)
		}
	})
}

func TestPendingViewsByScope(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	sud, _ := s.EnsureGroupPath(ctx, "Ventes/Région Sud")
	if _, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"a@exemple.fr b@exemple.fr c@exemple.fr"}}, m); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"d@exemple.fr e@exemple.fr"}, GroupIDs: []int64{sud.ID}}, m); err != nil {
		t.Fatal(err)
	}
	ventes, _ := s.GroupByPath(ctx, "Ventes")
	cases := []struct {
		name string
		f    core.InvitationFilter
		want int
	}{
		{"Dans le groupe holds the invitations into the Groupe général", core.InvitationFilter{Scope: core.ScopeGroup}, 3},
		{"Dans les sous-groupes holds the others", core.InvitationFilter{Scope: core.ScopeSubgroups}, 2},
		{"all holds both", core.InvitationFilter{}, 5},
		{"a group filter takes its subgroups in", core.InvitationFilter{GroupID: ventes.ID}, 2},
		{"a search matches the login", core.InvitationFilter{Search: "D@EXEMPLE"}, 1},
		{"cancelled ones are not pending", core.InvitationFilter{States: []core.InvitationState{core.InvitationCancelled}}, 0},
		{"a date range excludes what is older", core.InvitationFilter{From: time.Now().Add(time.Hour)}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := s.CountInvitations(ctx, c.f)
			if err != nil || n != c.want {
				t.Errorf("count = %d, %v; want %d", n, err, c.want)
			}
			if rows := invitations(t, s, c.f); len(rows) != c.want {
				t.Errorf("%d rows, want %d", len(rows), c.want)
			}
		})
	}
	t.Run("pages are cut in SQL and sorted", func(t *testing.T) {
		rows := invitations(t, s, core.InvitationFilter{Sort: core.InvSortLogin, Desc: true, Offset: 1, Limit: 2})
		if len(rows) != 2 || rows[0].Login != "d@exemple.fr" || rows[1].Login != "c@exemple.fr" {
			t.Errorf("page = %+v", rows)
		}
	})
	t.Run("the export makes formula cells inert", func(t *testing.T) {
		rows := invitations(t, s, core.InvitationFilter{})
		rows[0].FirstName = "=HYPERLINK(\"x\")"
		header, cells := core.InvitationTable(rows)
		if header[0] != "Identifiant" || cells[0][2] != "'=HYPERLINK(\"x\")" || cells[0][6] != "En attente" {
			t.Errorf("export = %v %v", header, cells[0])
		}
	})
	t.Run("re-sending one queues a new mail in place of the waiting one", func(t *testing.T) {
		rows := invitations(t, s, core.InvitationFilter{Search: "a@exemple"})
		n, err := s.ResendInvitations(ctx, []int64{rows[0].ID}, m)
		if err != nil || n != 1 {
			t.Fatalf("ResendInvitations = %d, %v", n, err)
		}
		if got := len(queued(t, s)); got != 5 {
			t.Errorf("%d queued mails, want 5", got)
		}
	})
}

func TestCancelManyFromAPastedList(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	if _, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"a@exemple.fr b@exemple.fr c@exemple.fr d@exemple.fr"}}, m); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptInvitations(ctx, []string{"c@exemple.fr"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelInvitations(ctx, []string{"d@exemple.fr"}); err != nil {
		t.Fatal(err)
	}
	list := []string{"A@exemple.fr;b@exemple.fr\nc@exemple.fr d@exemple.fr inconnu@exemple.fr pas-une-adresse"}
	p, err := s.PreviewCancel(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Cancel) != 2 || !slices.Equal(p.NotFound, []string{"inconnu@exemple.fr"}) || !slices.Equal(p.AlreadyAccepted, []string{"c@exemple.fr"}) ||
		!slices.Equal(p.AlreadyCancelled, []string{"d@exemple.fr"}) || len(p.Invalid) != 1 {
		t.Fatalf("preview = %+v", p)
	}
	if len(queued(t, s)) != 2 {
		t.Fatal("the preview changed the outbox")
	}
	res, err := s.CancelInvitations(ctx, list)
	if err != nil || res.Cancelled != 2 {
		t.Fatalf("cancel = %+v, %v", res, err)
	}
	if n := len(queued(t, s)); n != 0 {
		t.Errorf("%d mails still queued after cancelling: they would be sent", n)
	}
	cancelled, _ := s.Outbox(ctx, core.OutboxFilter{States: []core.MessageState{core.MessageCancelled}})
	if len(cancelled) != 4 { // d's, then a's and b's; c's was cancelled by the acceptance
		t.Errorf("%d cancelled mails, want 4", len(cancelled))
	}
	t.Run("cancelling twice is harmless", func(t *testing.T) {
		res, err := s.CancelInvitations(ctx, list)
		if err != nil || res.Cancelled != 0 || len(res.AlreadyCancelled) != 3 {
			t.Errorf("again = %+v, %v", res, err)
		}
	})
	t.Run("the history of the user tells the cancellation", func(t *testing.T) {
		u, _ := s.UserByLogin(ctx, "a@exemple.fr")
		es, _ := s.Audit(ctx, "user", u.ID)
		if len(es) == 0 || es[len(es)-1].Action != "invitation.cancel" {
			t.Errorf("audit = %+v", es)
		}
	})
	t.Run("a cancelled invitation's link stops working", func(t *testing.T) {
		msgs, _ := s.Outbox(ctx, core.OutboxFilter{Search: "a@exemple.fr"})
		tok := regexp.MustCompile(`/invitation/([A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[0].Text)
		if _, err := s.TokenUser(ctx, tok[1], "invitation"); err == nil {
			t.Error("the link still opens")
		}
	})
}

func TestAcceptAndReconcile(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	if _, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"a@exemple.fr jean#formation@exemple.fr x@exemple.fr"}}, m); err != nil {
		t.Fatal(err)
	}
	rows := invitations(t, s, core.InvitationFilter{Search: "x@exemple"})
	if n, err := s.AcceptInvitationIDs(ctx, []int64{rows[0].ID}); err != nil || n != 1 {
		t.Fatalf("AcceptInvitationIDs = %d, %v", n, err)
	}
	// The platform's export lists delivery addresses; the alias invitation is found by it.
	res, err := s.AcceptInvitations(ctx, []string{"A@exemple.fr", "jean@exemple.fr", "x@exemple.fr", "autre@exemple.fr"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 2 || !slices.Equal(res.AlreadyAccepted, []string{"x@exemple.fr"}) || !slices.Equal(res.NotFound, []string{"autre@exemple.fr"}) {
		t.Fatalf("reconcile = %+v", res)
	}
	for _, login := range []string{"a@exemple.fr", "jean#formation@exemple.fr", "x@exemple.fr"} {
		u, err := s.UserByLogin(ctx, login)
		if err != nil || u.Status != core.StatusActive {
			t.Errorf("%s: %+v, %v; want active", login, u, err)
		}
	}
	if n := len(queued(t, s)); n != 0 {
		t.Errorf("%d invitation mails still queued for accepted invitations", n)
	}
	st, _ := s.Stats(ctx)
	if st.PendingInvitations != 0 {
		t.Errorf("%d pending", st.PendingInvitations)
	}
}

func TestChangeEmail(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	g, _ := s.EnsureGroupPath(ctx, "Ventes")
	if _, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"ancien@exemple.fr"}, GroupIDs: []int64{g.ID}}, m); err != nil {
		t.Fatal(err)
	}
	invited, _ := s.UserByLogin(ctx, "ancien@exemple.fr")

	t.Run("a pending invitation is cancelled and the new address invited", func(t *testing.T) {
		ch, err := s.ChangeEmail(ctx, invited.ID, "nouveau@exemple.fr", m)
		if err != nil {
			t.Fatal(err)
		}
		if !ch.Reinvited || ch.CancelledMails != 1 || ch.User.Login != "nouveau@exemple.fr" {
			t.Errorf("change = %+v", ch)
		}
		rows := invitations(t, s, core.InvitationFilter{Sort: core.InvSortCreated})
		if len(rows) != 2 || rows[0].State != core.InvitationCancelled || rows[1].State != core.InvitationPending ||
			rows[1].Login != "nouveau@exemple.fr" || rows[1].Group != "Ventes" {
			t.Errorf("invitations = %+v", rows)
		}
		if got := recipients(queued(t, s)); !slices.Equal(got, []string{"nouveau@exemple.fr"}) {
			t.Errorf("queued = %v", got)
		}
		es, _ := s.Audit(ctx, "user", invited.ID)
		last := es[len(es)-1]
		if last.Action != "user.set_email" || !strings.Contains(last.Detail, "ancien@exemple.fr") || !strings.Contains(last.Detail, "nouveau@exemple.fr") {
			t.Errorf("audit = %+v", last)
		}
	})

	t.Run("an active account changes in place", func(t *testing.T) {
		u, err := s.Provision(ctx, core.NewUser{Login: "anne@exemple.fr", FirstName: "Anne", LastName: "Lefèvre"}, true, m)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := s.ChangeEmail(ctx, u.ID, "Anne.Lefevre@exemple.fr", m)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Reinvited || ch.MessagesMoved != 1 || ch.User.ID != u.ID || ch.User.Login != "Anne.Lefevre@exemple.fr" || ch.User.Status != core.StatusActive {
			t.Errorf("change = %+v", ch)
		}
		if _, err := s.UserByLogin(ctx, "anne@exemple.fr"); core.ErrorCode(err) != core.ENotFound {
			t.Errorf("the old login still finds the account: %v", err)
		}
		es, _ := s.Audit(ctx, "user", u.ID)
		if es[len(es)-1].Action != "user.set_email" {
			t.Errorf("audit = %+v", es)
		}
		if got := recipients(queued(t, s)); !slices.Contains(got, "Anne.Lefevre@exemple.fr") {
			t.Errorf("the welcome mail still goes to the old address: %v", got)
		}
	})

	t.Run("an address taken by someone else is refused", func(t *testing.T) {
		u, _ := s.UserByLogin(ctx, "nouveau@exemple.fr")
		_, err := s.ChangeEmail(ctx, u.ID, "ANNE.lefevre@exemple.fr", m)
		wantCode(t, err, core.EConflict)
	})
}

func TestPasswordResetQueuesAMailWithAFreshLink(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	u, err := s.Provision(ctx, core.NewUser{Login: "paul@exemple.fr", FirstName: "Paul", LastName: "Martin", Language: core.LangEN}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := s.QueuePasswordReset(ctx, u.ID, m)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Kind != core.KindReset || msg.To != "paul@exemple.fr" || !strings.Contains(msg.Subject, "Reset") {
		t.Errorf("message = %+v", msg)
	}
	tok := regexp.MustCompile(`/mot-de-passe/([A-Za-z0-9_-]+)`).FindStringSubmatch(msg.Text)
	if tok == nil {
		t.Fatalf("no link in %s", msg.Text)
	}
	if id, err := s.TokenUser(ctx, tok[1], "reset"); err != nil || id != u.ID {
		t.Errorf("TokenUser = %d, %v", id, err)
	}
	if _, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"invite@exemple.fr"}}, m); err != nil {
		t.Fatal(err)
	}
	inv, _ := s.UserByLogin(ctx, "invite@exemple.fr")
	_, err = s.QueuePasswordReset(ctx, inv.ID, m)
	if ce := wantCode(t, err, core.EConflict); !strings.Contains(ce.Error(), "Renvoyez plutôt l'invitation") {
		t.Errorf("message = %s", ce.Error())
	}
}

func TestMailTemplatesEditedInTheSettings(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	platform(t, s)
	tpl := core.MailTemplates{Store: s, Defaults: assets.DefaultMailTemplate}
	def, edited, err := tpl.Get(ctx, core.KindInvitation, core.LangFR)
	if err != nil || edited {
		t.Fatalf("Get = %v, %v", edited, err)
	}
	bad := def
	bad.Body += "\n{{mot de passe}}"
	if err := tpl.Save(ctx, bad); core.ErrorCode(err) != core.EInvalid {
		t.Errorf("a template with an unknown field was saved: %v", err)
	}
	mine := def
	mine.Subject = "Bienvenue chez {{plateforme}}, {{prénom}}"
	if err := tpl.Save(ctx, mine); err != nil {
		t.Fatal(err)
	}
	m, err := core.NewMailer(ctx, s, assets.DefaultMailTemplate)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{"a@exemple.fr"}}, m); err != nil {
		t.Fatal(err)
	}
	if got := queued(t, s)[0].Subject; got != "Bienvenue chez Formation Exemple," {
		t.Errorf("subject = %q, want the edited template's", got)
	}
	if err := tpl.Reset(ctx, core.KindInvitation, core.LangFR); err != nil {
		t.Fatal(err)
	}
	if got, edited, _ := tpl.Get(ctx, core.KindInvitation, core.LangFR); edited || got.Subject != def.Subject {
		t.Errorf("after reset: %q edited=%v", got.Subject, edited)
	}
}

func TestInvitingWithoutAPlatformAddressSaysWhatToDo(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m, err := core.NewMailer(ctx, s, assets.DefaultMailTemplate)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Invite(ctx, core.InviteRequest{Addresses: []string{"a@exemple.fr"}}, m)
	if ce := wantCode(t, err, core.EInvalid); !strings.Contains(ce.Error(), "Paramètres") {
		t.Errorf("message = %s", ce.Error())
	}
	if n, _ := s.CountInvitations(ctx, core.InvitationFilter{}); n != 0 {
		t.Errorf("%d invitations written although the mails could not be made", n)
	}
}

func TestRenameCourse(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	accueil, err := s.CreateCourse(ctx, "Accueil des nouveaux arivants")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSession(ctx, core.Session{CourseID: accueil.ID, Name: "Mars", Opens: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	securite, err := s.CreateCourse(ctx, "Sécurité")
	if err != nil {
		t.Fatal(err)
	}

	c, err := s.RenameCourse(ctx, accueil.ID, "  Accueil des nouveaux   arrivants ")
	if err != nil || c.Name != "Accueil des nouveaux arrivants" || c.ID != accueil.ID {
		t.Fatalf("rename: %+v, %v", c, err)
	}
	if found, err := s.CourseByName(ctx, "accueil des nouveaux arrivants"); err != nil || found.ID != accueil.ID {
		t.Errorf("found by its new name: %+v, %v", found, err)
	}
	if _, err := s.CourseByName(ctx, "Accueil des nouveaux arivants"); err == nil {
		t.Error("the old name still finds the course")
	}
	if sessions, err := s.Sessions(ctx, accueil.ID); err != nil || len(sessions) != 1 {
		t.Errorf("sessions after the rename: %+v, %v", sessions, err)
	}
	if n := count(t, s, `SELECT count(*) FROM audit WHERE action = 'course.rename' AND entity_id = ? AND detail LIKE '%arivants%'`, accueil.ID); n != 1 {
		t.Errorf("%d audit rows for the rename", n)
	}

	// another course's name, case and accents aside, is refused; its own is not
	_, err = s.RenameCourse(ctx, accueil.ID, "SECURITE")
	if ce := wantCode(t, err, core.EConflict); !strings.Contains(ce.Error(), "Sécurité") {
		t.Errorf("message = %q", ce.Error())
	}
	if c, err := s.RenameCourse(ctx, securite.ID, "SÉCURITÉ"); err != nil || c.Name != "SÉCURITÉ" {
		t.Errorf("a change of case: %+v, %v", c, err)
	}
	_, err = s.RenameCourse(ctx, accueil.ID, "   ")
	wantCode(t, err, core.EInvalid)
	_, err = s.RenameCourse(ctx, 999, "Autre")
	wantCode(t, err, core.ENotFound)
	list, _ := s.Courses(ctx)
	if len(list) != 2 || list[0].Name != "Accueil des nouveaux arrivants" || list[1].Name != "SÉCURITÉ" {
		t.Errorf("courses = %+v", list)
	}
}

func TestRenameSession(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	c, err := s.CreateCourse(ctx, "Accueil")
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Now().Add(24 * time.Hour)
	se, err := s.CreateSession(ctx, core.Session{CourseID: c.ID, Name: "Sesion de mars", Opens: opens})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.RenameSession(ctx, se.ID, " Session  de mars ")
	if err != nil || got.Name != "Session de mars" || got.ID != se.ID || got.CourseID != c.ID {
		t.Fatalf("rename: %+v, %v", got, err)
	}
	if ss, err := s.Session(ctx, se.ID); err != nil || ss.Name != "Session de mars" || ss.Opens.UnixMilli() != opens.UnixMilli() {
		t.Errorf("session after the rename: %+v, %v", ss, err)
	}
	if n := count(t, s, `SELECT count(*) FROM audit WHERE action = 'session.rename' AND entity_id = ? AND detail LIKE '%Sesion de mars%'`, se.ID); n != 1 {
		t.Errorf("%d audit rows for the rename", n)
	}
	if _, err := s.RenameSession(ctx, se.ID, "Session de mars"); err != nil {
		t.Error(err)
	}
	if n := count(t, s, `SELECT count(*) FROM audit WHERE action = 'session.rename'`); n != 1 {
		t.Errorf("%d audit rows after renaming to the same name", n)
	}
	_, err = s.RenameSession(ctx, se.ID, "")
	wantCode(t, err, core.EInvalid)
	_, err = s.RenameSession(ctx, 999, "Autre")
	wantCode(t, err, core.ENotFound)
}

func TestDeleteSessionAndCourse(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	m := platform(t, s)
	c, err := s.CreateCourse(ctx, "Accueil")
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Now().Add(24 * time.Hour)
	empty, err := s.CreateSession(ctx, core.Session{CourseID: c.ID, Name: "Session vide", Opens: opens})
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.CreateSession(ctx, core.Session{CourseID: c.ID, Name: "Session pleine", Opens: opens})
	if err != nil {
		t.Fatal(err)
	}
	anne, err := s.CreateUser(ctx, core.NewUser{Login: "anne@exemple.fr"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnrolUsers(ctx, full.ID, []int64{anne.ID}, m); err != nil {
		t.Fatal(err)
	}

	// a course with sessions, and a session with learners, stay
	ce := wantCode(t, s.DeleteCourse(ctx, c.ID), core.EConflict)
	if !strings.Contains(ce.Error(), "a encore des sessions") {
		t.Errorf("message = %q", ce.Error())
	}
	ce = wantCode(t, s.DeleteSession(ctx, full.ID), core.EConflict)
	if !strings.Contains(ce.Error(), "«\u00a0Session pleine\u00a0» compte encore des apprenants") {
		t.Errorf("message = %q", ce.Error())
	}
	if n := count(t, s, `SELECT count(*) FROM session_members`); n != 1 {
		t.Errorf("%d enrolments after a refused deletion", n)
	}

	if err := s.DeleteSession(ctx, empty.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteSession(ctx, empty.ID), core.ENotFound)
	if _, err := s.RemoveFromSession(ctx, full.ID, []int64{anne.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, full.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCourse(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteCourse(ctx, c.ID), core.ENotFound)
	if list, _ := s.Courses(ctx); len(list) != 0 {
		t.Errorf("courses left: %+v", list)
	}
	if n := count(t, s, `SELECT count(*) FROM audit WHERE action IN ('session.delete', 'course.delete') AND detail LIKE '%"before"%'`); n != 3 {
		t.Errorf("%d audit rows for the deletions, want 3", n)
	}
	if u, err := s.UserByLogin(ctx, "anne@exemple.fr"); err != nil || u.ID != anne.ID {
		t.Errorf("anne after the deletions: %+v, %v", u, err)
	}
}
