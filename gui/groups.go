package gui

import (
	"context"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// GroupsScreen is the Groupes screen: the tree of groups under the Groupe général, the
// actions on the selected group, and its members.
type GroupsScreen struct {
	// Tree shows the groups; node identifiers are group ids in decimal.
	Tree *widget.Tree
	// New creates a subgroup under the selected group (the screen's main action).
	New *widget.Button
	// Rename, Move and Delete act on the selected subgroup; the root cannot be changed.
	Rename, Move, Delete *widget.Button
	// MembersTitle counts the members shown in Members, a paged list.
	MembersTitle *widget.Label
	Members      *widget.List
	// AddUsers opens the menu Inviter par e-mail / Paramétrer un compte for the
	// selected group; it shows when the window offers invitations.
	AddUsers *widget.Button
	// onInvite and onProvision open those dialogs with the group ticked.
	onInvite, onProvision func(groupID int64)

	// Dialog is the dialog open on the screen, NameEntry its name field and
	// ParentSelect its choice of parent (Déplacer), for the keyboard and the tests.
	Dialog       dialog.Dialog
	NameEntry    *Entry
	ParentSelect *widget.Select

	groups   map[string]core.Group
	children map[string][]string
	order    []core.Group // depth-first, as the store gives them
	rootID   string
	selected string
	loaded   bool
	pager    *pager[core.UserFilter, core.User]
	content  fyne.CanvasObject
	w        fyne.Window
	st       GroupsService
}

func newGroupsScreen(w fyne.Window, st GroupsService) *GroupsScreen {
	s := &GroupsScreen{w: w, st: st, groups: map[string]core.Group{}, children: map[string][]string{}}
	s.Tree = widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID {
			if id == "" {
				if s.rootID == "" {
					return nil
				}
				return []string{s.rootID}
			}
			return s.children[id]
		},
		func(id widget.TreeNodeID) bool { return id == "" || len(s.children[id]) > 0 },
		func(bool) fyne.CanvasObject {
			n := widget.NewLabel("")
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, nil, n, name)
		},
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			g := s.groups[id]
			c := o.(*fyne.Container)
			name := g.Name
			if g.IsRoot() {
				name = lang.X("groups.root", "Groupe général")
			}
			c.Objects[0].(*widget.Label).SetText(name)
			members := ""
			if g.Members > 0 && !g.IsRoot() {
				members = formatInt(g.Members)
			}
			c.Objects[1].(*widget.Label).SetText(members)
		})
	s.Tree.OnSelected = s.onSelected

	s.New = &widget.Button{Text: lang.X("groups.new", "Nouveau sous-groupe"), Icon: theme.ContentAddIcon(),
		Importance: widget.HighImportance, OnTapped: s.onNew}
	s.Rename = &widget.Button{Text: lang.X("groups.rename", "Renommer"), Icon: theme.DocumentCreateIcon(), OnTapped: s.onRename}
	s.Move = &widget.Button{Text: lang.X("groups.move", "Déplacer"), Icon: theme.MoveUpIcon(), OnTapped: s.onMove}
	s.Delete = &widget.Button{Text: lang.X("groups.delete", "Supprimer"), Icon: theme.DeleteIcon(),
		Importance: widget.DangerImportance, OnTapped: s.onDeleteAsync}

	s.pager = newPager(st.CountUsers,
		func(ctx context.Context, f core.UserFilter, offset, limit int) ([]core.User, error) {
			f.Offset, f.Limit = offset, limit
			return st.Users(ctx, f)
		})
	s.pager.onChange = s.refreshMembers
	s.pager.onError = func(err error) { showErrorAsync(w, err) }

	s.MembersTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.MembersTitle.Wrapping = fyne.TextWrapWord
	s.Members = widget.NewList(
		func() int { return s.pager.Len() },
		func() fyne.CanvasObject {
			login := widget.NewLabel("")
			login.Truncation = fyne.TextTruncateEllipsis
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			return container.NewGridWithColumns(2, name, login)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			name, login := c.Objects[0].(*widget.Label), c.Objects[1].(*widget.Label)
			u, ok := s.pager.Item(i)
			if !ok {
				name.SetText("…")
				login.SetText("")
				return
			}
			name.SetText(core.CleanName(u.FirstName + " " + u.LastName))
			login.SetText(u.Login)
		})

	tools := container.NewHBox(s.Rename, s.Move, s.Delete)
	left := container.NewBorder(tools, nil, nil, nil, s.Tree)
	s.AddUsers = &widget.Button{Text: lang.X("groups.add_users", "Ajouter des utilisateurs"), Icon: theme.ContentAddIcon(), OnTapped: s.onAddUsers}
	s.AddUsers.Hide()
	right := container.NewBorder(container.NewBorder(nil, nil, nil, container.NewVBox(s.AddUsers), s.MembersTitle), nil, nil, nil, s.Members)
	split := container.NewHSplit(left, right)
	split.Offset = 0.45
	s.content = split
	s.updateButtons()
	return s
}

