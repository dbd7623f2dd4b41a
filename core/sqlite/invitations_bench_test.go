package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"convive/core"
	"convive/core/sqlite"
)

// benchAddresses returns n distinct addresses as one pasted list, one per line.
func benchAddresses(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "apprenant.%d@exemple.fr\n", i)
	}
	return b.String()
}

// BenchmarkInviteSession10000 invites 10 000 new addresses into a session that opens
// next month: 10 000 users, invitations, session members, tokens and queued session
// mails (rendered from the template), in one transaction. Target: under 2 s.
func BenchmarkInviteSession10000(b *testing.B) {
	ctx := context.Background()
	list := benchAddresses(10000)
	var cpu time.Duration
	defer func() { reportCPU(b, cpu) }()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := open(b)
		m := platform(b, s)
		c, err := s.CreateCourse(ctx, "Accueil")
		if err != nil {
			b.Fatal(err)
		}
		se, err := s.CreateSession(ctx, core.Session{CourseID: c.ID, Name: "Janvier", Opens: time.Now().Add(30 * 24 * time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := cpuTime()
		res, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{list}, SessionID: se.ID}, m)
		cpu += cpuTime() - start
		if err != nil || res.Invited != 10000 {
			b.Fatalf("%+v, %v", res, err)
		}
		b.StopTimer()
		if n := len(queued(b, s)); n != 10000 {
			b.Fatalf("%d queued mails", n)
		}
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkCancel10000FromPastedList cancels 10 000 pending invitations from a pasted
// list, with their 10 000 queued mails. Target: under 2 s.
func BenchmarkCancel10000FromPastedList(b *testing.B) {
	ctx := context.Background()
	list := benchAddresses(10000)
	var cpu time.Duration
	defer func() { reportCPU(b, cpu) }()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := open(b)
		m := platform(b, s)
		if _, err := s.Invite(ctx, core.InviteRequest{Addresses: []string{list}}, m); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := cpuTime()
		res, err := s.CancelInvitations(ctx, []string{list})
		cpu += cpuTime() - start
		if err != nil || res.Cancelled != 10000 {
			b.Fatalf("%+v, %v", res, err)
		}
		b.StopTimer()
		if n := len(queued(b, s)); n != 0 {
			b.Fatalf("%d mails still queued", n)
		}
		s.Close()
		b.StartTimer()
	}
}

// invitations100k is one database of 100 000 invitations shared by the view benchmarks.
func invitations100k(b *testing.B) *sqlite.Store {
	b.Helper()
	s := open(b)
	if err := sqlite.FillInvitations(s, 100000); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkPendingInvitationsPage reads one page of 50 pending invitations and counts
// them, as each view of Invitations en attente does, among 100 000 invitations.
func BenchmarkPendingInvitationsPage(b *testing.B) {
	ctx := context.Background()
	s := invitations100k(b)
	pending := []core.InvitationState{core.InvitationPending}
	for _, c := range []struct {
		name string
		f    core.InvitationFilter
	}{
		{"DansLeGroupe", core.InvitationFilter{Scope: core.ScopeGroup, States: pending, Sort: core.InvSortCreated, Desc: true}},
		{"DansLesSousGroupes", core.InvitationFilter{Scope: core.ScopeSubgroups, States: pending, Sort: core.InvSortCreated, Desc: true}},
		{"ParIdentifiant", core.InvitationFilter{States: pending, Sort: core.InvSortLogin, Offset: 50000}},
		{"Recherche", core.InvitationFilter{States: pending, Search: "lefevre"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := c.f
			f.Limit = 50
			start := cpuTime()
			defer func() { reportCPU(b, cpuTime()-start) }()
			for b.Loop() {
				rows, err := s.Invitations(ctx, f)
				if err != nil || len(rows) != 50 {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
				if _, err := s.CountInvitations(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportCPU adds the CPU time per operation, in milliseconds, which unlike the wall
// clock does not grow when other programs share the machine.
func reportCPU(b *testing.B, cpu time.Duration) {
	if b.N > 0 && cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}
