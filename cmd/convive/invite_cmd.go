package main

// The invitation commands: invite, provision, invitations, cancel, accept, users
// set-email, users reset-password and platform. They call the same store methods as
// the window; mails are only queued here (convive send sends them).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"convive/assets"
	"convive/core"
	"convive/core/sheet"
	"convive/core/sqlite"
)

const (
	helpInvite = `Invite des personnes par e-mail : chacune reçoit une invitation et un e-mail pour
créer elle-même son compte. L'e-mail attend dans la boîte d'envoi (convive send
l'envoie). Les adresses peuvent être séparées par des virgules, des points-virgules,
des espaces ou des retours à la ligne ; la forme « Jean Dupont <jean@example.com> »
est acceptée (seule l'adresse est gardée).

  - une adresse déjà invitée reçoit à nouveau son invitation (jamais deux invitations) ;
  - une adresse qui est déjà l'identifiant d'un compte est signalée avec ses groupes,
    et l'alias « # » formé avec le nom de la plateforme est proposé (--alias) ;
  - une adresse invalide est signalée avec la raison ; les autres sont invitées.

Utilisation :
  convive [--db FICHIER] invite E-MAIL... [--group CHEMIN]... [--session N°] [--lang fr|en] [--alias] [--json]

Options :
  --group CHEMIN   sous-groupe où inviter (répétable) ; sans cette option, l'invitation
                   est faite dans le Groupe général. Le groupe doit exister.
  --session N°     inscrit aussi les personnes à cette session (voir convive sessions
                   list) : l'e-mail est celui de la session, envoyé tout de suite si la
                   session est ouverte, sinon à son ouverture. Un compte existant y est
                   simplement inscrit.
  --lang LANGUE    langue de l'e-mail : fr (par défaut) ou en
  --alias          invite les adresses déjà utilisées sous leur alias « # »
                   (jean.dupont#plateforme@example.com ; les e-mails vont toujours à
                   jean.dupont@example.com)
  --json           écrit le bilan en JSON : {"invited":N,"resent":N,
                   "already_account":[…],"invalid":[…]} (avec --session, "enrolled":N)
  --db FICHIER     base de données à utiliser (voir convive --help)

Le code de retour est 1 si une adresse était invalide (les autres ont été invitées).

Exemples :
  convive invite jean.dupont@example.com anne.lefevre@example.com --group Ventes
  convive invite "$(cat adresses.txt)" --lang en --json
`

	helpProvision = `Paramètre un compte : l'utilisateur est créé tout de suite, actif, dans ses groupes,
sans attendre qu'il accepte une invitation. Avec --welcome, un e-mail de bienvenue
contenant un lien à usage unique pour choisir son mot de passe est mis dans la boîte
d'envoi (lien valable 14 jours ; Convive n'en garde que l'empreinte).

Utilisation :
  convive [--db FICHIER] provision E-MAIL --first-name PRÉNOM --last-name NOM [--group CHEMIN]... [--welcome]

Options :
  --first-name PRÉNOM   prénom (obligatoire)
  --last-name NOM       nom (obligatoire)
  --group CHEMIN        sous-groupe (répétable) ; il doit exister
  --language LANGUE     fr (par défaut) ou en
  --role RÔLE           apprenant (par défaut), formateur ou administrateur
  --welcome             prépare l'e-mail de bienvenue
  --db FICHIER          base de données à utiliser (voir convive --help)

Exemple :
  convive provision anne.lefevre@example.com --first-name Anne --last-name Lefèvre --welcome
`

	helpInvitations = `Liste les invitations : par défaut celles en attente, des deux vues (Dans le groupe
et Dans les sous-groupes), les plus récentes d'abord.

Utilisation :
  convive [--db FICHIER] invitations [--status pending|accepted|cancelled|all]
      [--scope group|subgroups|all] [--group CHEMIN] [--session N°] [--search TEXTE]
      [--format table|csv|json] [--export FICHIER.xlsx|.csv]

Options :
  --status ÉTAT     pending (en attente, par défaut), accepted, cancelled ou all
  --scope VUE       group : invitations dans le Groupe général (Dans le groupe)
                    subgroups : invitations dans les sous-groupes
                    all : toutes (par défaut)
  --group CHEMIN    seulement ce groupe et ses sous-groupes
  --session N°      seulement cette session
  --search TEXTE    identifiant, prénom ou nom contenant TEXTE (sans accents ni majuscules)
  --format FORMAT   table (par défaut), csv ou json. Les colonnes csv et json sont :
                    id, login, email, first_name, last_name, group, session, state,
                    language, created, last_sent. last_sent est la date d'envoi du
                    dernier e-mail parti (vide tant qu'aucun n'est parti).
  --export FICHIER  enregistre la liste dans un classeur .xlsx ou un fichier .csv ;
                    une cellule qui commencerait par = + - @ est précédée d'une apostrophe
  --db FICHIER      base de données à utiliser (voir convive --help)

Exemples :
  convive invitations --scope subgroups
  convive invitations --status all --export invitations.xlsx
`

	helpCancel = `Annule des invitations en attente : leur e-mail encore dans la boîte d'envoi est annulé
et ne partira pas ; leur lien ne fonctionne plus. Annuler deux fois ne fait rien de plus.

Utilisation :
  convive [--db FICHIER] cancel [E-MAIL...] [--from FICHIER|-] [--dry-run] [--json]

Options :
  --from FICHIER   lit les adresses dans un classeur .xlsx ou un fichier .csv (toute
                   cellule qui contient une adresse), ou dans un texte ; « - » lit
                   l'entrée standard (une liste collée)
  --dry-run        montre ce qui serait annulé, sans rien changer
  --json           écrit le bilan en JSON : {"cancelled":N,"not_found":[…],
                   "already_accepted":[…],"already_cancelled":[…],"invalid":[…]}
                   (avec --dry-run, "cancelled" compte ce qui serait annulé)
  --db FICHIER     base de données à utiliser (voir convive --help)

Une adresse sans alias trouve aussi les invitations de ses alias « # ».

Exemples :
  convive cancel jean.dupont@example.com
  convive cancel --from a-annuler.xlsx --dry-run
`

	helpAccept = `Marque des invitations comme acceptées : la plateforme sait qui a accepté ; donnez-lui
la liste de ses comptes actifs (réconciliation) ou les adresses une à une. Les
utilisateurs concernés deviennent actifs et leur e-mail d'invitation encore en attente
est annulé.

Utilisation :
  convive [--db FICHIER] accept [E-MAIL...] [--from FICHIER|-] [--json]

Options :
  --from FICHIER   classeur .xlsx, fichier .csv (toute cellule qui contient une adresse)
                   ou texte ; « - » lit l'entrée standard
  --json           écrit le bilan en JSON : {"accepted":N,"not_found":[…],
                   "already_accepted":[…],"already_cancelled":[…],"invalid":[…]}
  --db FICHIER     base de données à utiliser (voir convive --help)

Exemple :
  convive accept --from comptes-actifs-plateforme.csv
`

	helpSetEmail = `Modifie l'adresse e-mail (l'identifiant) d'un utilisateur.
  - Invitation pas encore acceptée : l'invitation est annulée avec son e-mail, et la
    nouvelle adresse est invitée (mêmes groupes, même session).
  - Compte actif : l'adresse est changée sur place ; les e-mails en attente partent à
    la nouvelle adresse.
Les deux cas figurent dans l'historique de l'utilisateur.

Utilisation :
  convive [--db FICHIER] users set-email ANCIENNE NOUVELLE

Exemple :
  convive users set-email jean.dupont@example.com jean.dupont@example.org
`

	helpResetPassword = `Identifiants perdus : met dans la boîte d'envoi un e-mail de réinitialisation du mot
de passe, avec un lien à usage unique valable 3 jours. Convive ne garde aucun mot de
passe ; c'est la seule action possible.

Utilisation :
  convive [--db FICHIER] users reset-password E-MAIL
`

	helpPlatform = `Affiche ou règle la plateforme : son nom (qui forme les alias « # ») et son adresse
web (qui forme les liens des e-mails).

Utilisation :
  convive [--db FICHIER] platform [--name NOM] [--url ADRESSE]

Exemple :
  convive platform --name "Formation Exemple" --url https://formation.example.fr
`
)