func (s *GroupsScreen) id() string                { return ScreenGroups }
func (s *GroupsScreen) icon() fyne.Resource       { return theme.FolderIcon() }
func (s *GroupsScreen) title() string             { return lang.X("nav.groups", "Groupes") }
func (s *GroupsScreen) action() fyne.CanvasObject { return s.New }
func (s *GroupsScreen) view() fyne.CanvasObject   { return s.content }
func (s *GroupsScreen) subtitle() string {
	return lang.X("groups.subtitle", "Rangez les personnes en sous-groupes sous le Groupe général, qui réunit tout le monde.")
}

func (s *GroupsScreen) shown() { s.reloadAsync("") }

// Selected returns the selected group, the root when nothing is selected yet.
func (s *GroupsScreen) Selected() core.Group {
	if g, ok := s.groups[s.selected]; ok {
		return g
	}
	return s.groups[s.rootID]
}

// GroupID returns the tree node of a group id.
func GroupID(id int64) widget.TreeNodeID { return strconv.FormatInt(id, 10) }

// reloadAsync reads the tree again and then selects the group sel; "" keeps the
// selection of the moment the tree arrives, and a group that no longer exists gives
// way to the root.
func (s *GroupsScreen) reloadAsync(sel string) {
	var groups []core.Group
	runAsync(s.w, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		groups, err = s.st.Groups(ctx)
		return err
	}, func(err error) {
		if err == nil {
			s.setGroups(groups, sel)
		}
	})
}

func (s *GroupsScreen) setGroups(groups []core.Group, sel string) {
	s.order = groups
	s.groups = make(map[string]core.Group, len(groups))
	s.children = map[string][]string{}
	for _, g := range groups {
		id := GroupID(g.ID)
		s.groups[id] = g
		if g.IsRoot() {
			s.rootID = id
			continue
		}
		p := GroupID(g.ParentID)
		s.children[p] = append(s.children[p], id)
	}
	if sel == "" {
		sel = s.selected
	}
	if _, ok := s.groups[sel]; !ok {
		sel = s.rootID
	}
	if !s.loaded {
		s.loaded = true
		s.Tree.OpenBranch(s.rootID)
	}
	// Open the ancestors of the selection so that it is visible.
	for p := s.groups[sel].ParentID; p != 0; p = s.groups[GroupID(p)].ParentID {
		s.Tree.OpenBranch(GroupID(p))
	}
	s.Tree.Refresh()
	if sel == s.selected {
		s.onSelected(sel) // same node: Select would not call back, but counts changed
	}
	s.Tree.Select(sel)
	s.Tree.ScrollTo(sel)
}

func (s *GroupsScreen) onSelected(id widget.TreeNodeID) {
	s.selected = id
	s.updateButtons()
	s.pager.reset(s.memberFilter())
}

