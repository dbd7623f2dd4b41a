package core

import (
	"strings"
	"time"
)

// ListedAddress is one address read from a list a manager pasted or dropped.
type ListedAddress struct {
	Input     string  // the text as it was given (for a "Nom <adresse>" form, the address part)
	Address   Address // valid when Err is nil
	Err       error   // why Input is not an address, in French (from ParseAddress)
	Duplicate bool    // an earlier entry of the list has the same login
}

// ParseAddressList reads a pasted list of addresses. Entries may be separated by any
// mix of commas, semicolons, spaces, tabs and new lines. The form a mail program
// copies, Jean Dupont <jean.dupont@example.fr> (or "Dupont, Jean" <…>), is accepted:
// the address between the angle brackets is kept and the name is dropped, since only
// the address is used. Inside such an entry, words outside the brackets that hold no
// "@" are taken for the name; elsewhere every word is judged by ParseAddress, so a
// stray word is listed as invalid rather than silently ignored. Entries come back in
// the order given; the second and later occurrences of one login (case, Unicode form
// and punycode aside) are marked Duplicate.
func ParseAddressList(text string) []ListedAddress {
	var out []ListedAddress
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		e := ListedAddress{Input: s}
		e.Address, e.Err = ParseAddress(s)
		if e.Err == nil {
			e.Duplicate = seen[e.Address.Key]
			seen[e.Address.Key] = true
		}
		out = append(out, e)
	}
	for _, item := range splitList(text) {
		if !strings.Contains(item, "<") {
			for _, w := range strings.Fields(item) {
				add(strings.Trim(w, `"'`))
			}
			continue
		}
		// Jean Dupont <jean@x.fr>, possibly several in one item when only spaces separate them.
		rest := item
		for {
			open := strings.IndexByte(rest, '<')
			if open < 0 {
				break
			}
			for _, w := range strings.Fields(stripQuoted(rest[:open])) {
				if strings.Contains(w, "@") {
					add(w)
				}
			}
			end := strings.IndexByte(rest[open:], '>')
			if end < 0 {
				add(rest[open:]) // "<jean@x.fr" without its end: ParseAddress says why
				rest = ""
				break
			}
			add(rest[open+1 : open+end])
			rest = rest[open+end+1:]
		}
		for _, w := range strings.Fields(stripQuoted(rest)) {
			if strings.Contains(w, "@") || strings.ContainsAny(w, "<>") {
				add(w)
			}
		}
	}
	return out
}

// splitList cuts text at commas, semicolons and line ends that are not inside double
// quotes (a quoted display name may hold a comma).
func splitList(text string) []string {
	var items []string
	var b strings.Builder
	quoted := false
	for _, r := range text {
		switch {
		case r == '"':
			quoted = !quoted
			b.WriteRune(r)
		case !quoted && (r == ',' || r == ';' || r == '\n' || r == '\r'):
			items = append(items, b.String())
			b.Reset()
		default:
			b.WriteRune(r)
		}
	}
	return append(items, b.String())
}