// invitationHelp returns the help of "convive help ARGS" for these commands.
func invitationHelp(args []string) (string, bool) {
	switch strings.Join(args, " ") {
	case "invite":
		return helpInvite, true
	case "provision":
		return helpProvision, true
	case "invitations":
		return helpInvitations, true
	case "cancel":
		return helpCancel, true
	case "accept":
		return helpAccept, true
	case "users set-email", "user set-email":
		return helpSetEmail, true
	case "users reset-password", "user reset-password":
		return helpResetPassword, true
	case "platform":
		return helpPlatform, true
	case "courses", "courses add", "courses list":
		return helpCourses, true
	case "sessions", "sessions add", "sessions list", "sessions enrol", "sessions move", "sessions remove":
		return helpSessions, true
	}
	return "", false
}

// mailer builds the mailer every invitation command uses.
func mailer(ctx context.Context, st *sqlite.Store) (*core.Mailer, error) {
	return core.NewMailer(ctx, st, assets.DefaultMailTemplate)
}

// groupIDs resolves --group paths; an unknown group is refused, not created.
func groupIDs(ctx context.Context, st *sqlite.Store, paths []string) ([]int64, error) {
	var ids []int64
	for _, p := range paths {
		g, err := st.GroupByPath(ctx, p)
		if core.ErrorCode(err) == core.ENotFound {
			return nil, userErrorf("Le groupe « %s » n'existe pas. Créez-le d'abord avec : convive groups add %q", p, p)
		} else if err != nil {
			return nil, err
		}
		if !g.IsRoot() {
			ids = append(ids, g.ID)
		}
	}
	return ids, nil
}

