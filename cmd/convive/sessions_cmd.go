package main

// Courses (parcours) and their sessions: courses add/list/rename/delete, sessions
// add/list/enrol/move/rename/remove/delete.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"convive/core"
	"convive/core/sqlite"
)

const (
	helpCourses = `Gère les parcours de formation.

Utilisation :
  convive [--db FICHIER] courses add NOM
  convive [--db FICHIER] courses list [--format table|csv|json]
  convive [--db FICHIER] courses rename PARCOURS NOUVEAU-NOM
  convive [--db FICHIER] courses delete PARCOURS

Deux parcours ne peuvent pas porter le même nom (majuscules et accents mis à part).
PARCOURS est le nom du parcours (ou son numéro). Le nouveau nom vaut pour ses sessions ;
les e-mails déjà dans la boîte d'envoi gardent le nom avec lequel ils ont été écrits.
Seul un parcours sans session peut être supprimé.
Les colonnes csv et json de la liste sont : id, name, sessions, created.

Exemples :
  convive courses add "Accueil des nouveaux arrivants"
  convive courses list
  convive courses rename "Accueil des nouveaux arrivants" "Accueil et intégration"
`

	helpSessions = `Gère les sessions des parcours : chaque session a une date d'ouverture et, si besoin,
de clôture. Une personne inscrite reçoit l'e-mail de la session tout de suite si la
session est ouverte, sinon à son ouverture ; déplacer l'ouverture déplace les e-mails
en attente, et retirer quelqu'un avant l'ouverture annule son e-mail.

Utilisation :
  convive [--db FICHIER] sessions add PARCOURS --name NOM --opens DATE [--closes DATE]
  convive [--db FICHIER] sessions list [--course PARCOURS] [--format table|csv|json]
  convive [--db FICHIER] sessions enrol N° E-MAIL... [--lang fr|en] [--json]
  convive [--db FICHIER] sessions move N° --opens DATE [--closes DATE]
  convive [--db FICHIER] sessions rename N° NOM
  convive [--db FICHIER] sessions remove N° E-MAIL...
  convive [--db FICHIER] sessions delete N°

Les dates s'écrivent 25/11/2026 ou 2026-11-25, avec l'heure si besoin
(25/11/2026 14:30, 2026-11-25T14:30) ; sans heure, c'est minuit, heure locale.
PARCOURS est le nom du parcours (ou son numéro). sessions enrol inscrit les comptes
existants et invite les nouvelles adresses (comme convive invite --session).
Seule une session sans apprenant peut être supprimée : retirez-les d'abord.
Les colonnes csv et json de la liste sont : id, course, name, opens, closes, members.

Exemples :
  convive sessions add "Accueil des nouveaux arrivants" --name "Session de janvier" --opens 12/01/2027 --closes 31/01/2027
  convive sessions enrol 1 anne.lefevre@example.com nouveau@example.com
  convive sessions move 1 --opens "15/01/2027 09:00"
  convive sessions rename 1 "Session de janvier (groupe B)"
`
)

// courses runs "convive courses ACTION".
func (c *cli) courses(args []string) int {
	if len(args) == 0 {
		return c.usageError(userErrorf("Indiquez une action : add, list, rename ou delete."), "convive courses")
	}
	switch args[0] {
	case "add":
		return c.coursesAdd(args[1:])
	case "list", "ls":
		return c.coursesList(args[1:])
	case "rename":
		return c.coursesRename(args[1:])
	case "delete", "rm":
		return c.coursesDelete(args[1:])
	}
	if isHelp(args[0]) {
		return c.help(helpCourses)
	}
	return c.usageError(userErrorf("L'action « %s » n'existe pas pour les parcours : utilisez add, list, rename ou delete.", args[0]), "convive courses")
}