func (s *GroupsScreen) updateButtons() {
	g, ok := s.groups[s.selected]
	if !ok || g.IsRoot() {
		s.Rename.Disable()
		s.Move.Disable()
		s.Delete.Disable()
	} else {
		s.Rename.Enable()
		s.Move.Enable()
		s.Delete.Enable()
	}
	if s.rootID == "" {
		s.New.Disable()
	} else {
		s.New.Enable()
	}
}

// onAddUsers offers Inviter par e-mail and Paramétrer un compte for the selected group.
func (s *GroupsScreen) onAddUsers() {
	g, ok := s.groups[s.selected]
	if !ok || s.onInvite == nil {
		return
	}
	id := g.ID
	if g.IsRoot() {
		id = 0
	}
	menu := fyne.NewMenu("",
		fyne.NewMenuItem(lang.X("invite.action", "Inviter par e-mail"), func() { s.onInvite(id) }),
		fyne.NewMenuItem(lang.X("provision.action", "Paramétrer un compte"), func() { s.onProvision(id) }))
	c := fyne.CurrentApp().Driver().CanvasForObject(s.AddUsers)
	if c == nil {
		return
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.AddUsers).Add(fyne.NewPos(0, s.AddUsers.Size().Height))
	widget.ShowPopUpMenuAtPosition(menu, c, pos)
}

// memberFilter lists the direct members of the selected group, or everyone for the
// root, which everyone belongs to.
func (s *GroupsScreen) memberFilter() core.UserFilter {
	g := s.Selected()
	if g.IsRoot() {
		return core.UserFilter{}
	}
	return core.UserFilter{GroupID: g.ID}
}

func (s *GroupsScreen) refreshMembers() {
	g, n := s.Selected(), s.pager.Len()
	switch {
	case g.IsRoot():
		s.MembersTitle.SetText(lang.XN("groups.members.root", "Les {{.N}} utilisateurs de l'organisation font partie du Groupe général.", n, count(n)))
	case n == 0:
		s.MembersTitle.SetText(lang.X("groups.members.none", "Le groupe « {{.Name}} » n'a pas encore de membre direct.", map[string]any{"Name": g.Name}))
	default:
		s.MembersTitle.SetText(lang.XN("groups.members.count", "{{.N}} membres directs dans « {{.Name}} »", n,
			map[string]any{"N": formatInt(n), "Name": g.Name}))
	}
	s.Members.Refresh()
}

func (s *GroupsScreen) parentName(g core.Group) string {
	if g.IsRoot() {
		return lang.X("groups.root", "Groupe général")
	}
	return g.Name
}

func (s *GroupsScreen) onNew() {
	parent := s.Selected()
	title := lang.X("groups.new.title", "Nouveau sous-groupe dans « {{.Name}} »", map[string]any{"Name": s.parentName(parent)})
	d, e := nameDialog(s.w, title, lang.X("groups.name", "Nom"), "", lang.X("groups.new.confirm", "Créer"), func(name string) {
		var g core.Group
		runAsync(s.w, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var err error
			g, err = s.st.CreateGroup(ctx, parent.ID, name)
			return err
		}, func(err error) {
			if err == nil {
				s.reloadAsync(GroupID(g.ID))
			}
		})
	})
	s.showDialog(d, e, nil)
}

func (s *GroupsScreen) onRename() {
	g := s.Selected()
	if g.IsRoot() {
		return
	}
	title := lang.X("groups.rename.title", "Renommer le groupe « {{.Name}} »", map[string]any{"Name": g.Name})
	d, e := nameDialog(s.w, title, lang.X("groups.name", "Nom"), g.Name, lang.X("groups.rename.confirm", "Renommer"), func(name string) {
		runAsync(s.w, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return s.st.RenameGroup(ctx, g.ID, name)
		}, func(err error) {
			if err == nil {
				s.reloadAsync(GroupID(g.ID))
			}
		})
	})
	s.showDialog(d, e, nil)
}