// writeJSON prints v as one line of JSON.
func (c *cli) writeJSON(v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	c.stdout.Write(b.Bytes())
}

// invite runs "convive invite EMAIL...".
func (c *cli) invite(args []string) int {
	const name = "convive invite"
	fs := c.flags(name)
	var groups stringList
	fs.Var(&groups, "group", "")
	session := fs.Int64("session", 0, "")
	language := fs.String("lang", "fr", "")
	fs.StringVar(language, "language", "fr", "")
	alias := fs.Bool("alias", false, "")
	asJSON := fs.Bool("json", false, "")
	rest, code, ok := c.parseFlags(fs, args, helpInvite)
	switch {
	case !ok:
		return code
	case len(rest) == 0:
		return c.usageError(userErrorf("Indiquez au moins une adresse e-mail à inviter."), name)
	}
	lang, ok := parseLanguage(*language)
	if !ok {
		return c.usageError(userErrorf("La langue « %s » n'est pas connue : indiquez fr ou en.", *language), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		ids, err := groupIDs(ctx, st, groups)
		if err != nil {
			return c.fail(err)
		}
		req := core.InviteRequest{Addresses: rest, GroupIDs: ids, SessionID: *session, Language: lang, UseAlias: *alias}
		m, err := mailer(ctx, st)
		if err != nil {
			return c.fail(err)
		}
		p, err := st.PreviewInvite(ctx, req)
		if err != nil {
			return c.fail(err)
		}
		res, err := st.Invite(ctx, req, m)
		if err != nil {
			return c.fail(err)
		}
		// for a person, even with --json
		for _, t := range p.Typos {
			fmt.Fprintln(c.stderr, french(fmt.Sprintf("Attention : le domaine de « %s » ressemble à une faute de frappe : vouliez-vous dire « %s » ? L'invitation est préparée ; annulez-la (convive cancel %s) si l'adresse est fausse.",
				t.Address.Login, t.Suggestion, t.Address.Login)))
		}
		if *asJSON {
			c.writeJSON(res)
		} else {
			c.say("%s", plural(res.Invited, "Aucune nouvelle invitation.", "1 invitation préparée.", "%s invitations préparées."))
			if res.Resent > 0 {
				c.say("%s", plural(res.Resent, "", "1 invitation déjà en attente renvoyée.", "%s invitations déjà en attente renvoyées."))
			}
			if res.Enrolled > 0 {
				c.say("%s", plural(res.Enrolled, "", "1 compte existant inscrit à la session.", "%s comptes existants inscrits à la session."))
			}
			for _, a := range p.Accounts {
				if a.Enrol || indexOf(res.AlreadyAccount, a.Address.Login) < 0 {
					continue
				}
				where := core.RootGroupName
				if len(a.User.Groups) > 0 {
					where = strings.Join(a.User.Groups, ", ")
				}
				hint := ""
				switch {
				case a.Alias.Login == "":
					hint = " Renseignez le nom de la plateforme (convive platform --name …) pour pouvoir l'inviter avec un alias #."
				case a.AliasTaken:
					hint = fmt.Sprintf(" L'alias « %s » est pris lui aussi.", a.Alias.Login)
				default:
					hint = fmt.Sprintf(" Pour l'inviter quand même, utilisez --alias : l'identifiant sera « %s ».", a.Alias.Login)
				}
				c.say("« %s » est déjà l'identifiant du compte « %s » (%s ; groupes : %s).%s", a.Address.Login, a.User.Login, a.User.Status.Label(), where, hint)
			}
			for _, d := range p.Duplicates {
				c.say("« %s » figure plusieurs fois dans la liste : une seule invitation.", d)
			}
			if res.Invited+res.Resent+res.Enrolled > 0 {
				c.say("Les e-mails attendent dans la boîte d'envoi : convive send les envoie.")
			}
		}
		if len(p.Invalid) > 0 {
			for _, inv := range p.Invalid {
				fmt.Fprintf(c.stderr, "Erreur\u00a0: %s\n", french(inv.Reason))
			}
			return exitFailure
		}
		return exitOK
	})
}