func (c *cli) coursesDelete(args []string) int {
	const name = "convive courses delete"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpCourses)
	switch {
	case !ok:
		return code
	case len(rest) != 1:
		return c.usageError(userErrorf("Indiquez le parcours à supprimer, par son nom ou son numéro."), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		co, err := st.CourseByName(ctx, rest[0])
		if err != nil {
			return c.fail(err)
		}
		if err := st.DeleteCourse(ctx, co.ID); err != nil {
			return c.fail(err)
		}
		c.say("Le parcours « %s » est supprimé.", co.Name)
		return exitOK
	})
}

func (c *cli) coursesRename(args []string) int {
	const name = "convive courses rename"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpCourses)
	switch {
	case !ok:
		return code
	case len(rest) != 2:
		return c.usageError(userErrorf("Indiquez le parcours (son nom ou son numéro) puis son nouveau nom, chacun entre guillemets s'il contient des espaces."), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		old, err := st.CourseByName(ctx, rest[0])
		if err != nil {
			return c.fail(err)
		}
		co, err := st.RenameCourse(ctx, old.ID, rest[1])
		if err != nil {
			return c.fail(err)
		}
		if co.Name == old.Name {
			c.say("Le parcours s'appelle déjà « %s » ; rien n'a été modifié.", co.Name)
			return exitOK
		}
		c.say("Le parcours « %s » s'appelle maintenant « %s » (n° %d).", old.Name, co.Name, co.ID)
		return exitOK
	})
}

func (c *cli) coursesAdd(args []string) int {
	const name = "convive courses add"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpCourses)
	switch {
	case !ok:
		return code
	case len(rest) != 1:
		return c.usageError(userErrorf("Indiquez le nom du parcours, entre guillemets s'il contient des espaces."), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		co, err := st.CreateCourse(ctx, rest[0])
		if err != nil {
			return c.fail(err)
		}
		c.say("Parcours « %s » créé (n° %d).", co.Name, co.ID)
		return exitOK
	})
}

func (c *cli) coursesList(args []string) int {
	const name = "convive courses list"
	fs := c.flags(name)
	format := fs.String("format", "table", "")
	if code, ok := c.noArgs(fs, args, helpCourses); !ok {
		return code
	}
	rw, err := newRowWriter(*format, c.stdout, []string{"id", "name", "sessions", "created"}, []string{"N°", "Parcours", "Sessions", "Créé le"})
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		cs, err := st.Courses(ctx)
		if err != nil {
			return c.fail(err)
		}
		ss, err := st.Sessions(ctx, 0)
		if err != nil {
			return c.fail(err)
		}
		count := map[int64]int{}
		for _, s := range ss {
			count[s.CourseID]++
		}
		for _, co := range cs {
			rw.row([]string{strconv.FormatInt(co.ID, 10), co.Name, frenchInt(count[co.ID]), frenchDate(co.Created)},
				[]any{co.ID, co.Name, count[co.ID], isoDate(co.Created)})
		}
		if err := rw.close(plural(len(cs), "Aucun parcours.", "1 parcours.", "%s parcours.")); err != nil {
			return c.fail(err)
		}
		return exitOK
	})
}

// sessions runs "convive sessions ACTION".
func (c *cli) sessions(args []string) int {
	if len(args) == 0 {
		return c.usageError(userErrorf("Indiquez une action : add, list, enrol, move, rename, remove ou delete."), "convive sessions")
	}
	switch args[0] {
	case "add":
		return c.sessionsAdd(args[1:])
	case "list", "ls":
		return c.sessionsList(args[1:])
	case "enrol", "enroll":
		return c.sessionsEnrol(args[1:])
	case "move":
		return c.sessionsMove(args[1:])
	case "rename":
		return c.sessionsRename(args[1:])
	case "remove", "rm":
		return c.sessionsRemove(args[1:])
	case "delete":
		return c.sessionsDelete(args[1:])
	}
	if isHelp(args[0]) {
		return c.help(helpSessions)
	}
	return c.usageError(userErrorf("L'action « %s » n'existe pas pour les sessions : utilisez add, list, enrol, move, rename, remove ou delete.", args[0]), "convive sessions")
}