// validParents lists the groups g may move under: any group outside g's own subtree.
func (s *GroupsScreen) validParents(g core.Group) []core.Group {
	inside := map[int64]bool{g.ID: true}
	var out []core.Group
	for _, o := range s.order { // depth-first: a parent comes before its children
		if inside[o.ParentID] {
			inside[o.ID] = true
		}
		if !inside[o.ID] {
			out = append(out, o)
		}
	}
	return out
}

func (s *GroupsScreen) onMove() {
	g := s.Selected()
	if g.IsRoot() {
		return
	}
	parents := s.validParents(g)
	labels := make([]string, len(parents))
	current := 0
	for i, p := range parents {
		labels[i] = p.Path
		if p.IsRoot() {
			labels[i] = lang.X("groups.root", "Groupe général")
		}
		if p.ID == g.ParentID {
			current = i
		}
	}
	sel := widget.NewSelect(labels, nil)
	sel.SetSelectedIndex(current)
	title := lang.X("groups.move.title", "Déplacer le groupe « {{.Name}} »", map[string]any{"Name": g.Name})
	d := dialog.NewForm(title, lang.X("groups.move.confirm", "Déplacer"), lang.X("dialog.cancel", "Annuler"),
		[]*widget.FormItem{widget.NewFormItem(lang.X("groups.move.parent", "Sous le groupe"), sel)},
		func(ok bool) {
			i := sel.SelectedIndex()
			if !ok || i < 0 || parents[i].ID == g.ParentID {
				return
			}
			parent := parents[i].ID
			runAsync(s.w, func() error {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				return s.st.MoveGroup(ctx, g.ID, parent)
			}, func(err error) {
				if err == nil {
					s.reloadAsync(GroupID(g.ID))
				}
			})
		}, s.w)
	withKeys(s.w, d, d.Submit)
	d.Resize(fyne.NewSize(480, d.MinSize().Height))
	s.showDialog(d, nil, sel)
}

// onDeleteAsync counts what the deletion would take away, then asks.
func (s *GroupsScreen) onDeleteAsync() {
	g := s.Selected()
	if g.IsRoot() {
		return
	}
	var subgroups, members int
	runAsync(s.w, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		subgroups, members, err = s.st.GroupDeletionImpact(ctx, g.ID)
		return err
	}, func(err error) {
		if err != nil {
			return
		}
		d := confirmDialog(s.w, lang.X("groups.delete.title", "Supprimer un groupe"),
			deletionQuestion(g.Name, subgroups, members), lang.X("groups.delete.confirm", "Supprimer"),
			func() { s.deleteAsync(g) })
		s.showDialog(d, nil, nil)
	})
}

// deletionQuestion asks whether to delete a group, with what goes with it and the
// reassurance that people stay.
func deletionQuestion(name string, subgroups, members int) string {
	data := map[string]any{"Name": name, "Subgroups": formatInt(subgroups), "Members": formatInt(members)}
	var q string
	if subgroups == 0 {
		q = lang.X("groups.delete.question", "Supprimer le groupe « {{.Name}} » ?", data)
	} else {
		q = lang.XN("groups.delete.question.subgroups", "Supprimer le groupe « {{.Name}} » et ses {{.Subgroups}} sous-groupes ?", subgroups, data)
	}
	if members == 0 {
		return q
	}
	return q + "\n" + lang.XN("groups.delete.members", "Ses {{.Members}} membres restent dans Convive.", members, data)
}

func (s *GroupsScreen) deleteAsync(g core.Group) {
	runAsync(s.w, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return s.st.DeleteGroup(ctx, g.ID)
	}, func(err error) {
		if err == nil {
			s.reloadAsync(GroupID(g.ParentID))
		}
	})
}

// showDialog shows d, remembers it for the keyboard and the tests, and puts the focus
// in its first field.
func (s *GroupsScreen) showDialog(d dialog.Dialog, e *Entry, sel *widget.Select) {
	s.Dialog, s.NameEntry, s.ParentSelect = d, e, sel
	d.Show()
	if e != nil {
		s.w.Canvas().Focus(e)
	}
}