// indexOf returns the index of s in list, or -1.
func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// provision runs "convive provision EMAIL --first-name F --last-name L".
func (c *cli) provision(args []string) int {
	const name = "convive provision"
	fs := c.flags(name)
	acc := newAccountFlags(fs)
	fs.StringVar(acc.language, "lang", "fr", "")
	welcome := fs.Bool("welcome", false, "")
	rest, code, ok := c.parseFlags(fs, args, helpProvision)
	switch {
	case !ok:
		return code
	case len(rest) == 0:
		return c.usageError(userErrorf("Indiquez l'adresse e-mail du compte, par exemple jean.dupont@example.com."), name)
	case len(rest) > 1:
		return c.usageError(userErrorf("Un seul compte à la fois : « %s » est en trop.", rest[1]), name)
	}
	nu, err := acc.newUser(rest[0])
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		ids, err := groupIDs(ctx, st, acc.groups)
		if err != nil {
			return c.fail(err)
		}
		nu.GroupIDs = ids
		var m *core.Mailer
		if *welcome {
			if m, err = mailer(ctx, st); err != nil {
				return c.fail(err)
			}
		}
		u, err := st.Provision(ctx, nu, *welcome, m)
		if err != nil {
			return c.fail(err)
		}
		c.say("Compte « %s » (%s) créé, actif.", u.Login, u.FullName())
		if *welcome {
			c.say("L'e-mail de bienvenue attend dans la boîte d'envoi : convive send l'envoie.")
		}
		return exitOK
	})
}

// invitationPage is how many invitations are read at a time.
const invitationPage = 1000

