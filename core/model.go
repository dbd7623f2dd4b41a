package core

import "time"

// RootGroupName is the name of the group that stands for the organisation itself.
const RootGroupName = "Groupe général"

// Role is what a person does on the platform.
type Role string

// Roles, as stored.
const (
	RoleLearner Role = "learner"
	RoleCoach   Role = "coach"
	RoleAdmin   Role = "admin"
)

// Roles lists every role in the order the GUI offers them.
var Roles = []Role{RoleLearner, RoleCoach, RoleAdmin}

// Label returns the French name of the role.
func (r Role) Label() string {
	switch r {
	case RoleCoach:
		return "Formateur"
	case RoleAdmin:
		return "Administrateur"
	default:
		return "Apprenant"
	}
}

// Language is the language of a person's mail and platform.
type Language string

// Languages, as stored.
const (
	LangFR Language = "fr"
	LangEN Language = "en"
)

// Languages lists every language in the order the GUI offers them.
var Languages = []Language{LangFR, LangEN}

// Label returns the language's name in French.
func (l Language) Label() string {
	if l == LangEN {
		return "Anglais"
	}
	return "Français"
}

// UserStatus says where a person stands with the platform.
type UserStatus string

// User statuses, as stored.
const (
	StatusInvited  UserStatus = "invited"  // an invitation is pending
	StatusActive   UserStatus = "active"   // provisioned, or invitation accepted
	StatusDisabled UserStatus = "disabled" // kept for the record, no longer on the platform
)

// Label returns the French word shown for the status.
func (s UserStatus) Label() string {
	switch s {
	case StatusInvited:
		return "Invité"
	case StatusDisabled:
		return "Désactivé"
	default:
		return "Actif"
	}
}

// Organisation is the organisation using Convive. Its name is the platform name used
// to build "#" aliases; its URL goes into the links of the mails.
type Organisation struct {
	Name string
	URL  string
}

// Group is a node of the group tree; the root group has ParentID 0.
type Group struct {
	ID       int64
	ParentID int64
	Name     string
	Path     string // names from below the root, joined by "/"; "" for the root
	Depth    int    // 0 for the root
	Members  int    // direct members
}

// IsRoot reports whether g is the Groupe général.
func (g Group) IsRoot() bool { return g.ParentID == 0 }

// User is a person with a login on the platform (or invited to have one).
type User struct {
	ID        int64
	Login     string
	Email     string // delivery address
	FirstName string
	LastName  string
	Language  Language
	Role      Role
	Status    UserStatus
	Created   time.Time
	Updated   time.Time
	Groups    []string // group paths, French order; filled by list and find calls
}

// FullName returns "Prénom Nom", or the login when both names are empty.
func (u User) FullName() string {
	n := CleanName(u.FirstName + " " + u.LastName)
	if n == "" {
		return u.Login
	}
	return n
}

// NewUser is what it takes to create a user.
type NewUser struct {
	Login     string // e-mail address, possibly with a "#" alias
	FirstName string
	LastName  string
	Language  Language // "" means French
	Role      Role     // "" means learner
	Status    UserStatus
	GroupIDs  []int64 // besides the root group, which every user belongs to
}

// UserUpdate changes the fields that are not nil.
type UserUpdate struct {
	FirstName *string
	LastName  *string
	Language  *Language
	Role      *Role
	Status    *UserStatus
	GroupIDs  *[]int64 // the complete set of subgroups; the root group always stays
}

// UserSort names a column the user list can be sorted by.
type UserSort string

// Sortable columns.
const (
	SortLastName  UserSort = "last_name"
	SortFirstName UserSort = "first_name"
	SortLogin     UserSort = "login"
	SortStatus    UserSort = "status"
	SortCreated   UserSort = "created"
)

// UserFilter selects and orders a page of users; paging and filtering happen in SQL.
type UserFilter struct {
	Search  string // folded and matched anywhere in login, first and last name
	GroupID int64  // 0: everyone; otherwise the direct members of that group
	Status  UserStatus
	Sort    UserSort // "" means last name
	Desc    bool
	Offset  int
	Limit   int // 0 means no limit
}

// Course is a learning path ("parcours").
type Course struct {
	ID      int64
	Name    string
	Created time.Time
}

// Session is one dated run of a course.
type Session struct {
	ID       int64
	CourseID int64
	Name     string
	Opens    time.Time
	Closes   time.Time // zero when open-ended
}

// InvitationState is the life of an invitation.
type InvitationState string

// Invitation states, as stored.
const (
	InvitationPending   InvitationState = "pending"
	InvitationAccepted  InvitationState = "accepted"
	InvitationCancelled InvitationState = "cancelled"
)

// Invitation asks a person to set up their account; valid until cancelled.
type Invitation struct {
	ID        int64
	UserID    int64
	Login     string
	Email     string
	GroupID   int64 // the group invited into (root for "Dans le groupe")
	SessionID int64 // 0 when not for a session
	Language  Language
	State     InvitationState
	Created   time.Time
	LastSent  time.Time // zero until a mail went out
	BatchID   int64     // 0 when not from an import
}

// MessageState is the life of an outbox message.
type MessageState string

// Outbox message states, as stored.
const (
	MessageQueued    MessageState = "queued"
	MessageSending   MessageState = "sending"
	MessageSent      MessageState = "sent"
	MessageFailed    MessageState = "failed"
	MessageUnknown   MessageState = "unknown"
	MessageCancelled MessageState = "cancelled"
)

// MessageKind says which template a message was made from.
type MessageKind string

// Message kinds.
const (
	KindInvitation MessageKind = "invitation"
	KindWelcome    MessageKind = "welcome"
	KindSession    MessageKind = "session"
	KindReset      MessageKind = "reset"
	KindTest       MessageKind = "test"
)

// Message is one mail in the outbox.
type Message struct {
	ID           int64
	Kind         MessageKind
	To           string
	Subject      string
	Text         string
	HTML         string
	MessageID    string // fixed at creation, reused on every attempt
	Due          time.Time
	State        MessageState
	Attempts     int
	NextAttempt  time.Time
	LastError    string
	InvitationID int64
	UserID       int64
	Created      time.Time
	Sent         time.Time
}

// Batch is one import of a spreadsheet.
type Batch struct {
	ID       int64
	File     string
	Sheet    string
	Who      string
	Created  time.Time
	Rows     int
	NewUsers int // users created
	Updated  int
	Invited  int
	Undone   time.Time
}

// AuditEntry records one change, written in the same transaction as the change.
type AuditEntry struct {
	ID       int64
	At       time.Time
	Who      string
	Action   string // e.g. "user.create", "group.rename"
	Entity   string // "user", "group", …
	EntityID int64
	Detail   string // JSON: the fields before and after
	BatchID  int64
}

// Stats are the counts of the Tableau de bord.
type Stats struct {
	Users              int
	Groups             int // subgroups, the root aside
	PendingInvitations int
	OutboxWaiting      int // queued or sending, plus unknown ones waiting for a decision
}
