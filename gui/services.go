// Package gui holds Convive's desktop window: the navigation, one screen per task and the
// dialogs, built with Fyne. It receives the fyne.App and the core services from
// cmd/convive and holds no rule of its own: every check, search and sort is done by the
// services it is given.
//
// Work that may take time runs on its own goroutine and comes back to the window through
// fyne.Do; functions that start such work are named …Async.
package gui

import (
	"context"

	"convive/core"
)

// SettingsService is what the Paramètres screen and the window itself need.
type SettingsService interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	Organisation(ctx context.Context) (core.Organisation, error)
	SetOrganisation(ctx context.Context, org core.Organisation) error
}

// StatsService gives the counts of the Tableau de bord and of the navigation badges.
type StatsService interface {
	Stats(ctx context.Context) (core.Stats, error)
}

// UserLister pages through users; the Utilisateurs table and the members of a group
// use it.
type UserLister interface {
	Users(ctx context.Context, f core.UserFilter) ([]core.User, error)
	CountUsers(ctx context.Context, f core.UserFilter) (int, error)
}

// UsersService is what the Utilisateurs screen and its detail panel need.
type UsersService interface {
	UserLister
	User(ctx context.Context, id int64) (core.User, error)
	UpdateUser(ctx context.Context, id int64, u core.UserUpdate) (core.User, error)
	UserGroupIDs(ctx context.Context, id int64) ([]int64, error)
	Groups(ctx context.Context) ([]core.Group, error)
	Audit(ctx context.Context, entity string, id int64) ([]core.AuditEntry, error)
}

// GroupsService is what the Groupes screen needs.
type GroupsService interface {
	UserLister
	Groups(ctx context.Context) ([]core.Group, error)
	CreateGroup(ctx context.Context, parentID int64, name string) (core.Group, error)
	RenameGroup(ctx context.Context, id int64, name string) error
	MoveGroup(ctx context.Context, id, newParentID int64) error
	GroupDeletionImpact(ctx context.Context, id int64) (subgroups, members int, err error)
	DeleteGroup(ctx context.Context, id int64) error
}

// Services is everything the window needs; *sqlite.Store satisfies it.
type Services interface {
	SettingsService
	StatsService
	UsersService
	GroupsService
	// Path is the database file, shown in the status bar.
	Path() string
}