// invitations runs "convive invitations".
func (c *cli) invitations(args []string) int {
	const name = "convive invitations"
	fs := c.flags(name)
	status := fs.String("status", "pending", "")
	scope := fs.String("scope", "all", "")
	group := fs.String("group", "", "")
	session := fs.Int64("session", 0, "")
	search := fs.String("search", "", "")
	format := fs.String("format", "table", "")
	export := fs.String("export", "", "")
	rest, code, ok := c.parseFlags(fs, args, helpInvitations)
	switch {
	case !ok:
		return code
	case len(rest) > 0:
		return c.usageError(userErrorf("« invitations » n'attend pas d'argument (« %s ») ; pour chercher, utilisez --search.", rest[0]), name)
	}
	f := core.InvitationFilter{Search: *search, SessionID: *session, Sort: core.InvSortCreated, Desc: true, Limit: invitationPage}
	state, ok := core.ParseInvitationState(*status)
	if !ok {
		return c.usageError(userErrorf("L'état « %s » n'existe pas : indiquez pending, accepted, cancelled ou all.", *status), name)
	}
	if state != "" {
		f.States = []core.InvitationState{state}
	}
	switch strings.ToLower(strings.TrimSpace(*scope)) {
	case "all", "":
	case "group", "groupe":
		f.Scope = core.ScopeGroup
	case "subgroups", "sous-groupes":
		f.Scope = core.ScopeSubgroups
	default:
		return c.usageError(userErrorf("La vue « %s » n'existe pas : indiquez group, subgroups ou all.", *scope), name)
	}
	rw, err := newRowWriter(*format, c.stdout,
		[]string{"id", "login", "email", "first_name", "last_name", "group", "session", "state", "language", "created", "last_sent"},
		[]string{"N°", "Identifiant", "Nom", "Groupe", "Session", "État", "Créée le", "Dernier envoi"})
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		if strings.TrimSpace(*group) != "" {
			ids, err := groupIDs(ctx, st, []string{*group})
			if err != nil {
				return c.fail(err)
			}
			if len(ids) == 0 { // the Groupe général itself: the "group" view
				f.Scope = core.ScopeGroup
			} else {
				f.GroupID = ids[0]
			}
		}
		var all []core.InvitationRow
		n, err := eachPage(f.Limit, func(offset int) ([]core.InvitationRow, error) {
			f.Offset = offset
			return st.Invitations(ctx, f)
		}, func(r core.InvitationRow) {
			group := r.Group
			if group == "" {
				group = core.RootGroupName
			}
			rw.row(
				[]string{strconv.FormatInt(r.ID, 10), r.Login, core.CleanName(r.FirstName + " " + r.LastName), group, r.Session, r.State.Label(), frenchDate(r.Created), frenchDate(r.LastSent)},
				[]any{r.ID, r.Login, r.Email, r.FirstName, r.LastName, group, r.Session, string(r.State), string(r.Language), isoDate(r.Created), isoDate(r.LastSent)},
			)
			if *export != "" {
				all = append(all, r)
			}
		})
		if err != nil {
			return c.fail(err)
		}
		if err := rw.close(plural(n, "Aucune invitation.", "1 invitation.", "%s invitations.")); err != nil {
			return c.fail(err)
		}
		if *export != "" {
			header, rows := core.InvitationTable(all)
			if err := sheet.WriteTable(*export, "Invitations", header, rows); err != nil {
				return c.fail(err)
			}
			fmt.Fprintln(c.stderr, french(fmt.Sprintf("Liste enregistrée dans « %s ».", *export)))
		}
		return exitOK
	})
}