// parseDates reads --opens and --closes.
func parseDates(opens, closes string) (time.Time, time.Time, error) {
	o, err := core.ParseDate(opens, nil)
	if err != nil {
		return o, time.Time{}, err
	}
	var cl time.Time
	if strings.TrimSpace(closes) != "" {
		if cl, err = core.ParseDate(closes, nil); err != nil {
			return o, cl, err
		}
	}
	return o, cl, nil
}

func (c *cli) sessionsAdd(args []string) int {
	const name = "convive sessions add"
	fs := c.flags(name)
	sname := fs.String("name", "", "")
	opens := fs.String("opens", "", "")
	closes := fs.String("closes", "", "")
	rest, code, ok := c.parseFlags(fs, args, helpSessions)
	switch {
	case !ok:
		return code
	case len(rest) != 1:
		return c.usageError(userErrorf("Indiquez le parcours (son nom entre guillemets, ou son numéro)."), name)
	case strings.TrimSpace(*sname) == "":
		return c.usageError(userErrorf("Indiquez le nom de la session avec --name."), name)
	case strings.TrimSpace(*opens) == "":
		return c.usageError(userErrorf("Indiquez la date d'ouverture avec --opens, par exemple --opens 25/11/2026."), name)
	}
	o, cl, err := parseDates(*opens, *closes)
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		co, err := st.CourseByName(ctx, rest[0])
		if err != nil {
			return c.fail(err)
		}
		se, err := st.CreateSession(ctx, core.Session{CourseID: co.ID, Name: *sname, Opens: o, Closes: cl})
		if err != nil {
			return c.fail(err)
		}
		c.say("Session « %s » du parcours « %s » créée (n° %d), ouverture le %s.", se.Name, co.Name, se.ID, core.FrenchDate(se.Opens))
		return exitOK
	})
}

func (c *cli) sessionsList(args []string) int {
	const name = "convive sessions list"
	fs := c.flags(name)
	course := fs.String("course", "", "")
	format := fs.String("format", "table", "")
	rest, code, ok := c.parseFlags(fs, args, helpSessions)
	switch {
	case !ok:
		return code
	case len(rest) > 0:
		return c.usageError(userErrorf("« sessions list » n'attend pas d'argument (« %s ») ; pour un parcours, utilisez --course.", rest[0]), name)
	}
	rw, err := newRowWriter(*format, c.stdout, []string{"id", "course", "name", "opens", "closes", "members"},
		[]string{"N°", "Parcours", "Session", "Ouverture", "Clôture", "Apprenants"})
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		var courseID int64
		if strings.TrimSpace(*course) != "" {
			co, err := st.CourseByName(ctx, *course)
			if err != nil {
				return c.fail(err)
			}
			courseID = co.ID
		}
		ss, err := st.Sessions(ctx, courseID)
		if err != nil {
			return c.fail(err)
		}
		for _, s := range ss {
			rw.row([]string{strconv.FormatInt(s.ID, 10), s.Course, s.Name, core.FrenchDate(s.Opens), core.FrenchDate(s.Closes), frenchInt(s.Members)},
				[]any{s.ID, s.Course, s.Name, isoDate(s.Opens), isoDate(s.Closes), s.Members})
		}
		if err := rw.close(plural(len(ss), "Aucune session.", "1 session.", "%s sessions.")); err != nil {
			return c.fail(err)
		}
		return exitOK
	})
}

// sessionArg reads the session number.
func sessionArg(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, userErrorf("« %s » n'est pas un numéro de session : voyez les numéros avec convive sessions list.", s)
	}
	return id, nil
}