// stripQuoted removes "…" runs (display names) from s.
func stripQuoted(s string) string {
	var b strings.Builder
	quoted := false
	for _, r := range s {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if !quoted {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// AddressesInCells returns the cells of a spreadsheet row that hold an address (any
// cell with an "@"), so that a list of accounts exported by the platform can be read
// whatever its column order; header cells such as "E-mail" are skipped.
func AddressesInCells(cells []string) []string {
	var out []string
	for _, c := range cells {
		if strings.Contains(c, "@") {
			out = append(out, strings.TrimSpace(c))
		}
	}
	return out
}

// InviteRequest is what the manager chose in Inviter par e-mail (or when adding new
// addresses to a session).
type InviteRequest struct {
	Addresses []string // raw entries, each judged by ParseAddress (see ParseAddressList)
	GroupIDs  []int64  // subgroups besides the Groupe général; the first is the invitation's group
	SessionID int64    // 0: no session
	Language  Language // language of the mail; "" means French
	// UseAlias invites an address that is already an account under the "#" alias built
	// from the platform name (Address.WithAlias), instead of leaving it out.
	UseAlias bool
}

// InvitePreview sorts the entries of an InviteRequest before anything is written.
type InvitePreview struct {
	New        []Address       // will be invited (a user with status invited is created or reused)
	Resend     []PendingInvite // already invited: the invitation is sent again
	Accounts   []ExistingAccount
	Invalid    []InvalidAddress
	Duplicates []string // entries given more than once (kept once)
	Alias      string   // the tag aliases are made with (from the platform name); "" if none can be made
	// Typos are new addresses whose domain looks like a slip on a common provider's
	// (gmial.com): they are invited all the same, but the manager should look again.
	Typos []DomainTypo
}

// DomainTypo is an address whose domain looks misspelled, with the address meant.
type DomainTypo struct {
	Address    Address
	Suggestion string // e.g. jean.dupont@gmail.com
}

// PendingInvite is an address that already has a pending invitation.
type PendingInvite struct {
	Address      Address
	InvitationID int64
	UserID       int64
	Created      time.Time
	LastSent     time.Time
}

// ExistingAccount is an address that is already the login of an account (active or
// disabled). Alias is the login offered instead; AliasTaken says it is taken too.
type ExistingAccount struct {
	Address    Address
	User       User // login, names and groups: where the address is used
	Alias      Address
	AliasTaken bool
	// Enrol is set when the request is for a session: the account is simply added to
	// it, with the session mail, which is not a problem at all.
	Enrol bool
}

// InvalidAddress is an entry that is not an address, with the French reason.
type InvalidAddress struct {
	Input  string
	Reason string
}

// InviteResult sums up a confirmed invitation, in the shape `convive invite --json`
// prints.
type InviteResult struct {
	Invited        int      `json:"invited"`
	Resent         int      `json:"resent"`
	Enrolled       int      `json:"enrolled,omitempty"` // existing accounts added to the session
	AlreadyAccount []string `json:"already_account"`
	Invalid        []string `json:"invalid"`
}

// CancelPreview sorts a list of addresses to cancel.
type CancelPreview struct {
	Cancel           []Invitation // pending: will be cancelled
	NotFound         []string     // valid addresses without any invitation
	AlreadyAccepted  []string
	AlreadyCancelled []string
	Invalid          []InvalidAddress
}

// CancelResult sums up a cancellation, in the shape `convive cancel --json` prints.
type CancelResult struct {
	Cancelled        int      `json:"cancelled"`
	NotFound         []string `json:"not_found"`
	AlreadyAccepted  []string `json:"already_accepted"`
	AlreadyCancelled []string `json:"already_cancelled"`
	Invalid          []string `json:"invalid"`
}

// AcceptResult sums up accepted invitations (one by one or by reconciliation with
// the platform's list of active accounts).
type AcceptResult struct {
	Accepted         int      `json:"accepted"`
	NotFound         []string `json:"not_found"`
	AlreadyAccepted  []string `json:"already_accepted"`
	AlreadyCancelled []string `json:"already_cancelled"`
	Invalid          []string `json:"invalid"`
}

// InvitationScope selects the two views of Invitations en attente.
type InvitationScope string

// Scopes.
const (
	ScopeAll       InvitationScope = ""          // every invitation
	ScopeGroup     InvitationScope = "group"     // Dans le groupe: into the Groupe général
	ScopeSubgroups InvitationScope = "subgroups" // Dans les sous-groupes
)

// InvitationSort names a column the invitation list can be sorted by.
type InvitationSort string

// Sortable columns of the invitation list.
const (
	InvSortCreated  InvitationSort = "created" // the default, newest first with Desc
	InvSortLogin    InvitationSort = "login"
	InvSortLastSent InvitationSort = "last_sent"
	InvSortState    InvitationSort = "state"
)

// InvitationFilter selects a page of invitations; filtering, sorting and paging
// happen in SQL.
type InvitationFilter struct {
	Scope     InvitationScope
	States    []InvitationState // empty: every state
	GroupID   int64             // 0: any group
	SessionID int64             // 0: any session (or none)
	From, To  time.Time         // created in [From, To); zero: unbounded
	Search    string            // folded, matched in the login and the person's names
	Sort      InvitationSort
	Desc      bool
	Offset    int
	Limit     int // 0: no limit
}

// InvitationRow is one line of the invitation list: the invitation with the names of
// its person, group and session.
type InvitationRow struct {
	Invitation
	FirstName string
	LastName  string
	Group     string // path, "" for the Groupe général
	Session   string // "Parcours — Session", "" when none
}

// InvitationTable returns the header and rows of an export of the invitation list
// (for sheet.WriteTable), French headers, dates as 25/11/2026 14:05, every cell that a
// spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
// return) made inert with a leading apostrophe.
func InvitationTable(rows []InvitationRow) ([]string, [][]string) {
	header := []string{"Identifiant", "E-mail", "Prénom", "Nom", "Groupe", "Session", "État", "Langue", "Créée le", "Dernier envoi"}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		group := r.Group
		if group == "" {
			group = RootGroupName
		}
		cells := []string{r.Login, r.Email, r.FirstName, r.LastName, group, r.Session, r.State.Label(), r.Language.Label(),
			FrenchDateTime(r.Created), FrenchDateTime(r.LastSent)}
		for i := range cells {
			cells[i] = InertCell(cells[i])
		}
		out = append(out, cells)
	}
	return header, out
}

// InertCell keeps a spreadsheet from reading a cell as a formula: a cell that starts
// with = + - @ (or a tab or carriage return) gets a leading apostrophe.
func InertCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Label returns the French word shown for the state.
func (s InvitationState) Label() string {
	switch s {
	case InvitationAccepted:
		return "Acceptée"
	case InvitationCancelled:
		return "Annulée"
	}
	return "En attente"
}

// ParseInvitationState reads a state as typed on the command line (English code or
// French word); "all" and "" give "".
func ParseInvitationState(s string) (InvitationState, bool) {
	switch Fold(strings.TrimSpace(s)) {
	case "", "all", "toutes", "tous":
		return "", true
	case "pending", "en attente", "attente":
		return InvitationPending, true
	case "accepted", "acceptee", "acceptees":
		return InvitationAccepted, true
	case "cancelled", "canceled", "annulee", "annulees":
		return InvitationCancelled, true
	}
	return "", false
}

// EmailChange says what ChangeEmail did.
type EmailChange struct {
	User           User
	Reinvited      bool  // the account was only invited: old invitation cancelled, new one made
	InvitationID   int64 // the new invitation, when Reinvited
	MessagesMoved  int   // queued mails readdressed (active account)
	CancelledMails int   // queued mails of the old invitation cancelled
}

// SessionSummary is a session with its course's name and its number of learners.
type SessionSummary struct {
	Session
	Course  string
	Members int
}

// Label names the session the way lists show it: "Parcours — Session".
func (s SessionSummary) Label() string { return s.Course + " — " + s.Name }