// readAddresses gathers the addresses of the arguments and of --from: a spreadsheet or
// CSV file (every cell that holds an "@"), or "-" for a list on standard input.
func (c *cli) readAddresses(args []string, from string) ([]string, error) {
	entries := append([]string(nil), args...)
	switch from {
	case "":
	case "-":
		b, err := io.ReadAll(c.stdin)
		if err != nil {
			return nil, userErrorf("L'entrée standard n'a pas pu être lue (%v).", err)
		}
		entries = append(entries, string(b))
	default:
		wb, err := sheet.Open(from, sheet.Options{})
		if err != nil {
			return nil, err
		}
		defer wb.Close()
		rows, err := wb.Rows(context.Background(), "")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			entries = append(entries, core.AddressesInCells(rows.Row().Cells)...)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(entries) == 0 {
		return nil, userErrorf("Aucune adresse : indiquez des adresses, ou un fichier avec --from.")
	}
	return entries, nil
}

// cancel runs "convive cancel [EMAIL...] [--from FILE|-] [--dry-run] [--json]".
func (c *cli) cancel(args []string) int {
	const name = "convive cancel"
	fs := c.flags(name)
	from := fs.String("from", "", "")
	dry := fs.Bool("dry-run", false, "")
	asJSON := fs.Bool("json", false, "")
	rest, code, ok := c.parseFlags(fs, args, helpCancel)
	switch {
	case !ok:
		return code
	case len(rest) == 0 && *from == "":
		return c.usageError(userErrorf("Indiquez les adresses dont l'invitation est à annuler, ou un fichier avec --from."), name)
	}
	entries, err := c.readAddresses(rest, *from)
	if err != nil {
		return c.fail(err)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		var (
			res core.CancelResult
			err error
		)
		if *dry {
			p, err := st.PreviewCancel(ctx, entries)
			if err != nil {
				return c.fail(err)
			}
			res = core.CancelResult{Cancelled: len(p.Cancel), NotFound: orEmpty(p.NotFound), AlreadyAccepted: orEmpty(p.AlreadyAccepted),
				AlreadyCancelled: orEmpty(p.AlreadyCancelled), Invalid: []string{}}
			for _, i := range p.Invalid {
				res.Invalid = append(res.Invalid, i.Input)
			}
		} else if res, err = st.CancelInvitations(ctx, entries); err != nil {
			return c.fail(err)
		}
		if *asJSON {
			c.writeJSON(res)
		} else {
			if *dry {
				c.say("%s", plural(res.Cancelled, "Aucune invitation en attente ne serait annulée.", "1 invitation serait annulée (rien n'a été modifié).", "%s invitations seraient annulées (rien n'a été modifié)."))
			} else {
				c.say("%s", plural(res.Cancelled, "Aucune invitation annulée.", "1 invitation annulée ; son e-mail ne partira pas.", "%s invitations annulées ; leurs e-mails ne partiront pas."))
			}
			c.listAddresses("Sans invitation", res.NotFound)
			c.listAddresses("Déjà acceptée", res.AlreadyAccepted)
			c.listAddresses("Déjà annulée", res.AlreadyCancelled)
		}
		return c.invalidEntries(res.Invalid)
	})
}

// accept runs "convive accept [EMAIL...] [--from FILE|-] [--json]".
func (c *cli) accept(args []string) int {
	const name = "convive accept"
	fs := c.flags(name)
	from := fs.String("from", "", "")
	asJSON := fs.Bool("json", false, "")
	rest, code, ok := c.parseFlags(fs, args, helpAccept)
	switch {
	case !ok:
		return code
	case len(rest) == 0 && *from == "":
		return c.usageError(userErrorf("Indiquez les adresses des invitations acceptées, ou la liste des comptes actifs de la plateforme avec --from."), name)
	}
	entries, err := c.readAddresses(rest, *from)
	if err != nil {
		return c.fail(err)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		res, err := st.AcceptInvitations(ctx, entries)
		if err != nil {
			return c.fail(err)
		}
		if *asJSON {
			c.writeJSON(res)
		} else {
			c.say("%s", plural(res.Accepted, "Aucune invitation en attente n'a été marquée acceptée.", "1 invitation acceptée ; le compte est actif.", "%s invitations acceptées ; les comptes sont actifs."))
			c.listAddresses("Sans invitation", res.NotFound)
			c.listAddresses("Déjà acceptée", res.AlreadyAccepted)
			c.listAddresses("Annulée", res.AlreadyCancelled)
		}
		return c.invalidEntries(res.Invalid)
	})
}

// listAddresses prints a titled list of addresses, when there are any.
func (c *cli) listAddresses(title string, list []string) {
	for _, a := range list {
		c.say("%s : %s", title, a)
	}
}