func (c *cli) sessionsEnrol(args []string) int {
	const name = "convive sessions enrol"
	fs := c.flags(name)
	language := fs.String("lang", "fr", "")
	asJSON := fs.Bool("json", false, "")
	rest, code, ok := c.parseFlags(fs, args, helpSessions)
	switch {
	case !ok:
		return code
	case len(rest) < 2:
		return c.usageError(userErrorf("Indiquez le numéro de la session puis au moins une adresse e-mail."), name)
	}
	id, err := sessionArg(rest[0])
	if err != nil {
		return c.usageError(err, name)
	}
	inv := []string{"--session", strconv.FormatInt(id, 10), "--lang", *language}
	if *asJSON {
		inv = append(inv, "--json")
	}
	return c.invite(append(append(inv, "--"), rest[1:]...))
}

func (c *cli) sessionsMove(args []string) int {
	const name = "convive sessions move"
	fs := c.flags(name)
	opens := fs.String("opens", "", "")
	closes := fs.String("closes", "", "")
	rest, code, ok := c.parseFlags(fs, args, helpSessions)
	switch {
	case !ok:
		return code
	case len(rest) != 1:
		return c.usageError(userErrorf("Indiquez le numéro de la session."), name)
	case strings.TrimSpace(*opens) == "":
		return c.usageError(userErrorf("Indiquez la nouvelle date d'ouverture avec --opens."), name)
	}
	id, err := sessionArg(rest[0])
	if err != nil {
		return c.usageError(err, name)
	}
	o, cl, err := parseDates(*opens, *closes)
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		moved, err := st.RescheduleSession(ctx, id, o, cl)
		if err != nil {
			return c.fail(err)
		}
		c.say("La session n° %d ouvre maintenant le %s. %s", id, core.FrenchDate(o),
			plural(moved, "Aucun e-mail en attente à déplacer.", "1 e-mail en attente suit la nouvelle date.", "%s e-mails en attente suivent la nouvelle date."))
		return exitOK
	})
}

func (c *cli) sessionsRename(args []string) int {
	const name = "convive sessions rename"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpSessions)
	switch {
	case !ok:
		return code
	case len(rest) != 2:
		return c.usageError(userErrorf("Indiquez le numéro de la session puis son nouveau nom, entre guillemets s'il contient des espaces."), name)
	}
	id, err := sessionArg(rest[0])
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		se, err := st.RenameSession(ctx, id, rest[1])
		if err != nil {
			return c.fail(err)
		}
		c.say("La session n° %d s'appelle « %s ».", se.ID, se.Name)
		return exitOK
	})
}

func (c *cli) sessionsDelete(args []string) int {
	const name = "convive sessions delete"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpSessions)
	switch {
	case !ok:
		return code
	case len(rest) != 1:
		return c.usageError(userErrorf("Indiquez le numéro de la session à supprimer."), name)
	}
	id, err := sessionArg(rest[0])
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		ss, err := st.Session(ctx, id)
		if err != nil {
			return c.fail(err)
		}
		if err := st.DeleteSession(ctx, id); err != nil {
			return c.fail(err)
		}
		c.say("La session n° %d « %s » est supprimée.", id, ss.Name)
		return exitOK
	})
}

func (c *cli) sessionsRemove(args []string) int {
	const name = "convive sessions remove"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpSessions)
	switch {
	case !ok:
		return code
	case len(rest) < 2:
		return c.usageError(userErrorf("Indiquez le numéro de la session puis les adresses à retirer."), name)
	}
	id, err := sessionArg(rest[0])
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		var ids []int64
		for _, e := range core.ParseAddressList(strings.Join(rest[1:], "\n")) {
			if e.Err != nil {
				return c.fail(e.Err)
			}
			u, err := st.UserByLogin(ctx, e.Address.Login)
			if err != nil {
				return c.fail(err)
			}
			ids = append(ids, u.ID)
		}
		n, err := st.RemoveFromSession(ctx, id, ids)
		if err != nil {
			return c.fail(err)
		}
		c.say("%s", plural(len(ids), "Personne n'a été retiré de la session.", "1 personne retirée de la session.", "%s personnes retirées de la session."))
		c.say("%s", plural(n, "Aucun e-mail en attente à annuler.", "1 e-mail en attente annulé.", "%s e-mails en attente annulés."))
		return exitOK
	})
}