// invalidEntries reports the entries that are not addresses, with the reason, and
// returns exitFailure when there are any.
func (c *cli) invalidEntries(invalid []string) int {
	if len(invalid) == 0 {
		return exitOK
	}
	for _, in := range invalid {
		_, err := core.ParseAddress(in)
		if err == nil {
			continue
		}
		fmt.Fprintf(c.stderr, "Erreur\u00a0: %s\n", french(core.ErrorMessage(err)))
	}
	return exitFailure
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// usersSetEmail runs "convive users set-email OLD NEW".
func (c *cli) usersSetEmail(args []string) int {
	const name = "convive users set-email"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpSetEmail)
	switch {
	case !ok:
		return code
	case len(rest) != 2:
		return c.usageError(userErrorf("Indiquez l'ancienne adresse puis la nouvelle."), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		u, err := st.UserByLogin(ctx, rest[0])
		if err != nil {
			return c.fail(err)
		}
		m, err := mailer(ctx, st)
		if err != nil {
			return c.fail(err)
		}
		ch, err := st.ChangeEmail(ctx, u.ID, rest[1], m)
		if err != nil {
			return c.fail(err)
		}
		switch {
		case ch.Reinvited:
			c.say("L'invitation de « %s » est annulée et « %s » est invité à sa place ; l'e-mail attend dans la boîte d'envoi.", u.Login, ch.User.Login)
		case ch.User.Login == u.Login:
			c.say("« %s » a déjà cette adresse ; rien n'a été modifié.", u.Login)
		default:
			c.say("L'adresse de « %s » est maintenant « %s ».", u.Login, ch.User.Login)
		}
		return exitOK
	})
}

// usersResetPassword runs "convive users reset-password EMAIL".
func (c *cli) usersResetPassword(args []string) int {
	const name = "convive users reset-password"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpResetPassword)
	switch {
	case !ok:
		return code
	case len(rest) != 1:
		return c.usageError(userErrorf("Indiquez une adresse, celle de l'utilisateur qui a perdu ses identifiants."), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		u, err := st.UserByLogin(ctx, rest[0])
		if err != nil {
			return c.fail(err)
		}
		m, err := mailer(ctx, st)
		if err != nil {
			return c.fail(err)
		}
		msg, err := st.QueuePasswordReset(ctx, u.ID, m)
		if err != nil {
			return c.fail(err)
		}
		c.say("L'e-mail de réinitialisation pour « %s » (à %s) attend dans la boîte d'envoi (message n° %d).", u.Login, msg.To, msg.ID)
		return exitOK
	})
}

// platform runs "convive platform [--name N] [--url U]".
func (c *cli) platform(args []string) int {
	const name = "convive platform"
	fs := c.flags(name)
	nameOpt := fs.String("name", "\x00", "")
	urlOpt := fs.String("url", "\x00", "")
	rest, code, ok := c.parseFlags(fs, args, helpPlatform)
	switch {
	case !ok:
		return code
	case len(rest) > 0:
		return c.usageError(userErrorf("« platform » n'attend pas d'argument (« %s ») : utilisez --name et --url.", rest[0]), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		org, err := st.Organisation(ctx)
		if err != nil {
			return c.fail(err)
		}
		if *nameOpt != "\x00" || *urlOpt != "\x00" {
			if *nameOpt != "\x00" {
				org.Name = *nameOpt
			}
			if *urlOpt != "\x00" {
				org.URL = *urlOpt
			}
			if err := st.SetOrganisation(ctx, org); err != nil {
				return c.fail(err)
			}
			if org, err = st.Organisation(ctx); err != nil {
				return c.fail(err)
			}
		}
		show := func(v string) string {
			if v == "" {
				return "(non renseigné)"
			}
			return v
		}
		c.say("Plateforme : %s", show(org.Name))
		c.say("Adresse web : %s", show(org.URL))
		if tag := core.AliasTag(org.Name); tag != "" {
			c.say("Alias proposé : prenom.nom#%s@…", tag)
		}
		return exitOK
	})
}
